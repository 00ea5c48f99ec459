from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import when_column

from .models import InvoiceTitle


@admin.register(InvoiceTitle)
class InvoiceTitleAdmin(admin.ModelAdmin):
    """View-only: customers manage their titles in the console, where the services check the taxpayer ID,
    the GBK charset and the single default. Requests keep their own snapshot of the title."""

    list_display = (
        "name",
        "customer_account",
        "kind",
        "taxpayer_id",
        "taxpayer_id_verified",
        "is_default",
        when_column("created_at", _("created")),
    )
    list_filter = ("kind", "taxpayer_id_verified", "is_default")
    search_fields = ("name", "taxpayer_id", "customer_account__name")
    list_select_related = ("customer_account",)
    fieldsets = (
        (None, {"fields": ("customer_account", "kind", "name", "taxpayer_id", "taxpayer_id_verified", "is_default")}),
        (
            _("VAT special invoice details"),
            {"fields": ("registered_address", "registered_phone", "bank_name", "bank_account")},
        ),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
