"""The session's authentication backends, loading the person with the answer to "must they set
up two-factor authentication first?" in the same statement (groups.mfa), so that checking it
on every request costs no query; the statement is prepared (cobudget.hotsql.Compiled), since
every page and htmx request of a logged-in person reads it."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from cobudget import hotsql
from groups.mfa import mfa_missing_sql
from groups.models import User

_FIELDS = [f.attname for f in User._meta.concrete_fields]


def _query(*, user_id):
    table = connection.ops.quote_name(User._meta.db_table)
    return (User._default_manager.filter(pk=user_id)
            .annotate(mfa_missing=RawSQL(mfa_missing_sql(f"{table}.id"), (), output_field=BooleanField()))
            .values_list(*_FIELDS, "mfa_missing"))


_user = hotsql.Compiled(_query)


def _get_user(backend, user_id):
    row = _user.fetchone(user_id=int(user_id))
    if row is None:
        return None
    user = User.from_db(DEFAULT_DB_ALIAS, _FIELDS, row[:-1])
    user._mfa_missing = row[-1]
    return user if backend.user_can_authenticate(user) else None


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)
