"""The request queue: tabs with counts, filters, search, paging; bulk accept; the filtered queue as CSV.

The queue runs a fixed number of queries whatever the page size: counts per status in one query, the overdue count,
the page count and one query for the page's rows (vendor and customer account joined). Working days left are
computed in Python from the mail-by date.
"""

import csv
import math
import re
from collections.abc import Iterator

from django.contrib import messages
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import ListView

from apps.accounts.models import Vendor
from apps.console.views.mixins import safe_next_url
from apps.core.money import format_money
from apps.core.validators import parse_id
from apps.core.workdays import CALENDAR_TIME_ZONE
from apps.invoices.mailing import MAILING_CSV_LABELS
from apps.invoices.models import InvoiceRequest, IssuedInvoice
from apps.invoices.selectors import (
    OPEN_STATUSES,
    deadline_counts_for_staff,
    invoice_requests_for_staff,
    invoice_requests_for_vendor,
    queue_figures_for_vendor,
    status_counts_for_staff,
    status_counts_for_vendor,
)
from apps.invoices.services import invoice_requests_accept_bulk

from ..forms import STATUS_ALL, STATUS_OPEN, QueueFilterForm
from .mixins import BackofficeMixin, VendorRequiredMixin, today, with_deadlines
from .rows import QueueTable

