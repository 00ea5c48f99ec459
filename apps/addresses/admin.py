from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import when_column

from .models import MailingAddress


@admin.register(MailingAddress)
class MailingAddressAdmin(admin.ModelAdmin):
    """View-only: customers manage their addresses in the console, where the services check the mobile number,
    postal code and the single default. Requests keep their own snapshot of the address."""

    list_display = (
        "recipient",
        "customer_account",
        "phone",
        "region",
        "postal_code",
        "is_default",
        when_column("created_at", _("created")),
    )
    list_filter = ("is_default", "province")
    search_fields = ("recipient", "phone", "street", "city", "customer_account__name")
    list_select_related = ("customer_account",)
    fields = (
        "customer_account",
        "recipient",
        "phone",
        "province",
        "city",
        "district",
        "street",
        "postal_code",
        "is_default",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("address"))
    def region(self, obj):
        return obj.full_address

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
