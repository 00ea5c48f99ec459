from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from apps.core.api.docs import redoc_view, schema_view, swagger_view
from apps.notifications.views import set_language

urlpatterns = [
    path("healthz", lambda request: HttpResponse("ok"), name="healthz"),
    # Django's switch, also remembering a signed-in user's language for e-mails (apps/notifications/views.py).
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", schema_view(), name="api-schema"),
    path("api/docs/", swagger_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", redoc_view(url_name="api-schema"), name="api-redoc"),
    path("api/v1/", include("invoicing_console.api_urls")),
    path("console/", include("apps.console.urls")),
    path("backoffice/", include("apps.backoffice.urls")),
    path("staff/", include("apps.staffconsole.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("", include("apps.accounts.urls")),
]

# A JSON error body under /api/, a branded page elsewhere (apps/core/error_views.py).
handler400 = "apps.core.error_views.bad_request"
handler403 = "apps.core.error_views.permission_denied"
handler404 = "apps.core.error_views.page_not_found"
handler500 = "apps.core.error_views.server_error"
