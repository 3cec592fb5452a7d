"""What cobudget/search.py needs on PostgreSQL: the `unaccent` extension (a trusted extension,
so a database owner may create it) and an ICU collation for French. SQLite gets the same two
names from Python on each connection."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE COLLATION IF NOT EXISTS cobudget_fr (provider = icu, locale = 'fr')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP COLLATION IF EXISTS cobudget_fr")


class Migration(migrations.Migration):
    dependencies = [("groups", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
