"""The REST API, mounted at /api/v1/ (schema at /api/schema/, docs at /api/docs/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.accounts.api.vendor_profile import VendorProfileApi
from apps.accounts.api.views import AuthTokenObtainApi
from apps.addresses.api.views import MailingAddressViewSet
from apps.billing.api.views import ConsumptionRecordCreateApi, InvoiceableListApi
from apps.invoices.api.vendor_views import VendorInvoiceRequestViewSet
from apps.invoices.api.views import InvoiceRequestViewSet
from apps.notifications.api import NotificationListApi, NotificationReadAllApi, NotificationReadApi
from apps.staffconsole.api import CalendarOverrideViewSet, VendorSlaApi
from apps.titles.api.views import InvoiceTitleViewSet

router = SimpleRouter()
router.register("titles", InvoiceTitleViewSet, basename="api-title")
router.register("addresses", MailingAddressViewSet, basename="api-address")
router.register("invoice-requests", InvoiceRequestViewSet, basename="api-invoice-request")
router.register("vendor/invoice-requests", VendorInvoiceRequestViewSet, basename="api-vendor-invoice-request")
router.register("staff/calendar-overrides", CalendarOverrideViewSet, basename="api-staff-calendar-override")

urlpatterns = [
    path("auth/token/", AuthTokenObtainApi.as_view(), name="api-auth-token"),
    path("invoiceable/", InvoiceableListApi.as_view(), name="api-invoiceable"),
    path("billing/consumption/", ConsumptionRecordCreateApi.as_view(), name="api-billing-consumption"),
    path("vendor/profile/", VendorProfileApi.as_view(), name="api-vendor-profile"),
    path("staff/sla/", VendorSlaApi.as_view(), name="api-staff-sla"),
    path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", NotificationReadApi.as_view(), name="api-notification-read"),
    *router.urls,
]
