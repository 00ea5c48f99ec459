"""API plumbing shared by every app: the error body, pagination and role permissions."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError


class StandardPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _error(code: str, message, fields: dict | None, http_status: int) -> Response:
    return Response({"code": code, "message": str(message), "fields": fields or {}}, status=http_status)


def exception_handler(exc, context):
    """Every error body is `{"code", "message", "fields"}`."""
    if isinstance(exc, ApplicationError):
        fields = {key: [str(m) for m in value] for key, value in exc.fields.items()}
        return _error(exc.code, exc.message, fields, exc.status_code)
    if isinstance(exc, TransitionNotAllowed):
        return _error("invalid_transition", _("This request can no longer be changed in that way."), {}, 409)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {
                key: [str(item) for item in (value if isinstance(value, list) else [value])]
                for key, value in detail.items()
            }
            non_field = fields.get("non_field_errors")
            message = non_field[0] if non_field else _("Please correct the fields marked below.")
        else:
            items = detail if isinstance(detail, list) else [detail]
            fields = {}
            message = " ".join(str(item) for item in items)
        response.data = {"code": "invalid", "message": message, "fields": fields}
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = {"code": code, "message": str(exc.detail), "fields": {}}
    return response


class IsCustomer(permissions.BasePermission):
    message = gettext_lazy("Only customer accounts may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_customer)


class IsVendor(permissions.BasePermission):
    message = gettext_lazy("Only vendor users may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_vendor)


class IsStaff(permissions.BasePermission):
    message = gettext_lazy("Only marketplace staff may use this endpoint.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_marketplace_staff)
