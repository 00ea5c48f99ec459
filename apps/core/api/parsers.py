"""Request body parsers for every API view (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

They answer 400 in the error body, never a 500: a JSON body nested deeper than MAX_JSON_DEPTH (Python's json
raises RecursionError near 1,000 levels) and a body over settings.DATA_UPLOAD_MAX_MEMORY_SIZE (Django enforces
that limit for its own form parsing only; DRF reads the stream itself).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

# Our bodies are two levels deep; a generous cap keeps every later step (validation, errors) far from the
# interpreter's recursion limit.
MAX_JSON_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def _refuse_too_large(parser_context) -> None:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    if limit is None or request is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestTooLarge()


def _depth(value) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _refuse_too_large(parser_context)
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = _depth(data) > MAX_JSON_DEPTH
        if too_deep:
            raise ParseError(
                _("The JSON body is nested too deeply (at most %(depth)d levels).") % {"depth": MAX_JSON_DEPTH},
                code="json_too_deep",
            )
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        _refuse_too_large(parser_context)
        return super().parse(stream, media_type, parser_context)


DEFAULT_PARSERS = [JSONParser, FormParser, parsers.MultiPartParser]
