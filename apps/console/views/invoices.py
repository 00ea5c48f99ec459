"""Customer pages: invoiceable amounts, applying for an invoice, records, detail and cancel.

The views parse input, call a selector or service, and render; every rule lives in `apps.invoices.services`.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import ListView, TemplateView

from apps.accounts.models import InvoiceType
from apps.addresses.selectors import addresses_for_account
from apps.billing.selectors import InvoiceableRow, invoiceable_row, invoiceable_rows
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.money import format_cny
from apps.core.paging import CountedRows
from apps.core.templatetags.frame import url_for_id
from apps.core.templatetags.invoice_tags import days_left_text, overdue_text, status_badge
from apps.core.templatetags.money import money
from apps.core.templatetags.page_dates import ymd, ymd_hm
from apps.core.validators import parse_id
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import (
    Deadline,
    customer_request_count,
    deadline_for,
    deadlines_for,
    invoice_request_for_customer,
    invoice_requests_for_customer,
    vendors_of_customer,
)
from apps.invoices.services import (
    cannot_cancel_message,
    default_invoice_type,
    dispatch_due_date_for,
    invoice_request_cancel,
    invoice_request_check,
    invoice_request_submit,
)
from apps.refunds.models import InvoiceReturn
from apps.titles.selectors import titles_for_account

from ..forms.invoices import ApplyConfirmForm, ApplyForm, CancelForm, RecordFilterForm
from .mixins import CustomerRequiredMixin, add_service_errors
from .refunds import debt_context


def mask_phone(phone: str) -> str:
    """`13812345678` -> `138****5678`: enough to recognise one's own address on a shared screen."""
    digits = phone.removeprefix("+86").strip()
    if len(digits) == 11 and digits.isdigit():
        return f"{digits[:3]}****{digits[-4:]}"
    return phone


@dataclass(frozen=True)
class ProgressStep:
    """One step of submitted → processing → mailing on the detail page."""

    status: str
    label: str
    done: bool
    current: bool
    at: dt.datetime | None
    note: str = ""


def progress_steps(invoice_request: InvoiceRequest, events: list) -> list[ProgressStep]:
    """Where an active request stands: when each step was reached, and what the next one waits for."""
    status = InvoiceRequest.Status
    order = [status.PENDING, status.PROCESSING, status.MAILING]
    position = order.index(invoice_request.status)
    reached = {event.to_status: event.created_at for event in events}
    due = formats.date_format(invoice_request.dispatch_due_date, "Y-m-d")
    return [
        ProgressStep(
            status.PENDING, pgettext("progress step", "Submitted"), True, position == 0, invoice_request.submitted_at
        ),
        ProgressStep(
            status.PROCESSING,
            str(status.PROCESSING.label),
            position >= 1,
            position == 1,
            reached.get(status.PROCESSING),
            "" if position >= 1 else _("Waiting for the vendor to accept"),
        ),
        ProgressStep(
            status.MAILING,
            str(status.MAILING.label),
            position >= 2,
            position == 2,
            invoice_request.mailed_at or reached.get(status.MAILING),
            "" if position >= 2 else _("Mail by %(date)s") % {"date": due},
        ),
    ]


