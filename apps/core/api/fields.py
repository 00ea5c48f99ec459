"""Input fields that only parse types (the services own every rule), strictly: what is not plainly an id or an
amount is refused here with a readable field error, never coerced (`int("1_000")` and `int("١٢")` succeed)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.validators import ID_MAX, parse_id


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "example": "100.00"}, {"type": "number", "example": 100.0}],
        "description": "CNY, at least 0.01, at most two decimal places, plain ASCII digits (no sign, exponent, "
        "separator or currency sign); a string is safest.",
    }
)
class AmountField(serializers.Field):
    """An amount as typed by the client (string or number). The service parses and checks it."""

    default_error_messages = {"invalid": _("Enter an amount such as 100.00.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value):
        return str(value)


class DateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with a time at the calendar's edge (`0001-01-01`, `9999-12-31T23:59` without an offset)
    refused as out of range: DRF's own check of such a time overflows (an OverflowError, a 500) instead."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX, "example": 1})
class IdField(serializers.Field):
    """An object id: a JSON integer or a string of ASCII digits, 1 .. 2**63 - 1 (`core.validators.parse_id`)."""

    default_error_messages = {"invalid": _("Enter the id as a whole number, such as 12.")}

    def to_internal_value(self, data) -> int:
        value = parse_id(data)
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return int(value)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """`PrimaryKeyRelatedField` that takes only what `IdField` takes: `"1_000"` is refused, not looked up as 1000."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "incorrect_type": _("Enter the id as a whole number, such as 12."),
    }

    def to_internal_value(self, data):
        value = parse_id(data)
        if value is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(value)
