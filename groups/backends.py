"""The session's authentication backends, loading the person with the answer to "must they set
up two-factor authentication first?" in the same statement (groups.mfa), so that checking it
on every request costs no query."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from groups.mfa import mfa_missing_sql
from groups.models import User


def _get_user(backend, user_id):
    table = connection.ops.quote_name(User._meta.db_table)
    user = (User._default_manager.annotate(_mfa_missing=RawSQL(mfa_missing_sql(f"{table}.id"), (),
                                                               output_field=BooleanField()))
            .filter(pk=user_id).first())
    return user if user is not None and backend.user_can_authenticate(user) else None


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        return _get_user(self, user_id)
