"""The ledger is append-only at the database level: on PostgreSQL a trigger refuses any
UPDATE or DELETE of its rows (SQLite, used for development, keeps the rule in code only)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION allocations_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'the ledger is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS allocations_ledger_append_only ON allocations_ledgerentry;
CREATE TRIGGER allocations_ledger_append_only BEFORE UPDATE OR DELETE ON allocations_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION allocations_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS allocations_ledger_append_only ON allocations_ledgerentry;
DROP FUNCTION IF EXISTS allocations_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("allocations", "0003_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
