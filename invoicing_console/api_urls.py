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
from apps.refunds.api.views import (
    BillingRefundCreateApi,
    InvoiceDebtListApi,
    InvoiceReturnViewSet,
    RefundViewSet,
    StaffInvoiceRequestVoidApi,
    StaffTicketViewSet,
    StaffWithdrawalViewSet,
    TicketAttachmentDownloadApi,
    TicketViewSet,
    VendorInvoiceRequestReopenApi,
    VendorInvoiceReturnViewSet,
    VendorRefundViewSet,
    WithdrawalViewSet,
)
from apps.staffconsole.api import CalendarOverrideViewSet, VendorSlaApi
from apps.titles.api.views import InvoiceTitleViewSet

router = SimpleRouter()
router.register("titles", InvoiceTitleViewSet, basename="api-title")
router.register("addresses", MailingAddressViewSet, basename="api-address")
router.register("invoice-requests", InvoiceRequestViewSet, basename="api-invoice-request")
router.register("vendor/invoice-requests", VendorInvoiceRequestViewSet, basename="api-vendor-invoice-request")
router.register("staff/calendar-overrides", CalendarOverrideViewSet, basename="api-staff-calendar-override")
router.register("refunds", RefundViewSet, basename="api-refund")
router.register("vendor/refunds", VendorRefundViewSet, basename="api-vendor-refund")
router.register("invoice-returns", InvoiceReturnViewSet, basename="api-invoice-return")
router.register("vendor/invoice-returns", VendorInvoiceReturnViewSet, basename="api-vendor-invoice-return")
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("staff/tickets", StaffTicketViewSet, basename="api-staff-ticket")
router.register("withdrawals", WithdrawalViewSet, basename="api-withdrawal")
router.register("staff/withdrawals", StaffWithdrawalViewSet, basename="api-staff-withdrawal")

urlpatterns = [
    path("auth/token/", AuthTokenObtainApi.as_view(), name="api-auth-token"),
    path("invoiceable/", InvoiceableListApi.as_view(), name="api-invoiceable"),
    path("billing/consumption/", ConsumptionRecordCreateApi.as_view(), name="api-billing-consumption"),
    path("vendor/profile/", VendorProfileApi.as_view(), name="api-vendor-profile"),
    path("staff/sla/", VendorSlaApi.as_view(), name="api-staff-sla"),
    path("notifications/", NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read-all/", NotificationReadAllApi.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", NotificationReadApi.as_view(), name="api-notification-read"),
    path("billing/refunds/", BillingRefundCreateApi.as_view(), name="api-billing-refunds"),
    path("invoice-debts/", InvoiceDebtListApi.as_view(), name="api-invoice-debts"),
    path("tickets/attachments/<int:pk>/", TicketAttachmentDownloadApi.as_view(), name="api-ticket-attachment"),
    path(
        "vendor/invoice-requests/<int:pk>/reopen/",
        VendorInvoiceRequestReopenApi.as_view(),
        name="api-vendor-invoice-request-reopen",
    ),
    path("staff/invoice-requests/<int:pk>/void/", StaffInvoiceRequestVoidApi.as_view(), name="api-staff-void"),
    *router.urls,
]
