"""The OpenAPI schema and its two docs pages, for logged-in users, within our Content-Security-Policy.

Their errors (an anonymous visitor: 401) are the API's JSON error body, whatever the page would have rendered.
"""

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer


class JsonErrorsMixin:
    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class SwaggerView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (`?script`), not inline."""


class RedocView(JsonErrorsMixin, SpectacularRedocView):
    """ReDoc without inline script or web fonts from a CDN (templates/api/redoc.html)."""

    template_name = "api/redoc.html"


# Swagger UI's page has a small <style> block and ReDoc writes its styles at run time and starts a blob: worker.
DOCS_CSP = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}


def schema_view():
    return SchemaView.as_view()


def swagger_view(*, url_name: str):
    return csp_update(DOCS_CSP)(SwaggerView.as_view(url_name=url_name))


def redoc_view(*, url_name: str):
    return csp_update(DOCS_CSP)(RedocView.as_view(url_name=url_name))
