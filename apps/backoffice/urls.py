from django.urls import path

from .views import mailing, profile, queue, refunds, requests, returns

app_name = "backoffice"

urlpatterns = [
    # The queue, bulk accept and CSV export (apps/backoffice/views/queue.py)
    path("", queue.InvoiceRequestQueueView.as_view(), name="queue"),
    path("bulk-accept/", queue.InvoiceRequestBulkAcceptView.as_view(), name="bulk_accept"),
    path("export.csv", queue.InvoiceRequestExportView.as_view(), name="export"),
    # One request: detail, accept, reject, mark mailed (apps/backoffice/views/requests.py)
    path("requests/<int:pk>/", requests.InvoiceRequestDetailView.as_view(), name="detail"),
    path("requests/<int:pk>/accept/", requests.InvoiceRequestAcceptView.as_view(), name="accept"),
    path("requests/<int:pk>/reject/", requests.InvoiceRequestRejectView.as_view(), name="reject"),
    path("requests/<int:pk>/mail/", requests.InvoiceRequestMailView.as_view(), name="mail"),
    path("requests/<int:pk>/reopen/", returns.InvoiceRequestReopenView.as_view(), name="reopen"),
    # Refund requests (apps/backoffice/views/refunds.py)
    path("refunds/", refunds.RefundQueueView.as_view(), name="refunds"),
    path("refunds/<int:pk>/", refunds.RefundDetailView.as_view(), name="refund_detail"),
    path("refunds/<int:pk>/approve/", refunds.RefundApproveView.as_view(), name="refund_approve"),
    path("refunds/<int:pk>/reject/", refunds.RefundRejectView.as_view(), name="refund_reject"),
    # Invoice returns (apps/backoffice/views/returns.py)
    path("returns/", returns.ReturnQueueView.as_view(), name="returns"),
    path("returns/<int:pk>/", returns.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/<int:pk>/agree/", returns.ReturnAgreeView.as_view(), name="return_agree"),
    path("returns/<int:pk>/decline/", returns.ReturnDeclineView.as_view(), name="return_decline"),
    path("returns/<int:pk>/receive/", returns.ReturnReceiveView.as_view(), name="return_receive"),
    # Mailing information from a CSV file (apps/backoffice/views/mailing.py)
    path("mailing-import/", mailing.MailingImportView.as_view(), name="mailing_import"),
    path("mailing-import/template.csv", mailing.MailingTemplateView.as_view(), name="mailing_template"),
    # The vendor's contact details (apps/backoffice/views/profile.py)
    path("profile/", profile.VendorProfileView.as_view(), name="profile"),
]
