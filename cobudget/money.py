"""Money: exact decimals, one parser, one rounding helper, and amounts (and percentages)
written the local way. Never a float."""

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, numberformat, translation
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


# --- display ---------------------------------------------------------------------------------


def money_formatter(currency: str = "EUR"):
    """format_money for many amounts in the active language: the language and its number
    formats are looked up once (a page of 500 bucket cards formats 2,000 amounts)."""
    places = places_for(currency)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    lang = translation.get_language()
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = formats.get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)
    french = (lang or "fr")[:2] == "fr"

    def format(amount) -> str:
        if amount is None or amount == "":
            return ""
        amount = Decimal(amount)
        number = numberformat.format(
            amount, decimal_sep, decimal_pos=places, grouping=grouping, thousand_sep=thousand_sep,
            force_grouping=True, use_l10n=True,
        )
        if french:
            return f"{number}\u00a0{symbol}"
        if amount < 0:
            return f"-{symbol}{number[1:]}"
        return f"{symbol}{number}"

    return format


def money_parts(currency: str = "EUR") -> dict:
    """How money_formatter writes amounts in the active language, for a script that must write
    them the same way (the allocation sheet's live total, static/js/sheet.js)."""
    lang = translation.get_language()
    return {
        "decimal": formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
        "thousand": formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
        "symbol": CURRENCY_SYMBOLS.get(currency, currency),
        "places": places_for(currency),
        "symbol_after": (lang or "fr")[:2] == "fr",
    }


def format_money(amount, currency: str = "EUR") -> str:
    """430,00 € in French, €430.00 in English (non-breaking spaces, never a float)."""
    return money_formatter(currency)(amount)


def percent_formatter():
    """The `percent` filter for many values in the active language (formats looked up once)."""
    lang = translation.get_language()
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = formats.get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def format(value) -> str:
        if value is None:
            return ""
        # Down, never up: a bucket at 99.5 % of its minimum is not shown as 100 %.
        value = Decimal(value).quantize(Decimal("1"), rounding=ROUND_DOWN)
        number = numberformat.format(value, decimal_sep, 0, grouping, thousand_sep, use_l10n=True)
        return number + "\u00a0%"

    return format
