from django.urls import path

from .views import addresses, invoices, refunds, titles

app_name = "console"

urlpatterns = [
    # Invoiceable amounts, applying, records (apps/console/views/invoices.py)
    path("", invoices.InvoiceableAmountListView.as_view(), name="invoiceable"),
    path("apply/<int:vendor_id>/", invoices.InvoiceRequestApplyView.as_view(), name="apply"),
    path("apply/<int:vendor_id>/confirm/", invoices.InvoiceRequestConfirmView.as_view(), name="apply_confirm"),
    path("records/", invoices.InvoiceRequestListView.as_view(), name="records"),
    path("records/<int:pk>/", invoices.InvoiceRequestDetailView.as_view(), name="record_detail"),
    path("records/<int:pk>/cancel/", invoices.InvoiceRequestCancelView.as_view(), name="record_cancel"),
    # Invoice titles (apps/console/views/titles.py)
    path("titles/", titles.TitleListView.as_view(), name="titles"),
    path("titles/add/", titles.TitleCreateView.as_view(), name="title_add"),
    path("titles/<int:pk>/edit/", titles.TitleUpdateView.as_view(), name="title_edit"),
    path("titles/<int:pk>/delete/", titles.TitleDeleteView.as_view(), name="title_delete"),
    path("titles/<int:pk>/default/", titles.TitleSetDefaultView.as_view(), name="title_set_default"),
    # Mailing addresses (apps/console/views/addresses.py)
    path("addresses/", addresses.AddressListView.as_view(), name="addresses"),
    path("addresses/add/", addresses.AddressCreateView.as_view(), name="address_add"),
    path("addresses/<int:pk>/edit/", addresses.AddressUpdateView.as_view(), name="address_edit"),
    path("addresses/<int:pk>/delete/", addresses.AddressDeleteView.as_view(), name="address_delete"),
    path("addresses/<int:pk>/default/", addresses.AddressSetDefaultView.as_view(), name="address_set_default"),
    # Refunds, invoice debt, returns, support tickets, withdrawals (apps/console/views/refunds.py)
    path("refunds/", refunds.RefundListView.as_view(), name="refunds"),
    path("invoice-debt/", refunds.InvoiceDebtView.as_view(), name="debt"),
    path("records/<int:pk>/return/", refunds.ReturnRequestView.as_view(), name="return_request"),
    path("returns/<int:pk>/", refunds.ReturnDetailView.as_view(), name="return_detail"),
    path("tickets/", refunds.TicketListView.as_view(), name="tickets"),
    path("tickets/new/", refunds.TicketCreateView.as_view(), name="ticket_new"),
    path("tickets/<int:pk>/", refunds.TicketDetailView.as_view(), name="ticket_detail"),
    path("tickets/attachments/<int:attachment_id>/", refunds.TicketAttachmentView.as_view(), name="ticket_attachment"),
    path("withdrawals/", refunds.WithdrawalView.as_view(), name="withdrawals"),
]