MAX_FAILURES_LISTED = 20
SLA_DAYS = 30  # the vendor's own on-time rate on the queue page covers the last 30 days
FORMULA_START = re.compile(r"^[=+\-@\t\r]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _percent(rate: float) -> str:
    """0.956 -> "95.6%": one decimal, and never 100% while anything was late."""
    return f"{math.floor(rate * 1000) / 10:.1f}%"


def _cell(value: str) -> str:
    """Text a customer typed can start with "=" or "+": Excel would run it as a formula, so it is quoted."""
    if value and FORMULA_START.match(value) and not NUMBER.match(value):
        return "'" + value
    return value


class _FilteredQueueMixin(BackofficeMixin):
    """The filter form and the queryset it selects, shared by the queue page and the CSV export."""

    def get_filter_form(self) -> QueueFilterForm:
        if not hasattr(self, "_filter_form"):
            # Staff choose the vendor; a vendor user sees its own queue only.
            self._vendors = None if self.vendor else list(Vendor.objects.order_by("name"))
            data = self.request.GET if any(self.request.GET.get(name) for name in QueueFilterForm.base_fields) else None
            self._filter_form = QueueFilterForm(data, vendors=self._vendors)
        return self._filter_form

    @property
    def scope_vendor(self) -> Vendor | None:
        """The vendor whose queue is shown: the user's own, or the one staff filtered on (None: every vendor)."""
        if self.vendor is not None:
            return self.vendor
        vendor_id = self.get_filter_form().value("vendor")
        return next((vendor for vendor in self._vendors if vendor.pk == vendor_id), None)

    def filtered_requests(self):
        form = self.get_filter_form()
        if self.vendor is not None:
            invoice_requests = invoice_requests_for_vendor(vendor=self.vendor, **form.filters())
        else:
            invoice_requests = invoice_requests_for_staff(vendor=self.scope_vendor, **form.filters())
        return invoice_requests.order_by(*form.ordering())


class InvoiceRequestQueueView(_FilteredQueueMixin, ListView):
    """开票申请队列: the requests addressed to this vendor (staff: every vendor, read-only).

    It opens on the work still owed, pending and processing, earliest mail-by date (so the overdue ones) first;
    全部 (all) and each status are tabs."""

    template_name = "backoffice/queue.html"
    context_object_name = "requests"
    paginate_by = 25

    def get_queryset(self):
        return self.filtered_requests()

    def status_counts(self) -> dict[str, int]:
        """The tabs' counts (stored counters, one small query), read once per request."""
        if not hasattr(self, "_status_counts"):
            if self.vendor is not None:
                self._status_counts = status_counts_for_vendor(vendor=self.vendor)
            else:
                self._status_counts = status_counts_for_staff(vendor=self.scope_vendor)
        return self._status_counts

    def known_count(self) -> int | None:
        """The number of rows the queue shows when only a tab selects them (the default view, a status, all): the
        tab's count, so the page does not count a large vendor's requests a second time. None with other filters."""
        form = self.get_filter_form()
        filters = form.filters()
        if any(value for name, value in filters.items() if name not in ("status", "open_only")):
            return None
        counts = self.status_counts()
        if filters["status"]:
            return counts[filters["status"]]
        if filters["open_only"]:
            return sum(counts[status] for status in OPEN_STATUSES)
        return sum(counts.values())

    def paginate_queryset(self, queryset, page_size):
        # get_page: a page number past the end (e.g. after accepting the last row of the last page) shows the last
        # page instead of a 404.
        paginator = self.get_paginator(queryset, page_size)
        known = self.known_count()
        if known is not None:
            paginator.count = known  # a cached_property: set, it is not counted again
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter_form()
        scope = self.scope_vendor
        on = today()
        rows = with_deadlines(context["page_obj"], on=on)
        sla = None
        counts = self.status_counts()
        if self.vendor is not None:
            # Cached while none of the vendor's requests changes status (the tab counts are the key).
            figures = queue_figures_for_vendor(vendor=self.vendor, days=SLA_DAYS, status_counts=counts, today=on)
            deadline_counts, sla = figures.deadlines, figures.sla
        else:
            deadline_counts = deadline_counts_for_staff(vendor=scope, today=on)
        context.update(
            filter_form=form,
            filtered=form.is_bound,
            ignored_filters=form.ignored if form.is_bound else [],
            active_filter_count=form.active_filter_count,
            scope_vendor=scope,
            status_tabs=[(value, label, counts[value]) for value, label in InvoiceRequest.Status.choices],
            open_count=sum(counts[status] for status in OPEN_STATUSES),
            total_count=sum(counts.values()),
            overdue_count=deadline_counts.overdue,
            at_risk_count=deadline_counts.at_risk,
            sla=sla,
            sla_rate=_percent(sla.on_time_rate) if sla and sla.on_time_rate is not None else "",
            sla_days=SLA_DAYS,
            current_status=form.status_view,
            status_open=STATUS_OPEN,
            status_all=STATUS_ALL,
            overdue_only=bool(form.value("overdue")),
            at_risk_only=bool(form.value("at_risk")) and not form.value("overdue"),
            rows=rows,
            rows_html=QueueTable(read_only=self.read_only).render(rows),
            today=on,
        )
        return context


class InvoiceRequestBulkAcceptView(VendorRequiredMixin, View):
    """Accept the selected pending requests at once; each one on its own, so one cancelled meanwhile fails alone."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        back = safe_next_url(request) or reverse("backoffice:queue")
        ids = [parse_id(value) for value in request.POST.getlist("request_ids")]
        ids = [invoice_request_id for invoice_request_id in ids if invoice_request_id is not None]
        if not ids:
            messages.warning(request, _("Select at least one pending request to accept."))
            return redirect(back)
        numbers = dict(
            InvoiceRequest.objects.filter(vendor=self.vendor, pk__in=ids).values_list("pk", "number").order_by()
        )
        result = invoice_requests_accept_bulk(actor=request.user, vendor=self.vendor, invoice_request_ids=ids)
        if result.accepted:
            count = len(result.accepted)
            messages.success(
                request,
                ngettext(
                    "Accepted %(count)d request. Mail it by its mail-by date.",
                    "Accepted %(count)d requests. Mail them by their mail-by dates.",
                    count,
                )
                % {"count": count},
            )
        for request_id, message in result.failed[:MAX_FAILURES_LISTED]:
            number = numbers.get(request_id) or f"#{request_id}"
            messages.error(request, _("%(number)s not accepted: %(reason)s") % {"number": number, "reason": message})
        if len(result.failed) > MAX_FAILURES_LISTED:
            rest = len(result.failed) - MAX_FAILURES_LISTED
            messages.error(
                request,
                ngettext(
                    "…and %(count)d more request not accepted.", "…and %(count)d more requests not accepted.", rest
                )
                % {"count": rest},
            )
        return redirect(back)


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Echo:
    """A file-like object whose write() returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


class InvoiceRequestExportView(_FilteredQueueMixin, View):
    """The filtered queue (every matching row, not only one page) as CSV for Excel: UTF-8 with BOM, headings in the
    page's language. The mailing columns carry the mailing import's headings, so an export of the processing tab,
    filled in, can be uploaded as it is."""

    CHUNK_SIZE = 2000

    def get(self, request, *args, **kwargs):
        invoice_requests = self.filtered_requests().prefetch_related(
            Prefetch("issued_invoices", queryset=IssuedInvoice.objects.order_by("id"))
        )
        stamp = timezone.localtime(timezone.now(), CALENDAR_TIME_ZONE).strftime("%Y%m%d-%H%M")
        lines = self._lines(invoice_requests, language=translation.get_language())
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invoice-requests-{stamp}.csv"'
        return response

    def _lines(self, invoice_requests, *, language: str) -> Iterator[str]:
        # The lines are written after the view has returned: the page's language is switched on around each line
        # only, so nothing leaks when the download is interrupted between two lines.
        writer = csv.writer(_Echo())
        on = today()
        with_vendor = self.scope_vendor is None
        with translation.override(language):
            header = writer.writerow(self._headers(with_vendor))
        yield "\ufeff" + header
        for chunk in _chunks(invoice_requests.iterator(chunk_size=self.CHUNK_SIZE), self.CHUNK_SIZE):
            # One working-day calendar per chunk: the queries do not grow with the rows.
            for invoice_request in with_deadlines(chunk, on=on):
                with translation.override(language):
                    line = writer.writerow([_cell(value) for value in self._row(invoice_request, with_vendor)])
                yield line

    @staticmethod
    def _headers(with_vendor: bool) -> list[str]:
        headers = [
            str(MAILING_CSV_LABELS["request_number"]),
            _("Status"),
            _("Submitted"),
            _("Mail by"),
            _("Working days left"),
            # Translators: 寄出期限是否暂定（国务院尚未公布该年节假日安排）
            _("Mail-by date provisional"),
            _("Customer account"),
            _("Title name"),
            _("Taxpayer ID"),
            _("Invoice type"),
            _("Amount"),
            # Translators: 运费规则 (who pays by the amount; the payer the vendor chose is the 实际运费承担 column)
            _("Shipping rule"),
            _("Recipient"),
            _("Mobile"),
            _("Address"),
            _("Postal code"),
            str(MAILING_CSV_LABELS["invoice_numbers"]),
            str(MAILING_CSV_LABELS["invoice_date"]),
            str(MAILING_CSV_LABELS["courier"]),
            str(MAILING_CSV_LABELS["tracking_number"]),
            str(MAILING_CSV_LABELS["shipping_payer"]),
            _("Reason"),
        ]
        return [_("Vendor"), *headers] if with_vendor else headers

    @staticmethod
    def _row(invoice_request: InvoiceRequest, with_vendor: bool) -> list[str]:
        title = invoice_request.title_snapshot or {}
        address = invoice_request.address_snapshot or {}
        row = [
            invoice_request.number or "",
            invoice_request.get_status_display(),
            timezone.localtime(invoice_request.submitted_at, CALENDAR_TIME_ZONE).strftime("%Y-%m-%d %H:%M"),
            invoice_request.dispatch_due_date.isoformat(),
            "" if invoice_request.days_left is None else str(invoice_request.days_left),
            _("Provisional") if invoice_request.dispatch_due_date_provisional else "",
            invoice_request.customer_account.name,
            title.get("name", ""),
            title.get("taxpayer_id", ""),
            invoice_request.get_invoice_type_display(),
            format_money(invoice_request.amount),
            invoice_request.get_shipping_rule_display(),
            address.get("recipient", ""),
            address.get("phone", ""),
            "".join(address.get(part, "") for part in ("province", "city", "district", "street")),
            address.get("postal_code", ""),
            " ".join(invoice.number for invoice in invoice_request.issued_invoices.all()),
            invoice_request.invoice_date.isoformat() if invoice_request.invoice_date else "",
            invoice_request.get_courier_label() if invoice_request.courier else "",
            invoice_request.tracking_number,
            invoice_request.get_shipping_payer_display() if invoice_request.shipping_payer else "",
            invoice_request.status_reason,
        ]
        return [invoice_request.vendor.name, *row] if with_vendor else row
