from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups and members")

    def ready(self):
        from cobudget.search import register_sqlite_functions

        # Accent-insensitive search and French sorting on SQLite (cobudget/search.py).
        connection_created.connect(register_sqlite_functions, dispatch_uid="cobudget.search")
