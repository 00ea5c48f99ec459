from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from apps.core.admin import when_column
from apps.core.errors import ApplicationError
from apps.core.money import format_cny

from .models import ConsumptionRecord, VendorBalance
from .services import consumption_record

IMPORT_HELP = _(
    "Consumption is a ledger: a record is never changed or deleted. Add one record here, or import many with "
    "python manage.py import_consumption FILE.csv or the API (POST /api/v1/billing/consumption/). "
    "Either way the vendor balance is updated by the same service."
)


class ConsumptionRecordAddForm(forms.ModelForm):
    """Recording happens through `consumption_record` as the last validation step, so that every rule the
    service checks (amount, external ID, dates, text) is shown next to its field instead of failing later.
    The admin runs the whole add view in one transaction."""

    class Meta:
        model = ConsumptionRecord
        fields = ("customer_account", "vendor", "amount", "consumed_at", "external_id", "description")

    record: ConsumptionRecord | None = None
    created = False

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.record, self.created = consumption_record(
                customer_account=data["customer_account"],
                vendor=data["vendor"],
                amount=data["amount"],
                consumed_at=data["consumed_at"],
                external_id=data["external_id"],
                description=data.get("description") or "",
            )
        except ApplicationError as error:
            for name, field_messages in error.fields.items():
                self.add_error(name if name in self.fields else None, list(field_messages))
            if not error.fields:
                self.add_error(None, str(error.message))


@admin.register(ConsumptionRecord)
class ConsumptionRecordAdmin(admin.ModelAdmin):
    """Add goes through `consumption_record` (locks and updates the balance); records are read-only afterwards."""

    form = ConsumptionRecordAddForm
    list_display = (
        "external_id",
        "customer_account",
        "vendor",
        "amount_cny",
        when_column("consumed_at", _("consumed at")),
        "description",
    )
    list_filter = ("vendor", "consumed_at")
    search_fields = ("external_id", "customer_account__name", "vendor__name", "description")
    autocomplete_fields = ("customer_account", "vendor")
    list_select_related = ("customer_account", "vendor")
    date_hierarchy = "consumed_at"
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_cny(self, obj):
        return format_cny(obj.amount)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": IMPORT_HELP}
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "subtitle": IMPORT_HELP}
        return super().add_view(request, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The form already recorded it through the service; point the admin (log entry, redirect) at that row.
        record = form.record
        obj.pk = record.pk
        obj.created_at = record.created_at
        obj.updated_at = record.updated_at
        obj._state.adding = False
        obj._state.db = record._state.db
        if not form.created:
            messages.warning(request, _("This external ID was already recorded; nothing changed."))

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False  # a ledger: the record page is view-only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VendorBalance)
class VendorBalanceAdmin(admin.ModelAdmin):
    """Read-only: balances change only through the services (consumption, submit, cancel)."""

    list_display = (
        "customer_account",
        "vendor",
        "consumed_cny",
        "refunded_cny",
        "invoiced_cny",
        "invoiceable_cny",
        "invoice_debt_cny",
        when_column("updated_at", _("last changed")),
    )
    list_filter = ("vendor",)
    search_fields = ("customer_account__name", "vendor__name")
    list_select_related = ("customer_account", "vendor")
    fields = (
        "customer_account",
        "vendor",
        "consumed_cny",
        "refunded_cny",
        "invoiced_cny",
        "invoiceable_cny",
        "invoice_debt_cny",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("consumed"), ordering="consumed")
    def consumed_cny(self, obj):
        return format_cny(obj.consumed)

    @admin.display(description=_("refunded"), ordering="refunded")
    def refunded_cny(self, obj):
        return format_cny(obj.refunded)

    @admin.display(description=_("invoiced"), ordering="invoiced")
    def invoiced_cny(self, obj):
        return format_cny(obj.invoiced)

    @admin.display(description=_("invoiceable"))
    def invoiceable_cny(self, obj):
        return format_cny(obj.invoiceable)

    @admin.display(description=_("invoice debt"))
    def invoice_debt_cny(self, obj):
        return format_cny(obj.invoice_debt)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
