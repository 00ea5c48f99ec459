"""Response headers that depend on which view answered, and query values the admin cannot take."""

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


class AdminQueryNulMiddleware:
    """A NUL in an admin link's query answers the branded 400 page.

    The admin's list filters pass query values to the database as they are, and PostgreSQL refuses a NUL in a query
    (`/admin/invoices/invoicerequest/?status__exact=%00` was a 500). Our own pages and the API read their query
    values through forms and serializers, which refuse a NUL next to its field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")) and any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return bad_request(request)
        return self.get_response(request)
