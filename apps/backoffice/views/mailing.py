"""Mailing information from a CSV file: a page with the columns, a template to download, and a per-row report."""

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from apps.core.errors import ApplicationError
from apps.invoices.mailing import MAILING_CSV_COLUMNS, MAILING_IMPORT_MAX_BYTES, mailing_csv_text, mailing_import_csv
from apps.invoices.models import Courier, InvoiceRequest

from ..forms import MailingImportForm
from .mixins import VendorRequiredMixin


def column_help() -> list[tuple[str, str]]:
    """What each column of the file holds, in the page's language."""
    couriers = ", ".join(value for value in Courier.values if value != Courier.OTHER)
    return [
        ("request_number", _("The request number, e.g. IR20250926000001.")),
        ("invoice_numbers", _("The invoice number(s) you issued; several separated by spaces or semicolons.")),
        ("invoice_date", _("The invoice date, YYYY-MM-DD.")),
        (
            "courier",
            _("The courier: %(codes)s, or its name as in the courier list; any other name counts as another courier.")
            % {"codes": couriers},
        ),
        ("tracking_number", _("The tracking number; unique per courier.")),
        ("shipping_payer", _("vendor (寄付) or recipient (到付). Cash on delivery only below ¥50.00.")),
    ]


class MailingImportView(VendorRequiredMixin, View):
    """GET: the columns and the upload form. POST: apply the good rows, list the bad ones; a repeat applies nothing."""

    template_name = "backoffice/mailing_import.html"

    def get(self, request, *args, **kwargs):
        return self.render_page(MailingImportForm())

    def post(self, request, *args, **kwargs):
        form = MailingImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form)
        upload = form.cleaned_data["file"]
        try:
            text = mailing_csv_text(upload.read(MAILING_IMPORT_MAX_BYTES + 1))
        except ApplicationError as error:
            form.add_error("file", str(error.message))
            return self.render_page(form)
        report = mailing_import_csv(actor=request.user, vendor=self.vendor, text=text)
        self.summarize(report, upload.name)
        return self.render_page(MailingImportForm(), report=report, file_name=upload.name)

    def summarize(self, report, file_name: str) -> None:
        applied, errors = len(report.applied), len(report.errors)
        if applied:
            messages.success(
                self.request,
                ngettext(
                    "%(count)d request marked mailed from %(file)s.",
                    "%(count)d requests marked mailed from %(file)s.",
                    applied,
                )
                % {"count": applied, "file": file_name},
            )
        elif report.unchanged and not errors:
            messages.info(
                self.request, _("Nothing new in %(file)s: every row was already applied.") % {"file": file_name}
            )
        elif not errors:
            messages.warning(self.request, _("%(file)s has no rows under its header line.") % {"file": file_name})
        if errors:
            messages.error(
                self.request,
                ngettext(
                    "%(count)d row was not applied; it is listed below with the reason and left unchanged.",
                    "%(count)d rows were not applied; they are listed below with the reason and left unchanged.",
                    errors,
                )
                % {"count": errors},
            )

    def render_page(self, form: MailingImportForm, **extra):
        processing = InvoiceRequest.objects.filter(vendor=self.vendor, status=InvoiceRequest.Status.PROCESSING).count()
        context = {"form": form, "columns": column_help(), "processing_count": processing, **extra}
        return render(self.request, self.template_name, context)


class MailingTemplateView(VendorRequiredMixin, View):
    """The CSV template: the columns, and one row per request waiting to be mailed with its number filled in."""

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel then reads it as UTF-8
        writer = csv.writer(buffer)
        writer.writerow(MAILING_CSV_COLUMNS)
        numbers = (
            InvoiceRequest.objects.filter(vendor=self.vendor, status=InvoiceRequest.Status.PROCESSING)
            .order_by("dispatch_due_date", "id")
            .values_list("number", flat=True)
        )
        for number in numbers.iterator():
            writer.writerow([number, "", "", "", "", ""])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mailing-template.csv"'
        return response
