from django.apps import apps
from django.contrib import admin
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditLog, CalendarOverride

# The admin keeps the raw data; staff work in the staff console (/staff/), which its "View site" link opens.
admin.site.site_title = _("Invoicing Console")
admin.site.site_header = _("Invoicing Console")
admin.site.index_title = _("Marketplace administration")
admin.site.site_url = reverse_lazy("staffconsole:overdue")
# The change lists need the full width of a 1366 px screen; the index page and breadcrumbs lead to every model.
admin.site.enable_nav_sidebar = False


def when_column(field: str, description, *, date_only: bool = False):
    """A change-list column showing `field` as `YYYY-MM-DD HH:mm` in Asia/Shanghai (dates as `YYYY-MM-DD`), the form
    staff see everywhere else, instead of the locale's long form ("Dec. 2, 2026, 12:17 p.m.")."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        value = getattr(obj, field)
        if value is None:
            return "-"
        return value.strftime("%Y-%m-%d") if date_only else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    column.__name__ = f"{field}_when"
    return column


# What the services write in AuditLog.action, as staff read it.
AUDIT_ACTION_LABELS = {
    "title_created": _("Invoice title added"),
    "title_updated": _("Invoice title changed"),
    "title_deleted": _("Invoice title deleted"),
    "title_set_default": _("Default invoice title chosen"),
    "address_created": _("Mailing address added"),
    "address_updated": _("Mailing address changed"),
    "address_deleted": _("Mailing address deleted"),
    "address_set_default": _("Default mailing address chosen"),
    "vendor_created": _("Vendor added"),
    "vendor_renamed": _("Vendor renamed"),
    "vendor_profile_updated": _("Vendor contact details changed"),
    "refund_requested": _("Refund requested"),
    "refund_approved": _("Refund approved"),
    "refund_rejected": _("Refund rejected"),
    "refund_posted": _("Approved refund posted by billing"),
    "withdrawal_requested": _("Withdrawal requested"),
    "withdrawal_paid": _("Withdrawal paid"),
    "withdrawal_rejected": _("Withdrawal rejected"),
}


def _model_label(label_lower: str) -> str:
    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(AUDIT_ACTION_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = AuditLog.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
        return [(label_lower, _model_label(label_lower)) for label_lower in types]

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class ReadOnlyAdminMixin:
    """Nothing here is added, edited or deleted by hand: the services own every write (also for inlines)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows staff may look at but never add, change or delete here."""


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit trail: who changed what and when. Written by the services, never edited or deleted."""

    list_display = (when_column("created_at", _("time")), "actor", "action_label", "object_label", "object_id")
    list_filter = (ActionFilter, ObjectTypeFilter)
    search_fields = ("object_id", "action", "actor__username")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action_label", "object_label", "object_id", "changes")
    readonly_fields = ("action_label", "object_label")

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return AUDIT_ACTION_LABELS.get(obj.action, obj.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_label(self, obj):
        return _model_label(obj.object_type)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ReadOnlyAdmin):
    """Raw rows; staff edit the calendar in the staff console, which also recomputes open requests' due dates."""

    list_display = ["date", "kind", "note", when_column("created_at", _("created"))]
    list_filter = ["kind"]
    search_fields = ["note"]
    date_hierarchy = "date"
