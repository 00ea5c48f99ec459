"""Raw, read-only rows: refunds, returns, tickets and withdrawals change only through their services (the console,
the back-office, the staff console and the API), which lock, check, record and notify."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ReadOnlyAdmin, when_column

from .models import AccountWallet, InvoiceReturn, Refund, SupportTicket, TicketAttachment, TicketMessage, Withdrawal


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "customer_account",
        "vendor",
        "amount",
        "status",
        when_column("created_at", _("created")),
    ]
    list_filter = ["status"]
    search_fields = ["customer_account__name", "vendor__name", "external_id"]
    list_select_related = ["customer_account", "vendor"]


@admin.register(InvoiceReturn)
class InvoiceReturnAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "invoice_request", "purpose", "status", "vendor_fault", "tracking_number"]
    list_filter = ["status", "purpose"]
    search_fields = ["invoice_request__number", "tracking_number"]
    list_select_related = ["invoice_request"]


@admin.register(SupportTicket)
class SupportTicketAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "customer_account", "invoice_request", "status", "assignee"]
    list_filter = ["status"]
    search_fields = ["subject", "customer_account__name", "invoice_request__number"]
    list_select_related = ["customer_account", "invoice_request", "assignee"]


@admin.register(TicketMessage)
class TicketMessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "author", when_column("created_at", _("time"))]
    list_select_related = ["ticket", "author"]


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "size", when_column("created_at", _("time"))]


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "customer_account", "amount", "status", when_column("created_at", _("created"))]
    list_filter = ["status"]
    search_fields = ["customer_account__name"]
    list_select_related = ["customer_account"]


@admin.register(AccountWallet)
class AccountWalletAdmin(ReadOnlyAdmin):
    list_display = ["customer_account", "refunded", "withdrawn"]
    list_select_related = ["customer_account"]
