from django.urls import path

from .views import calendar, findings, overdue, vendors

app_name = "staffconsole"

# Each section's pages live in views/<section>.py and have an entry in menu.py.
urlpatterns = [
    # Overdue requests across vendors (views/overdue.py)
    path("", overdue.OverdueRequestListView.as_view(), name="overdue"),
    # Vendors' on-time mailing rate and breaches (views/vendors.py)
    path("vendors/", vendors.VendorSlaListView.as_view(), name="vendors"),
    # Audit findings to acknowledge (views/findings.py)
    path("findings/", findings.AuditFindingListView.as_view(), name="findings"),
    path("findings/<int:pk>/acknowledge/", findings.AuditFindingAcknowledgeView.as_view(), name="finding_acknowledge"),
    # The working-day calendar: overrides per year, add, bulk import, edit, delete (views/calendar.py)
    path("calendar/", calendar.CalendarView.as_view(), name="calendar"),
    path("calendar/import/", calendar.CalendarImportView.as_view(), name="calendar_import"),
    path("calendar/<int:pk>/edit/", calendar.CalendarOverrideEditView.as_view(), name="calendar_edit"),
    path("calendar/<int:pk>/delete/", calendar.CalendarOverrideDeleteView.as_view(), name="calendar_delete"),
]
