"""Money is CNY in Decimal with two places; never floats."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import ApplicationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2


def MoneyField(verbose_name=None, **kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
    return models.DecimalField(verbose_name, **kwargs)


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | None) -> str:
    """`1234.5` -> `"1234.50"`: the machine form (API, CSV), no currency sign or separators."""
    return f"{quantize(value or ZERO):.2f}"


def format_cny(value: Decimal | int | str | None) -> str:
    """`4267.5` -> `"¥4,267.50"`, `-5` -> `"-¥5.00"`: how people see money (pages, messages, e-mails).

    The one human form: the `money` template filter and every message that names an amount use it.
    """
    amount = quantize(Decimal(value if value not in (None, "") else ZERO))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


# Plain ASCII decimals only: no sign, exponent, underscore, separator or non-ASCII digit (`Decimal()` and `\d`
# accept all of those). A leading minus is let through so that "-5" is told "at least 0.01", not "not a number".
_PLAIN_DECIMAL_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Thousands separators exactly every three digits: "1,000.50" yes, "1,00" or "10,00,000" no.
_GROUPED_DECIMAL_RE = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")
# What a Chinese input method types in full-width mode: digits, point, comma, minus and the yuan sign.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－￥", "0123456789.,-¥")
_BLANKS = " \t\u00a0\u3000"  # spaces only: control characters are junk, not padding
_MAX_INPUT_LENGTH = 64


def _invalid(field: str, message) -> ApplicationError:
    return ApplicationError("invalid_amount", message, {field: [message]})


def _to_text(raw) -> str | None:
    """The raw value as text to check, or None when it cannot be an amount at all."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return format(raw, "f") if raw.is_finite() else None
    if isinstance(raw, int | float | str):
        return str(raw).translate(_FULL_WIDTH).strip(_BLANKS)
    return None


def _checked(text: str | None, *, field: str) -> Decimal:
    if text is None or len(text) > _MAX_INPUT_LENGTH or not _PLAIN_DECIMAL_RE.fullmatch(text):
        if text and _GROUPED_DECIMAL_RE.fullmatch(text):
            raise _invalid(field, _("Enter the amount without thousands separators, such as 1000.50."))
        raise _invalid(field, _("Enter an amount such as 100.00."))
    value = Decimal(text)
    # Size first: quantizing a huge value (30 digits) raises InvalidOperation instead of answering.
    if value >= Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES):
        raise _invalid(field, _("The amount is too large."))
    if value != value.quantize(CENT):
        raise _invalid(field, _("An amount has at most two decimal places."))
    if value < CENT:
        raise _invalid(field, _("The amount must be at least 0.01."))
    return value.quantize(CENT)


def parse_amount(raw, *, field: str = "amount") -> Decimal:
    """Parse a positive amount (plain ASCII decimal, at most two places), or raise ApplicationError on `field`.

    The API and CSV rule: `1000.50` only. Refused: `1e2`, `NaN`, `Infinity`, `+5`, `1_000`, `1,000`, non-ASCII
    digits and anything around the number. Full-width digits typed with a Chinese input method (`１０００．５０`)
    are read as ASCII.
    """
    return _checked(_to_text(raw), field=field)


def parse_page_amount(raw, *, field: str = "amount") -> Decimal:
    """`parse_amount` for what people paste into a page: a leading ¥/￥ and thousands separators are dropped.

    `¥1,000.50` -> 1000.50. Separators must sit every three digits (`1,00` is refused), then the strict rule.
    """
    text = _to_text(raw)
    if text is not None:
        sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
        if body.startswith("¥"):
            text = sign + body[1:].lstrip(_BLANKS)
        if _GROUPED_DECIMAL_RE.fullmatch(text):
            text = text.replace(",", "")
    return _checked(text, field=field)
