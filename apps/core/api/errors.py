"""Every API error body is `{"code", "message", "fields"}`, with `fields` a dict of lists of strings."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import ApplicationError

from .parsers import RequestTooLarge


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"code": code, "message": str(message), "fields": fields or {}}


def _error(code: str, message, fields: dict | None, http_status: int) -> Response:
    return Response(error_body(code, message, fields), status=http_status)


def _messages(detail) -> list[str]:
    """Every message inside an error detail, flattened to strings."""
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list | tuple):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def field_errors(detail: dict, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as `{field: [message, …]}` of plain strings (never a Python repr).

    A list item's errors stay on the list's field, numbered from 1 (`ids`: "Item 2: A valid integer is required.");
    a nested object's fields are dotted (`title_snapshot.name`).
    """
    fields: dict[str, list[str]] = {}
    for key, value in detail.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and all(isinstance(index, int) for index in value):
            for index, item in sorted(value.items()):
                fields.setdefault(name, []).extend(
                    _("Item %(number)d: %(message)s") % {"number": index + 1, "message": message}
                    for message in _messages(item)
                )
        elif isinstance(value, dict):
            fields.update(field_errors(value, prefix=f"{name}."))
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            # many=True: one dict per item, empty for the good ones.
            for index, item in enumerate(value):
                for message in _messages(item):
                    fields.setdefault(name, []).append(
                        _("Item %(number)d: %(message)s") % {"number": index + 1, "message": message}
                    )
        else:
            fields[name] = _messages(value)
    return fields


def exception_handler(exc, context):
    """DRF's handler, answering the error body; ApplicationError keeps its code and status."""
    if isinstance(exc, ApplicationError):
        fields = {key: [str(message) for message in value] for key, value in exc.fields.items()}
        return _error(exc.code, exc.message, fields, exc.status_code)
    if isinstance(exc, TransitionNotAllowed):
        return _error("invalid_transition", _("This request can no longer be changed in that way."), {}, 409)
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(code="bad_request")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's handler500 answers the JSON 500
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = field_errors(detail)
            non_field = fields.pop("non_field_errors", None)
            message = non_field[0] if non_field else _("Please correct the fields marked below.")
        else:
            fields = {}
            message = " ".join(_messages(detail))
        response.data = error_body("invalid", message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, " ".join(_messages(exc.detail)))
    return response
