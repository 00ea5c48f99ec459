"""Django's error handlers (invoicing_console/urls.py): a JSON error body under /api/, a branded page elsewhere.

The API's own views answer their errors through `apps.core.api.exception_handler`; these cover what never reaches
a DRF view: unknown /api/ URLs, a body Django refuses, and a crash (500).
"""

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied

from .api.errors import error_body
from .api.parsers import RequestTooLarge

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(code: str, message, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def _page(request, template_name: str, status: int, context: dict | None = None) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template_name, context or {}, request), status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        code, message = RequestTooLarge.default_code, RequestTooLarge.default_detail
        page_message = _("What you sent is too large. Send a smaller file or fewer items at a time.")
    else:
        code, message = "bad_request", _("The request could not be understood.")
        page_message = message
    if is_api_request(request):
        return _json(code, message, 400)
    return _page(request, "400.html", 400, {"error_message": page_message})


@requires_csrf_token
def permission_denied(request, exception=None):
    # The role mixins raise PermissionDenied("This page is for vendor users."): say which role the page is for.
    reason = str(exception) if exception is not None and str(exception) else ""
    if is_api_request(request):
        return _json("permission_denied", reason or DrfPermissionDenied.default_detail, 403)
    return _page(request, "403.html", 403, {"page_role_message": reason})


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api_request(request):
        return _json("not_found", NotFound.default_detail, 404)
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    """No request context, no database: the page must render even when those are what failed."""
    if is_api_request(request):
        return _json("server_error", _("Something went wrong on our side. Please try again later."), 500)
    try:
        body = loader.get_template("500.html").render({"LANGUAGE_CODE": get_language() or "zh-hans"})
    except Exception:  # the page of last resort must not fail in turn
        logger.exception("The 500 page could not be rendered")
        body = "<h1>Server Error (500)</h1>"
    return HttpResponse(body, status=500)


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an old tab, cookies blocked): our 403, saying what to do."""
    message = _(
        "This form has expired or your browser blocked its security cookie. Go back, reload the page and try again."
    )
    if is_api_request(request):
        return _json("csrf_failed", message, 403)
    return _page(request, "403.html", 403, {"page_role_message": message, "csrf_failure": True})
