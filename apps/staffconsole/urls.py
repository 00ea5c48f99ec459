from django.urls import path

from .views import calendar, findings, overdue, tickets, vendors, withdrawals

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
    # Support tickets: queue, detail with reply and the request's history, assign to me, void (views/tickets.py)
    path("tickets/", tickets.TicketListView.as_view(), name="tickets"),
    path("tickets/<int:pk>/", tickets.TicketDetailView.as_view(), name="ticket_detail"),
    path("tickets/<int:pk>/assign/", tickets.TicketAssignView.as_view(), name="ticket_assign"),
    path("tickets/<int:pk>/resolve/", tickets.TicketResolveView.as_view(), name="ticket_resolve"),
    path("tickets/<int:pk>/void/", tickets.TicketVoidView.as_view(), name="ticket_void"),
    path("tickets/attachments/<int:pk>/", tickets.TicketAttachmentView.as_view(), name="ticket_attachment"),
    # Withdrawals: queue, pay, reject with a reason (views/withdrawals.py)
    path("withdrawals/", withdrawals.WithdrawalListView.as_view(), name="withdrawals"),
    path("withdrawals/<int:pk>/pay/", withdrawals.WithdrawalPayView.as_view(), name="withdrawal_pay"),
    path("withdrawals/<int:pk>/reject/", withdrawals.WithdrawalRejectView.as_view(), name="withdrawal_reject"),
]