def record_rows(records: list[InvoiceRequest], deadlines: dict[int, Deadline]) -> list[dict]:
    """What templates/console/record_list.html prints for each request, worked out once here: plain values and
    links instead of lookups, filters, includes and reverses repeated in the template for every row."""
    detail_url = url_for_id("console:record_detail")
    cancel_url = url_for_id("console:record_cancel")
    apply_url = url_for_id("console:apply")
    rows = []
    for record in records:
        vendor, deadline, status = record.vendor, deadlines[record.pk], record.status
        row = {
            "pk": str(record.pk),  # text already: a number in a template goes through number formatting
            "number": record.number or str(record.pk),
            "status": status,
            "badge": status_badge(status),
            "overdue": deadline.overdue,
            "submitted": ymd_hm(record.submitted_at),
            "vendor_name": vendor.name,
            "vendor_phone": vendor.contact_phone,
            "vendor_email": vendor.contact_email,
            "vendor_hours": vendor.service_hours,
            "amount": money(record.amount),
            "tracking": record.tracking_number,
            "courier": record.get_courier_label() if record.tracking_number else "",
            "reason": record.status_reason if status == InvoiceRequest.Status.REJECTED else "",
            "detail_url": detail_url(record.pk),
            "cancel_url": "",
            "apply_again_url": "",
            "due_date": "",  # an open request's mail-by date, working days left or how late the vendor is
        }
        if row["reason"]:
            row["reason_short"] = truncatechars(row["reason"], 40)
        if deadline.days_left is not None:
            row["due_date"] = ymd(record.dispatch_due_date)
            row["due_provisional"] = record.dispatch_due_date_provisional
            row["due_today"] = deadline.days_left == 0 and not deadline.overdue
            row["due_days"] = str(deadline.days_left)
            row["due_text"] = overdue_text(deadline) if deadline.overdue else days_left_text(deadline.days_left)
        if record.can_cancel:
            row["cancel_url"] = cancel_url(record.pk)
        elif status in (InvoiceRequest.Status.REJECTED, InvoiceRequest.Status.CANCELLED):
            row["apply_again_url"] = f"{apply_url(record.vendor_id)}?from={record.pk}"
        rows.append(row)
    return rows


def invoiceable_lines(rows: list[InvoiceableRow]) -> list[dict]:
    """What templates/console/invoiceable_list.html prints for each vendor, worked out once here."""
    apply_url = url_for_id("console:apply")
    lines = []
    for row in rows:
        vendor = row.vendor
        lines.append(
            {
                "vendor_pk": str(vendor.pk),
                "vendor_name": vendor.name,
                "vendor_phone": vendor.contact_phone,
                "vendor_email": vendor.contact_email,
                "vendor_hours": vendor.service_hours,
                "consumed": money(row.consumed),
                "refunded": money(row.refunded),
                "invoiced": money(row.invoiced),
                "invoiceable": money(row.invoiceable),
                "formula": row.formula,
                "invoice_debt": money(row.invoice_debt) if row.invoice_debt else "",
                "apply_url": apply_url(vendor.pk) if row.invoiceable > 0 else "",
            }
        )
    return lines


class InvoiceableAmountListView(CustomerRequiredMixin, TemplateView):
    """One row per vendor the account consumed with: what it may still invoice, and how that is computed."""

    template_name = "console/invoiceable_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = invoiceable_rows(customer_account=self.customer_account)
        context["rows"] = invoiceable_lines(rows)
        context.update(debt_context(self.customer_account, rows=rows))  # which invoices to return or cancel, per vendor
        return context


