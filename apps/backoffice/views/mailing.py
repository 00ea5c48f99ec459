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
from apps.core.money import format_cny
from apps.invoices.mailing import (
    INVOICE_NUMBER_SEPARATORS_HELP,
    MAILING_CSV_COLUMNS,
    MAILING_CSV_LABELS,
    MAILING_IMPORT_MAX_BYTES,
    MAILING_IMPORT_MAX_ROWS,
    MailingImportReport,
    mailing_csv_text,
    mailing_import_csv,
)
from apps.invoices.models import VENDOR_PAYS_SHIPPING_FROM, Courier, InvoiceRequest, ShippingPayer

from ..forms import MailingImportForm
from .mixins import VendorRequiredMixin


def column_help() -> list[tuple[str, str, str]]:
    """(heading, column code, what it holds) for each column of the file, in the page's language."""
    couriers = ", ".join(value for value in Courier.values if value != Courier.OTHER)
    payers = " / ".join(f"{value} ({label})" for value, label in ShippingPayer.choices)
    descriptions = {
        "request_number": _("The request number, e.g. IR20250926000001."),
        "invoice_numbers": _("The invoice number(s) you issued.") + " " + str(INVOICE_NUMBER_SEPARATORS_HELP),
        "invoice_date": _("The invoice date, YYYY-MM-DD (2025/9/29 as Excel shows it is fine too)."),
        "courier": _(
            "The courier: %(codes)s, or its name as in the courier list; any other name counts as another courier."
        )
        % {"codes": couriers},
        "tracking_number": _("The tracking number; unique per courier."),
        "shipping_payer": _("%(payers)s. Cash on delivery only below %(threshold)s.")
        % {"payers": payers, "threshold": format_cny(VENDOR_PAYS_SHIPPING_FROM)},
    }
    return [(str(MAILING_CSV_LABELS[column]), column, descriptions[column]) for column in MAILING_CSV_COLUMNS]


class MailingImportView(VendorRequiredMixin, View):
    """GET: the columns and the upload form. POST: apply the good rows, list the bad ones; a repeat applies nothing.

    A file that cannot be used at all (unreadable, missing columns, too many rows) is one error next to the file
    field, and nothing is applied."""

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
            report = mailing_import_csv(actor=request.user, vendor=self.vendor, text=text)
        except ApplicationError as error:
            form.add_error("file", str(error.message))
            return self.render_page(form)
        self.summarize(report, upload.name)
        return self.render_page(MailingImportForm(), report=report, file_name=upload.name)

    def summarize(self, report: MailingImportReport, file_name: str) -> None:
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
            text = ngettext(
                "%(count)d row was not applied; it is listed below with the reason and left unchanged.",
                "%(count)d rows were not applied; they are listed below with the reason and left unchanged.",
                errors,
            ) % {"count": errors}
            # Nothing applied at all is a failed upload; some applied and some not is a partial one.
            (messages.warning if applied else messages.error)(self.request, text)

    def render_page(self, form: MailingImportForm, **extra):
        processing = InvoiceRequest.objects.filter(vendor=self.vendor, status=InvoiceRequest.Status.PROCESSING).count()
        context = {
            "form": form,
            "columns": column_help(),
            "processing_count": processing,
            "max_rows": f"{MAILING_IMPORT_MAX_ROWS:,}",
            **extra,
        }
        return render(self.request, self.template_name, context)


class MailingTemplateView(VendorRequiredMixin, View):
    """The CSV template: the column headings in the page's language, and one row per request waiting to be mailed
    with its number filled in."""

    def get(self, request, *args, **kwargs):
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel then reads it as UTF-8
        writer = csv.writer(buffer)
        writer.writerow([str(MAILING_CSV_LABELS[column]) for column in MAILING_CSV_COLUMNS])
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
