from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.core.admin import ReadOnlyAdmin, when_column

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: what was sent to whom, and whether the e-mail went out."""

    list_display = ["recipient", "kind", "invoice_request", "email_status", when_column("created_at", _("time"))]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__username", "event_key", "invoice_request__number"]
    list_select_related = ["recipient", "invoice_request"]
