"""Customer pages: invoiceable amounts, applying for an invoice, records, detail and cancel.

The views parse input, call a selector or service, and render; every rule lives in `apps.invoices.services`.
"""

import uuid

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView
from django_fsm import can_proceed

from apps.accounts.models import InvoiceType
from apps.addresses.selectors import addresses_for_account
from apps.billing.selectors import InvoiceableRow, invoiceable_row, invoiceable_rows
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import invoice_request_for_customer, invoice_requests_for_customer, vendors_of_customer
from apps.invoices.services import (
    cannot_cancel_message,
    dispatch_due_date_for,
    invoice_request_cancel,
    invoice_request_check,
    invoice_request_submit,
)
from apps.titles.selectors import titles_for_account

from ..forms.invoices import ApplyConfirmForm, ApplyForm, CancelForm, RecordFilterForm
from ..templatetags.money import money
from .mixins import CustomerRequiredMixin, add_service_errors


class InvoiceableListView(CustomerRequiredMixin, TemplateView):
    """One row per vendor the account consumed with: what it may still invoice, and how that is computed."""

    template_name = "console/invoiceable_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = invoiceable_rows(customer_account=self.customer_account)
        return context


class _ApplyMixin(CustomerRequiredMixin):
    """Shared by the apply form and its submit: the vendor row (404 without consumption) and the form page."""

    form_template_name = "console/apply_form.html"

    def get_row(self) -> InvoiceableRow:
        row = invoiceable_row(customer_account=self.customer_account, vendor_id=self.kwargs["vendor_id"])
        if row is None:
            raise Http404(_("You have no consumption with this vendor."))
        return row

    def render_form(self, row: InvoiceableRow, form: ApplyForm):
        titles = list(titles_for_account(customer_account=self.customer_account))
        addresses = list(addresses_for_account(customer_account=self.customer_account))
        apply_url = reverse("console:apply", args=[row.vendor.pk])
        context = {
            "row": row,
            "vendor": row.vendor,
            "form": form,
            "titles": titles,
            "addresses": addresses,
            "apply_url": apply_url,
            "selected_title": form.value_of("title"),
            "selected_address": form.value_of("address"),
            "selected_invoice_type": form.value_of("invoice_type"),
        }
        return render(self.request, self.form_template_name, context)

    def initial_for(self, row: InvoiceableRow) -> dict:
        titles = list(titles_for_account(customer_account=self.customer_account))
        addresses = list(addresses_for_account(customer_account=self.customer_account))
        title = next((title for title in titles if title.is_default), titles[0] if titles else None)
        address = next((address for address in addresses if address.is_default), addresses[0] if addresses else None)
        types = row.vendor.supported_invoice_types or []
        return {
            "invoice_type": InvoiceType.GENERAL if InvoiceType.GENERAL in types else (types[0] if types else ""),
            "title": str(title.pk) if title else "",
            "address": str(address.pk) if address else "",
        }


class ApplyView(_ApplyMixin, View):
    """GET: the application form. POST: check it and show the confirmation page (or the form with errors)."""

    def get(self, request, vendor_id: int):
        row = self.get_row()
        return self.render_form(row, ApplyForm(vendor=row.vendor, initial=self.initial_for(row)))

    def post(self, request, vendor_id: int):
        row = self.get_row()
        form = ApplyForm(request.POST, vendor=row.vendor)
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
                "amount": f"{checked['amount']:.2f}",
                "invoice_type": checked["invoice_type"],
                "title": checked["title"].pk,
                "address": checked["address"].pk,
                "idempotency_key": uuid.uuid4().hex,
            }
        )
        # An unsaved request only to ask the model who pays shipping for this amount.
        preview = InvoiceRequest(amount=checked["amount"], invoice_type=checked["invoice_type"])
        context = {
            "row": row,
            "vendor": row.vendor,
            "amount": checked["amount"],
            "title": checked["title"],
            "address": checked["address"],
            "invoice_type_label": preview.get_invoice_type_display(),
            "shipping_rule": preview.shipping_rule,
            "dispatch_due_date": dispatch_due_date_for(timezone.now()),
            "confirm_form": confirm_form,
            "apply_url": reverse("console:apply", args=[row.vendor.pk]),
        }
        return render(request, "console/apply_confirm.html", context)


class ApplyConfirmView(_ApplyMixin, View):
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
        try:
            invoice_request, _created = invoice_request_submit(
                actor=request.user,
                customer_account=self.customer_account,
                vendor_id=row.vendor.pk,
                amount=data.get("amount") or "",
                invoice_type=data.get("invoice_type") or None,
                title_id=data.get("title") or "",
                address_id=data.get("address") or "",
                idempotency_key=data.get("idempotency_key") or "",
            )
        except ApplicationError as error:
            # E.g. the cap was used up in another tab meanwhile: back to the form, message next to the field.
            form = ApplyForm(
                {name: data.get(name) or "" for name in ("amount", "invoice_type", "title", "address")},
                vendor=row.vendor,
            )
            form.is_valid()
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


class RecordListView(CustomerRequiredMixin, ListView):
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter_form()
        context["filter_form"] = form
        context["filtered"] = form.is_bound
        return context


class _RecordMixin(CustomerRequiredMixin):
    def get_record(self) -> InvoiceRequest:
        try:
            return invoice_request_for_customer(customer_account=self.customer_account, request_id=self.kwargs["pk"])
        except NotFoundError as error:
            raise Http404(str(error.message)) from error


class RecordDetailView(_RecordMixin, TemplateView):
    """Status, amounts, snapshots, vendor contact and the timeline of one request."""

    template_name = "console/record_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.get_record()
        context["record"] = record
        context["events"] = list(record.events.all())
        context["can_cancel"] = can_proceed(record.cancel)
        # Processing or mailing: say why it cannot be cancelled here and whom to contact instead.
        context["cannot_cancel"] = (
            cannot_cancel_message(record) if record.is_active and not context["can_cancel"] else ""
        )
        return context


class RecordCancelView(_RecordMixin, View):
    """GET: ask for confirmation (or explain why it cannot be cancelled). POST: cancel a pending request."""

    template_name = "console/record_cancel.html"

    def get(self, request, pk: int):
        return self.render_page(self.get_record(), CancelForm())

    def post(self, request, pk: int):
        record = self.get_record()
        form = CancelForm(request.POST)
        if not form.is_valid():
            return self.render_page(record, form)
        try:
            record = invoice_request_cancel(
                actor=request.user,
                customer_account=self.customer_account,
                request_id=record.pk,
                reason=form.cleaned_data["reason"],
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ConflictError as error:
            # E.g. the vendor accepted it meanwhile.
            messages.error(request, str(error.message))
            return redirect("console:record_detail", pk=record.pk)
        messages.success(
            request,
            _("Cancelled. %(amount)s is invoiceable again with %(vendor)s.")
            % {"amount": money(record.amount), "vendor": record.vendor.name},
        )
        return redirect("console:record_detail", pk=record.pk)

    def render_page(self, record: InvoiceRequest, form: CancelForm):
        can_cancel = can_proceed(record.cancel)
        context = {
            "record": record,
            "form": form,
            "can_cancel": can_cancel,
            "cannot_cancel": "" if can_cancel else cannot_cancel_message(record),
        }
        return render(self.request, self.template_name, context)
