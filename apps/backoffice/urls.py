from django.urls import path

from .views import mailing, profile, queue, requests

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
    # Mailing information from a CSV file (apps/backoffice/views/mailing.py)
    path("mailing-import/", mailing.MailingImportView.as_view(), name="mailing_import"),
    path("mailing-import/template.csv", mailing.MailingTemplateView.as_view(), name="mailing_template"),
    # The vendor's contact details (apps/backoffice/views/profile.py)
    path("profile/", profile.VendorProfileView.as_view(), name="profile"),
]
