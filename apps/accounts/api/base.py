"""Pieces every API view shares: authentication order, the customer scope, the error body in the schema, and
input fields that only parse types (the services own every rule)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from apps.core.api import IsCustomer

# Token first, so an anonymous request answers 401 with `WWW-Authenticate: Token` instead of a bare 403.
API_AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (`apps.core.api.exception_handler`)."""

    code = serializers.CharField(help_text="Stable snake_case error code, e.g. `amount_exceeds_invoiceable`.")
    message = serializers.CharField(help_text="What went wrong, in the user's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty when the error is not about one field.",
    )


_ERROR_DESCRIPTIONS = {
    400: "Bad input; `fields` names the fields to correct.",
    401: "Not authenticated: send `Authorization: Token <key>` or log in.",
    403: "Authenticated, but this role may not use the endpoint.",
    404: "No such object in your account.",
    409: "The object's status does not allow this change.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {status: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[status]) for status in statuses}


class CustomerApiMixin:
    """Customer endpoints: token or session, customer role only, data of the user's own account."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsCustomer]

    @property
    def customer_account(self):
        return self.request.user.customer_account

    @property
    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "example": "100.00"}, {"type": "number", "example": 100.0}],
        "description": "CNY, at least 0.01, at most two decimal places; a string is safest.",
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
