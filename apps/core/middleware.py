"""Response headers that depend on which view answered, and query values the admin cannot take."""

from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from .error_views import bad_request

# Pages that show bank accounts or taxpayer IDs: a shared computer's browser cache or a proxy must not keep them.
NO_STORE_VIEWS = frozenset(
    {
        "console:titles",
        "console:title_add",
        "console:title_edit",
        "console:title_delete",
        "console:apply",
        "console:apply_confirm",
        "console:records",
        "console:record_detail",
        "console:record_cancel",
        "backoffice:queue",
        "backoffice:detail",
        "backoffice:accept",
        "backoffice:reject",
        "backoffice:mail",
        "backoffice:export",
    }
)
# Every API answer is one user's data (titles with bank accounts and taxpayer IDs among them).
NO_STORE_PREFIXES = ("/api/",)


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with Django's other never-cache headers) for NO_STORE_VIEWS and the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if request.path_info.startswith(NO_STORE_PREFIXES) or (match and match.view_name in NO_STORE_VIEWS):
            add_never_cache_headers(response)
        return response


@cache
def _settings_policies() -> tuple[str, str]:
    """The Content-Security-Policy headers of the settings (enforced, report-only), built once per process."""
    return build_policy(), build_policy(report_only=True)


class SettingsPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, without rebuilding the same header on every response: a response that no view
    changed (no csp_update/csp_replace/csp_exempt decorator) and that used no nonce gets the settings' policy as
    built once. Anything else goes through django-csp as it is."""

    CHANGED_BY_VIEW = (
        "_csp_config", "_csp_update", "_csp_replace", "_csp_exempt",
        "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro", "_csp_exempt_ro",
    )  # fmt: skip

    def process_response(self, request, response):
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.CHANGED_BY_VIEW)
        ):
            return super().process_response(request, response)
        enforced, report_only = _settings_policies()
        if enforced and HEADER not in response:
            response[HEADER] = enforced
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after the header was written raises instead of going unused.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@cache
def _admin_prefix() -> str:
    return reverse("admin:index")


class AdminQueryNulMiddleware:
    """A NUL in an admin link's query answers the branded 400 page.

    The admin's list filters pass query values to the database as they are, and PostgreSQL refuses a NUL in a query
    (`/admin/invoices/invoicerequest/?status__exact=%00` was a 500). Our own pages and the API read their query
    values through forms and serializers, which refuse a NUL next to its field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(_admin_prefix()) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return bad_request(request)
        return self.get_response(request)