class _InvoiceRequestApplyMixin(CustomerRequiredMixin):
    """Shared by the apply form and its submit: the vendor row (404 without consumption) and the form page."""

    form_template_name = "console/apply_form.html"

    def get_row(self) -> InvoiceableRow:
        row = invoiceable_row(customer_account=self.customer_account, vendor_id=self.kwargs["vendor_id"])
        if row is None:
            raise Http404(_("You have no consumption with this vendor."))
        return row

    def get_previous(self, row: InvoiceableRow) -> InvoiceRequest | None:
        """The account's own earlier request to this vendor named by `?from=` (重新申请), else None; 404 if foreign."""
        raw = self.request.GET.get("from")
        if not raw:
            return None
        try:
            previous = invoice_request_for_customer(
                customer_account=self.customer_account, invoice_request_id=parse_id(raw) or 0
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        if previous.vendor_id != row.vendor.pk:
            raise Http404(_("No such invoice request."))
        return previous

    def render_form(self, row: InvoiceableRow, form: ApplyForm, *, notes: list[str] | None = None):
        titles = list(titles_for_account(customer_account=self.customer_account))
        addresses = list(addresses_for_account(customer_account=self.customer_account))
        previous = self.get_previous(row)
        apply_url = reverse("console:apply", args=[row.vendor.pk])
        if previous is not None:
            # Kept on the form's action, so an error or "Back to edit" still shows what is being applied for again.
            apply_url = f"{apply_url}?{urlencode({'from': previous.pk})}"
        context = {
            "row": row,
            "vendor": row.vendor,
            "form": form,
            "titles": titles,
            "address_choices": [(address, mask_phone(address.phone)) for address in addresses],
            "addresses": addresses,
            "apply_url": apply_url,
            "previous": previous,
            "reapply_notes": notes or [],
            "selected_title": form.value_of("title"),
            "selected_address": form.value_of("address"),
            "selected_invoice_type": form.value_of("invoice_type"),
            "issues_special": InvoiceType.SPECIAL in (row.vendor.supported_invoice_types or []),
        }
        return render(self.request, self.form_template_name, context)

    def initial_again(self, row: InvoiceableRow, previous: InvoiceRequest, initial: dict) -> tuple[dict, list[str]]:
        """Prefill from an earlier request: what still holds is kept, what no longer does is said in a note."""
        initial = dict(initial)
        notes = []
        if previous.amount <= row.invoiceable:
            initial["amount"] = f"{previous.amount:.2f}"
        elif row.invoiceable > 0:
            notes.append(
                _("You applied for %(before)s before; at most %(now)s can be invoiced with this vendor now.")
                % {"before": format_cny(previous.amount), "now": format_cny(row.invoiceable)}
            )
        if previous.invoice_type in (row.vendor.supported_invoice_types or []):
            initial["invoice_type"] = previous.invoice_type
        title_ids = {title.pk for title in titles_for_account(customer_account=self.customer_account)}
        if previous.title_id in title_ids:
            initial["title"] = str(previous.title_id)
        else:
            notes.append(_("The invoice title used before no longer exists: choose another one."))
        address_ids = {address.pk for address in addresses_for_account(customer_account=self.customer_account)}
        if previous.address_id in address_ids:
            initial["address"] = str(previous.address_id)
        else:
            notes.append(_("The mailing address used before no longer exists: choose another one."))
        return initial, notes

    def initial_for(self, row: InvoiceableRow) -> dict:
        titles = list(titles_for_account(customer_account=self.customer_account))
        addresses = list(addresses_for_account(customer_account=self.customer_account))
        title = next((title for title in titles if title.is_default), titles[0] if titles else None)
        address = next((address for address in addresses if address.is_default), addresses[0] if addresses else None)
        return {
            "invoice_type": default_invoice_type(row.vendor),
            "title": str(title.pk) if title else "",
            "address": str(address.pk) if address else "",
        }


class InvoiceRequestApplyView(_InvoiceRequestApplyMixin, View):
    """GET: the application form. POST: check it and show the confirmation page (or the form with errors)."""

    def get(self, request, vendor_id: int):
        row = self.get_row()
        initial, notes = self.initial_for(row), []
        previous = self.get_previous(row)
        if previous is not None:
            initial, notes = self.initial_again(row, previous, initial)
        form = ApplyForm(vendor=row.vendor, customer_account=self.customer_account, initial=initial)
        return self.render_form(row, form, notes=notes)

    def post(self, request, vendor_id: int):
        row = self.get_row()
        form = ApplyForm(request.POST, vendor=row.vendor, customer_account=self.customer_account)
        if "edit" in request.POST or not form.is_valid():
            # "Back to edit" from the confirmation page: the form again, with what the user chose.
            return self.render_form(row, form)
        try:
            checked = invoice_request_check(customer_account=self.customer_account, **form.service_kwargs())
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_form(row, form)
        confirm_form = ApplyConfirmForm(
            initial={
                "amount": f"{checked.amount:.2f}",
                "invoice_type": checked.invoice_type,
                "title": checked.title.pk,
                "address": checked.address.pk,
                "idempotency_key": uuid.uuid4().hex,
            }
        )
        # An unsaved request only to ask the model who pays shipping for this amount.
        preview = InvoiceRequest(amount=checked.amount, invoice_type=checked.invoice_type)
        context = {
            "row": row,
            "vendor": row.vendor,
            "amount": checked.amount,
            "title": checked.title,
            "address": checked.address,
            "invoice_type_label": preview.get_invoice_type_display(),
            "shipping_rule": preview.shipping_rule,
            # The mail-by date if submitted now; "provisional" when counted over a year with no schedule yet.
            "dispatch_due_date": (due := dispatch_due_date_for(timezone.now())).date,
            "dispatch_due_date_provisional": due.provisional,
            "confirm_form": confirm_form,
            "apply_url": reverse("console:apply", args=[row.vendor.pk]),
        }
        return render(request, "console/apply_confirm.html", context)


class InvoiceRequestConfirmView(_InvoiceRequestApplyMixin, View):
    """Submit a confirmed application. The idempotency key makes a double click create one request only."""

    def get(self, request, vendor_id: int):
        # Nothing to submit without the confirmation page's form (e.g. after logging in again): start over.
        self.get_row()
        return redirect("console:apply", vendor_id=vendor_id)

    def post(self, request, vendor_id: int):
        row = self.get_row()
        confirm_form = ApplyConfirmForm(request.POST)
        confirm_form.is_valid()
        data = getattr(confirm_form, "cleaned_data", {})
        # The confirmed values are read like the form's (so a changed hidden field is told next to its field).
        form = ApplyForm(
            {name: data.get(name) or "" for name in ("amount", "invoice_type", "title", "address")},
            vendor=row.vendor,
            customer_account=self.customer_account,
        )
        if not form.is_valid():
            return self.render_form(row, form)
        try:
            invoice_request, _created = invoice_request_submit(
                actor=request.user,
                customer_account=self.customer_account,
                idempotency_key=data.get("idempotency_key") or "",
                **form.service_kwargs(),
            )
        except ApplicationError as error:
            # E.g. the cap was used up in another tab meanwhile: back to the form, message next to the field.
            add_service_errors(form, error)
            return self.render_form(row, form)
        messages.success(
            request,
            _("Submitted. %(vendor)s mails it by %(date)s.")
            % {
                "vendor": invoice_request.vendor.name,
                "date": formats.date_format(invoice_request.dispatch_due_date, "Y-m-d"),
            },
        )
        return HttpResponseRedirect(reverse("console:record_detail", args=[invoice_request.pk]))


class InvoiceRequestListView(CustomerRequiredMixin, ListView):
    """The account's requests, newest first, filtered by status, vendor and submission dates."""

    template_name = "console/record_list.html"
    context_object_name = "records"
    paginate_by = 20

    def get_filter_form(self) -> RecordFilterForm:
        if not hasattr(self, "_filter_form"):
            vendors = list(vendors_of_customer(customer_account=self.customer_account))
            data = (
                self.request.GET if any(self.request.GET.get(name) for name in RecordFilterForm.base_fields) else None
            )
            self._filter_form = RecordFilterForm(data, vendors=vendors)
        return self._filter_form

    def get_queryset(self):
        filters = self.get_filter_form().filters()
        return invoice_requests_for_customer(customer_account=self.customer_account, **filters)

    def paginate_queryset(self, queryset, page_size):
        # Filtered by status at most: the list's size from the counters the database keeps, not a COUNT(*) over a
        # busy account's 10,000 requests on every view.
        filters = self.get_filter_form().filters()
        if not any(value for name, value in filters.items() if name != "status"):
            count = customer_request_count(customer_account=self.customer_account, status=filters.get("status"))
            queryset = CountedRows(queryset, count=count)
        # A stale link (?page=99 after requests were filtered or cancelled away) shows the last page, not a 404.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter_form()
        context["filter_form"] = form
        context["filtered"] = form.is_bound
        context["ignored_filters"] = form.ignored
        # Mail-by dates with working days left, or how late the vendor is: one calendar for the whole page.
        records = list(context["records"])
        context["records"] = records
        context["rows"] = record_rows(records, deadlines_for(records))
        context.update(debt_context(self.customer_account))
        return context


class _InvoiceRequestMixin(CustomerRequiredMixin):
    def get_invoice_request(self) -> InvoiceRequest:
        try:
            return invoice_request_for_customer(
                customer_account=self.customer_account, invoice_request_id=self.kwargs["pk"]
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error


class InvoiceRequestDetailView(_InvoiceRequestMixin, TemplateView):
    """Status, amounts, snapshots, vendor contact and the timeline of one request."""

    template_name = "console/record_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice_request = self.get_invoice_request()
        events = list(invoice_request.events.all())
        can_cancel = invoice_request.can_cancel
        context.update(
            record=invoice_request,
            status_badge=status_badge(invoice_request.status),  # shown twice
            events=events,
            can_cancel=can_cancel,
            progress=progress_steps(invoice_request, events) if invoice_request.is_active else [],
            deadline=deadline_for(invoice_request),
            # Processing or mailing: why it cannot be cancelled here and whom to contact, shown only on request.
            cannot_cancel=cannot_cancel_message(invoice_request)
            if invoice_request.is_active and not can_cancel
            else "",
        )
        # Returns (退票) of this request and its support tickets; a processing or mailing one can be returned.
        context["returns"] = list(invoice_request.returns.all())
        context["tickets"] = list(invoice_request.tickets.all())
        context["can_return"] = invoice_request.status in (
            InvoiceRequest.Status.PROCESSING,
            InvoiceRequest.Status.MAILING,
        ) and not any(r.status in InvoiceReturn.OPEN_STATUSES for r in context["returns"])
        if can_cancel:
            context["cancel_url"] = url_for_id("console:record_cancel")(invoice_request.pk)
        if context["can_return"]:
            context["return_url"] = url_for_id("console:return_request")(invoice_request.pk)
        if invoice_request.status in (InvoiceRequest.Status.REJECTED, InvoiceRequest.Status.CANCELLED):
            apply_url = url_for_id("console:apply")(invoice_request.vendor_id)
            context["apply_again_url"] = f"{apply_url}?{urlencode({'from': invoice_request.pk})}"
        return context


class InvoiceRequestCancelView(_InvoiceRequestMixin, View):
    """GET: ask for confirmation (or explain why it cannot be cancelled). POST: cancel a pending request."""

    template_name = "console/record_cancel.html"

    def get(self, request, pk: int):
        return self.render_page(self.get_invoice_request(), CancelForm())

    def post(self, request, pk: int):
        invoice_request = self.get_invoice_request()
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render_page(invoice_request, form)
        try:
            invoice_request = invoice_request_cancel(
                actor=request.user,
                customer_account=self.customer_account,
                invoice_request_id=invoice_request.pk,
                reason=form.cleaned_data["reason"],
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ConflictError as error:
            # E.g. the vendor accepted it meanwhile.
            messages.error(request, str(error.message))
            return redirect("console:record_detail", pk=invoice_request.pk)
        except ApplicationError as error:
            add_service_errors(form, error)  # e.g. a reason over the length limit, next to the field
            return self.render_page(invoice_request, form)
        messages.success(
            request,
            _("Cancelled. %(amount)s is invoiceable again with %(vendor)s.")
            % {"amount": format_cny(invoice_request.amount), "vendor": invoice_request.vendor.name},
        )
        return redirect("console:record_detail", pk=invoice_request.pk)

    def render_page(self, invoice_request: InvoiceRequest, form: CancelForm):
        can_cancel = invoice_request.can_cancel
        context = {
            "record": invoice_request,
            "form": form,
            "can_cancel": can_cancel,
            "cannot_cancel": "" if can_cancel else cannot_cancel_message(invoice_request),
        }
        return render(self.request, self.template_name, context)
