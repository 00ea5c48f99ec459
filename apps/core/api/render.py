"""DRF's output formats as plain functions, for read serializers that build a row's dict directly.

A list of 20 requests through DRF's generic `Serializer.to_representation` costs a field object, an attribute walk
and a `to_representation` call per value (some 600 per page), and a `get_FOO_display()` (a lazy translation) per
label. The read serializers (e.g. `apps.invoices.api.serializers.InvoiceRequestSerializer`) keep their declared
fields (the OpenAPI schema) and answer the very same JSON, built with these helpers and with what a page shares
(time zone, choice labels in the active language) computed once. tests/api/test_fast_rows_api.py compares every
such serializer with DRF's generic output.
"""

import datetime as dt
import decimal
import functools
from collections.abc import Mapping

from django.conf import settings
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.settings import api_settings


def text(value) -> str | None:
    """`serializers.CharField().to_representation`, None kept (as `Serializer.to_representation` does)."""
    return None if value is None else str(value)


def datetime_out(value: dt.datetime | None, tz) -> str | None:
    """`serializers.DateTimeField().to_representation` (ISO 8601, in `tz`: the current time zone)."""
    if not value:
        return None
    if isinstance(value, str):
        return value
    if tz is not None:
        value = value.astimezone(tz) if timezone.is_aware(value) else timezone.make_aware(value, tz)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def current_tz():
    """The time zone DRF's DateTimeField renders in (None without USE_TZ)."""
    return timezone.get_current_timezone() if settings.USE_TZ else None


def date_out(value: dt.date | None) -> str | None:
    """`serializers.DateField().to_representation` (ISO 8601)."""
    if not value:
        return None
    return value if isinstance(value, str) else value.isoformat()


def decimal_out(value, *, max_digits: int, decimal_places: int) -> str:
    """`serializers.DecimalField(max_digits, decimal_places, coerce_to_string=True).to_representation`."""
    if value is None:
        return ""
    if not isinstance(value, decimal.Decimal):
        value = decimal.Decimal(str(value).strip())
    context = decimal.getcontext().copy()
    context.prec = max_digits
    return f"{value.quantize(decimal.Decimal('.1') ** decimal_places, context=context):f}"


def labels(choices) -> dict:
    """{value: label as text in the active language}: what `get_FOO_display()` answers. Made once per process and
    language (the translation catalogues do not change while a process runs); do not modify the dict."""
    return _labels(choices, translation.get_language())


@functools.cache
def _labels(choices, language: str | None) -> dict:
    return {value: str(label) for value, label in choices.choices}


def display(labels_: dict, value):
    """`str(instance.get_FOO_display())` as a CharField renders it: the label, else the value itself."""
    shown = labels_.get(value, value)
    return None if shown is None else str(shown)


def _choice_strings(choices) -> dict:
    return {str(value): value for value, _label in choices}


_SIMPLE = (str, int, float, bool, type(None))


class SnapshotRenderer:
    """A read-only nested `Serializer` of plain fields over a JSON object (a snapshot), rendered as DRF does: a key
    missing from the object is left out, None stays None, a CharField is `str()`, a BooleanField DRF's truth
    table, a ChoiceField its value. Anything unusual in the object (not a dict, a nested value) goes through the
    serializer itself, so the output is DRF's whatever the stored JSON holds."""

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.serializer_class = serializer_class
        self.fields = []
        for name, field in serializer_class().fields.items():
            assert field.source == name and not field.write_only, (serializer_class, name)
            if isinstance(field, serializers.ChoiceField):
                self.fields.append((name, "choice", _choice_strings(field.choices.items())))
            elif isinstance(field, serializers.BooleanField):
                self.fields.append((name, "bool", None))
            elif type(field) is serializers.CharField:
                self.fields.append((name, "str", None))
            else:
                raise TypeError(f"{serializer_class.__name__}.{name}: no fast rendering for {type(field).__name__}")

    def __call__(self, value):
        if value is None:
            return None
        if not isinstance(value, Mapping) or not all(isinstance(item, _SIMPLE) for item in value.values()):
            return self.serializer_class(value).data
        out = {}
        for name, kind, choices in self.fields:
            if name not in value:
                continue
            item = value[name]
            if item is None:
                out[name] = None
            elif kind == "str":
                out[name] = str(item)
            elif kind == "bool":
                out[name] = _boolean(item)
            else:
                out[name] = item if item == "" else choices.get(str(item), item)
        return out


def _boolean(value) -> bool:
    if value in serializers.BooleanField.TRUE_VALUES:
        return True
    if value in serializers.BooleanField.FALSE_VALUES:
        return False
    return bool(value)


def iso_formats_in_use() -> bool:
    """The helpers above render ISO 8601 only, DRF's default; a project-wide format would need them changed."""
    return api_settings.DATETIME_FORMAT == "iso-8601" and api_settings.DATE_FORMAT == "iso-8601"
