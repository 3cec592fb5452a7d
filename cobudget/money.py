"""Money: exact decimals, one parser and one rounding helper. Never a float."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from cobudget.errors import DomainError

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("999999999.99")
CURRENCY_PLACES = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "JPY": 0}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}
CURRENCY_CHOICES = [(code, code) for code in CURRENCY_PLACES]

_PLAIN = re.compile(r"^[0-9]+(?:[.,][0-9]*)?$")


def places_for(currency: str) -> int:
    return CURRENCY_PLACES.get(currency, 2)


def quantize(value: Decimal, currency: str = "EUR") -> Decimal:
    """The one rounding helper: to the currency's minor unit, half up."""
    exp = Decimal(1).scaleb(-places_for(currency))
    return value.quantize(exp, rounding=ROUND_HALF_UP)


def parse_amount(value, *, currency: str = "EUR", field: str = "amount") -> Decimal:
    """Parse user input into an exact amount, or raise DomainError(code="invalid_amount").

    Accepts a string of ASCII digits with an optional '.' or ',' decimal separator, an int,
    or a Decimal (JSON numbers are parsed as Decimal by the API). Refuses negative, NaN,
    infinities, more places than the currency has, and anything above MAX_AMOUNT.
    """

    def refuse(detail):
        raise DomainError("invalid_amount", detail, status=400, field=field)

    if isinstance(value, bool) or value is None:
        refuse(_("Enter an amount."))
    if isinstance(value, float):
        # Should not happen through the API (parse_float=Decimal); be exact anyway.
        value = Decimal(repr(value))
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            refuse(_("Enter an amount."))
        if len(text) > 30 or not _PLAIN.match(text):
            if text.startswith("-"):
                refuse(_("The amount cannot be negative."))
            refuse(_("Enter the amount as a number, like 430 or 430.50."))
        value = Decimal(text.replace(",", "."))
    if not isinstance(value, Decimal):
        refuse(_("Enter the amount as a number, like 430 or 430.50."))
    if not value.is_finite():
        refuse(_("Enter the amount as a number, like 430 or 430.50."))
    if value < 0:
        refuse(_("The amount cannot be negative."))
    if value > MAX_AMOUNT:
        refuse(_("The amount is too large (at most 999,999,999.99)."))
    try:
        exact = quantize(value, currency)
    except InvalidOperation:
        refuse(_("Enter the amount as a number, like 430 or 430.50."))
    if exact != value:
        refuse(_("Use at most %(places)d decimal places.") % {"places": places_for(currency)})
    return exact.copy_abs() if not exact else exact  # -0 is 0 (PostgreSQL's numeric has no negative zero)


def money_field_kwargs(**extra):
    return {"max_digits": 12, "decimal_places": 2, "default": ZERO, **extra}
