"""Search and sort the French way, on PostgreSQL and on SQLite.

- `matching(queryset, q, fields)`: every word of `q` appears in one of `fields`, whatever
  its accents and case (« cooperative » finds « Coopérative »).
- `by_name(prefix)`: the order of a list of people, French collation (Élodie before Zoé),
  on the display name (the e-mail's local part for someone without a name).

PostgreSQL: `lower(unaccent(…))` and the ICU collation `cobudget_fr`, both created by the
migration groups/0002. SQLite: the same two names registered on every new connection
(`register_sqlite_functions`, connected in groups/apps.py): a `cobudget_fold` function and a
`cobudget_fr` collation, in Python. A registered function rather than a normalised shadow
column: no extra column to keep in step with every write of every searchable field, and the
SQLite databases (development, a small group) are scanned in an instant.
"""

import unicodedata
from functools import cmp_to_key

from django.db.models import CharField, F, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Collate, NullIf, StrIndex, Substr
from django.db.models.lookups import Contains, Exact

COLLATION = "cobudget_fr"
MAX_WORDS = 10

# Letters that are not a base letter plus an accent, spelled out as unaccent spells them.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                            "\u2019": "'", "\u02bc": "'"})


def fold(text: str | None) -> str | None:
    """Lower case, without accents: what a search compares."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _sort_key(text: str) -> tuple:
    # Base letters first, then accents, then case: the three levels of a French collation.
    return (fold(text), unicodedata.normalize("NFKD", text).casefold(), text)


def _compare(a: str, b: str) -> int:
    ka, kb = _sort_key(a), _sort_key(b)
    return (ka > kb) - (ka < kb)


french_key = cmp_to_key(_compare)  # sorted(names, key=french_key) in Python, as the database does


class Fold(Func):
    """fold() in SQL: lower(unaccent(x)) on PostgreSQL, cobudget_fold(x) on SQLite."""

    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, output_field=TextField(), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="cobudget_fold", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="lower(unaccent(%(expressions)s::text))",
                              **extra_context)


def word_filter(word: str, fields: list) -> Q:
    """One word in any of `fields` (names or expressions), accents and case aside."""
    needle = Fold(Value(word, output_field=CharField()))
    condition = Q()
    for field in fields:
        condition |= Q(Contains(Fold(F(field) if isinstance(field, str) else field), needle))
    return condition


def same_words(expression, text: str) -> Q:
    """`expression` equals `text`, accents, case and spaces around aside (a name typed by hand)."""
    return Q(Exact(Fold(expression), Fold(Value(" ".join(text.split()), output_field=CharField()))))


def matching(queryset, q: str | None, fields: list):
    """The rows where every word of `q` (at most ten) appears in one of `fields` (names or
    expressions)."""
    for word in (q or "").split()[:MAX_WORDS]:
        queryset = queryset.filter(word_filter(word, fields))
    return queryset


def french(expression):
    """An expression to order by in French collation."""
    if isinstance(expression, str):
        expression = F(expression)
    return Collate(expression, COLLATION)


def display_name(prefix: str = ""):
    """The SQL of User.display_name: the name, or the e-mail's local part."""
    email = F(f"{prefix}email")
    local_part = Substr(email, 1, StrIndex(email, Value("@")) - 1)
    return Coalesce(NullIf(F(f"{prefix}name"), Value("")), local_part, output_field=CharField())


def by_name(prefix: str = "") -> list:
    """order_by() arguments for people (User rows, or rows reaching them through `prefix`,
    e.g. "user__"): by display name in French collation, then by e-mail."""
    return [french(display_name(prefix)), F(f"{prefix}email")]


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: give SQLite the function and collation PostgreSQL has."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("cobudget_fold", 1, fold, deterministic=True)
    connection.connection.create_collation(COLLATION, _compare)
