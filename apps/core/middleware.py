"""Response headers that depend on which view answered."""

from django.utils.cache import add_never_cache_headers

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
