"""Money is CNY in Decimal with two places; never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    """`1234.5` -> `"1234.50"` (API and CSV form)."""
    return f"{quantize(value or ZERO):.2f}"


def parse_amount(raw, *, field: str = "amount") -> Decimal:
    """Parse a positive amount with at most two decimals, or raise ApplicationError with a field error."""
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if raw is not None else None
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        message = _("Enter an amount such as 100.00.")
        raise ApplicationError("invalid_amount", message, {field: [message]})
    # Size first: quantizing a huge value (30 digits) raises InvalidOperation instead of answering.
    if value >= Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES):
        message = _("The amount is too large.")
        raise ApplicationError("invalid_amount", message, {field: [message]})
    if value.as_tuple().exponent < -2 and value != value.quantize(CENT):
        message = _("An amount has at most two decimal places.")
        raise ApplicationError("invalid_amount", message, {field: [message]})
    if value < CENT:
        message = _("The amount must be at least 0.01.")
        raise ApplicationError("invalid_amount", message, {field: [message]})
    return value.quantize(CENT)
