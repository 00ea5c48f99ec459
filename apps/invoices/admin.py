from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin, when_column
from apps.core.errors import ApplicationError
from apps.core.money import format_cny
from apps.titles.models import InvoiceTitle

from .models import (
    STATUS_REASON_MAX_LENGTH,
    AuditFinding,
    CustomerStatusCount,
    InvoiceEvent,
    InvoiceRequest,
    IssuedInvoice,
    VendorStatusCount,
)
from .services import invoice_request_cancel

TITLE_SNAPSHOT_LABELS = (
    ("kind", _("title type")),
    ("name", _("title name")),
    ("taxpayer_id", _("taxpayer ID")),
    ("taxpayer_id_verified", _("taxpayer ID verified")),
    ("registered_address", _("registered address")),
    ("registered_phone", _("registered phone")),
    ("bank_name", _("bank name")),
    ("bank_account", _("bank account")),
)
ADDRESS_SNAPSHOT_LABELS = (
    ("recipient", _("recipient")),
    ("phone", _("mobile")),
    ("province", _("province")),
    ("city", _("city")),
    ("district", _("district")),
    ("street", _("street address")),
    ("postal_code", _("postal code")),
)


def _snapshot_value(key: str, value):
    """What staff read: the title type's label and yes/no, not the stored `company` or `True`."""
    if key == "kind" and value in InvoiceTitle.Kind.values:
        return InvoiceTitle.Kind(value).label
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _snapshot_table(snapshot: dict, labels) -> str:
    rows = [
        (label, _snapshot_value(key, snapshot.get(key)))
        for key, label in labels
        if snapshot.get(key, "") not in ("", None)
    ]
    return format_html_join("\n", "<div><strong>{}</strong>: {}</div>", rows) or "-"


class InvoiceEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceEvent
    fields = ("created_at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("status change")
    verbose_name_plural = _("timeline")


class IssuedInvoiceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IssuedInvoice
    fields = ("number", "vendor", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View-only. Requests are created by `invoice_request_submit` and change status only through the services
    (which lock the row, move the money and write the timeline), so the status can never be set here. Staff can
    cancel pending requests with the action, which calls `invoice_request_cancel`."""

    list_display = (
        "number",
        "customer_account",
        "vendor",
        "amount_cny",
        "status",
        "invoice_type",
        when_column("submitted_at", _("submitted at")),
        when_column("dispatch_due_date", _("mail by"), date_only=True),
    )
    list_filter = ("status", "vendor", "invoice_type", "submitted_at")
    search_fields = (
        "number",
        "customer_account__name",
        "vendor__name",
        "title_snapshot__name",
        "title_snapshot__taxpayer_id",
        "tracking_number",
        "issued_invoices__number",
    )
    list_select_related = ("customer_account", "vendor")
    date_hierarchy = "submitted_at"
    actions = ("cancel_selected",)
    inlines = (IssuedInvoiceInline, InvoiceEventInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "status_reason",
                    "customer_account",
                    "submitted_by",
                    "vendor",
                    "amount_cny",
                    "invoice_type",
                    "shipping",
                    "submitted_at",
                    "dispatch_due_date",
                )
            },
        ),
        (
            _("Mailing"),
            {
                "fields": (
                    "invoice_date",
                    "courier_label",
                    "tracking_number",
                    "shipping_payer",
                    "mailed_at",
                )
            },
        ),
        (_("Invoice title as submitted"), {"fields": ("title_details",)}),
        (_("Mailing address as submitted"), {"fields": ("address_details",)}),
        (_("Technical"), {"classes": ("collapse",), "fields": ("title", "address", "idempotency_key", "updated_at")}),
    )
    readonly_fields = ("amount_cny", "shipping", "courier_label", "title_details", "address_details")

    @admin.display(description=_("amount"), ordering="amount")
    def amount_cny(self, obj):
        return format_cny(obj.amount)

    @admin.display(description=_("shipping rule"))
    def shipping(self, obj):
        return obj.get_shipping_rule_display()

    @admin.display(description=_("courier"))
    def courier_label(self, obj):
        return obj.get_courier_label() if obj.courier else "-"

    @admin.display(description=_("title as submitted"))
    def title_details(self, obj):
        return _snapshot_table(obj.title_snapshot or {}, TITLE_SNAPSHOT_LABELS)

    @admin.display(description=_("address as submitted"))
    def address_details(self, obj):
        return _snapshot_table(obj.address_snapshot or {}, ADDRESS_SNAPSHOT_LABELS)

    def has_cancel_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @admin.action(description=_("Cancel selected pending requests"), permissions=["cancel"])
    def cancel_selected(self, request, queryset):
        """Ask for confirmation and a reason, then cancel each request through the service."""
        selected = list(queryset.select_related("customer_account", "vendor").order_by("pk"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Cancel invoice requests"),
                "subtitle": None,
                "opts": self.opts,
                "requests": selected,
                "pending_count": sum(1 for item in selected if item.can_cancel),
                "reason_max_length": STATUS_REASON_MAX_LENGTH,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_name": "cancel_selected",
                "media": self.media,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "admin/invoices/invoicerequest/cancel_selected_confirmation.html", context)

        # The form's textarea stops at the limit; a longer reason from elsewhere is cut, not refused per request.
        reason = (request.POST.get("reason") or "").strip()[:STATUS_REASON_MAX_LENGTH] or str(
            _("Cancelled by marketplace staff.")
        )
        cancelled = 0
        for item in selected:
            try:
                invoice_request_cancel(
                    actor=request.user,
                    customer_account=item.customer_account,
                    invoice_request_id=item.pk,
                    reason=reason,
                )
            except ApplicationError as error:
                self.message_user(request, f"{item}: {error.message}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "Cancelled %(count)d request; its amount can be invoiced again.",
                    "Cancelled %(count)d requests; their amounts can be invoiced again.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )
        return None


@admin.register(InvoiceEvent)
class InvoiceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The timeline of every request: who changed which status, when and why. Never edited or deleted."""

    list_display = (when_column("created_at", _("time")), "request", "actor", "from_status", "to_status", "reason")
    list_filter = ("to_status", "from_status")
    search_fields = ("request__number", "actor__username", "reason")
    list_select_related = ("request", "actor")
    date_hierarchy = "created_at"
    fields = ("request", "created_at", "actor", "from_status", "to_status", "reason")


@admin.register(IssuedInvoice)
class IssuedInvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Invoice numbers vendors issued; written only when a request is marked mailed."""

    list_display = ("number", "vendor", "request", when_column("created_at", _("recorded")))
    list_filter = ("vendor",)
    search_fields = ("number", "request__number")
    list_select_related = ("vendor", "request")
    fields = ("number", "vendor", "request", "created_at")


@admin.register(AuditFinding)
class AuditFindingAdmin(ReadOnlyAdmin):
    """Read-only: staff acknowledge findings in the staff console."""

    list_display = [
        "key",
        "kind",
        when_column("found_at", _("found at")),
        when_column("acknowledged_at", _("acknowledged at")),
    ]
    list_filter = ["kind"]
    search_fields = ["key", "invoice_request__number"]
    list_select_related = ["invoice_request"]


@admin.register(VendorStatusCount)
class VendorStatusCountAdmin(ReadOnlyAdmin):
    """Requests per vendor and status, kept by the database (the queue's tabs); never edited here."""

    list_display = ("vendor", "status", "count")
    list_filter = ("status",)
    list_select_related = ("vendor",)


@admin.register(CustomerStatusCount)
class CustomerStatusCountAdmin(ReadOnlyAdmin):
    """Requests per customer account and status, kept by the database (the records list's size); never edited."""

    list_display = ("customer_account", "status", "count")
    list_filter = ("status",)
    list_select_related = ("customer_account",)
