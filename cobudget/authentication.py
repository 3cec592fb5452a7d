"""The API's token authentication, with the token and its user read in one plain statement.

DRF's TokenAuthentication behaves the same (`Authorization: Token <key>`, 401 for an unknown
key or an inactive user) but builds `Token.objects.select_related("user").get(key=...)` on
every request: compiling that query cost more than running it, on every call of the API's
busiest write (the allocation PUT). A revoked token stops working at once: nothing is cached.
"""

from functools import cache

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from cobudget import hotsql
from groups.mfa import mfa_missing_sql
from groups.models import User


@cache
def _statement() -> tuple[str, list[str], list]:
    qn = connection.ops.quote_name
    fields = list(User._meta.concrete_fields)
    # The backend's converters, as the ORM applies them (SQLite stores booleans and timestamps
    # its own way; PostgreSQL needs none here).
    converters = []
    for i, field in enumerate(fields):
        column = field.get_col(User._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((i, found, column))
    columns = ", ".join(f"u.{qn(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns}, {mfa_missing_sql('u.id')} FROM {qn(Token._meta.db_table)} t "
        f"INNER JOIN {qn(User._meta.db_table)} u ON u.{qn(User._meta.pk.column)} = t.{qn(Token._meta.get_field('user').column)} "
        f"WHERE t.{qn(Token._meta.pk.column)} = %s"
    )
    return sql, [f.attname for f in fields], converters


def user_for_token(key: str) -> User | None:
    """The active or inactive user whose API token this is, or None."""
    sql, names, converters = _statement()
    row = hotsql.fetchone(sql, [key])  # prepared once per connection on PostgreSQL
    if row is None:
        return None
    values, mfa_missing = list(row[:-1]), row[-1]
    for i, functions, column in converters:
        for function in functions:
            values[i] = function(values[i], column, connection)
    user = User.from_db(connection.alias, names, values)
    user._mfa_missing = bool(mfa_missing)  # groups.mfa: read here, no query per request
    return user


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        user = user_for_token(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)
