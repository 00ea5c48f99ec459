"""The error body in the OpenAPI schema, so every documented error answer names its shape."""

from drf_spectacular import openapi
from drf_spectacular.plumbing import is_patched_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (`apps.core.api.exception_handler`, and the JSON 404/500 of any /api/ URL)."""

    code = serializers.CharField(help_text="Stable snake_case error code, e.g. `amount_exceeds_invoiceable`.")
    message = serializers.CharField(help_text="What went wrong, in the user's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field, always strings; empty when the error is not about one field.",
    )


_ERROR_DESCRIPTIONS = {
    400: "Bad input; `fields` names the fields to correct.",
    401: "Not authenticated: send `Authorization: Token <key>` or log in. An expired token answers `token_expired`.",
    403: "Authenticated, but this role may not use the endpoint.",
    404: "No such object in your account.",
    409: "The object's status does not allow this change.",
    429: "Too many attempts: wait and try again (see the `Retry-After` header when present).",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {status: OpenApiResponse(ErrorSerializer, description=_ERROR_DESCRIPTIONS[status]) for status in statuses}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus `schema_required_fields` of a serializer.

    Some input serializers leave fields optional so that the service can say what is missing in its own words (and
    all at once); the server still refuses a request without them, so the schema lists them as required (except in
    PATCH bodies, where nothing is).
    """

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        extra = getattr(serializer, "schema_required_fields", ())
        if extra and direction == "request" and not is_patched_serializer(serializer, direction):
            result["required"] = sorted({*result.get("required", []), *extra})
        return result
