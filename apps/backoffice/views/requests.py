"""One request: the detail to print and post it, accept, reject with a reason, and mark it mailed.

The views parse the form, call `apps.invoices.services`, and show the service's messages: next to the fields for
input errors, at the top of the detail page for conflicts (e.g. the customer cancelled a moment earlier).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_fsm import can_proceed

from apps.console.views.mixins import add_service_errors, safe_next_url
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.mailing import MailingInfo, cannot_mail_message, invoice_request_mail
from apps.invoices.models import VENDOR_PAYS_SHIPPING_FROM, InvoiceRequest, ShippingPayer, vendor_pays_shipping
from apps.invoices.services import invoice_request_accept, invoice_request_reject, not_pending_message

from ..forms import MailForm, RejectForm
from ..selectors import returns_and_tickets_of
from .mixins import BackofficeMixin, VendorRequiredMixin, today, with_deadline


class InvoiceRequestDetailView(BackofficeMixin, TemplateView):
    """Everything needed to print and post the invoice: snapshots, amount, shipping rule, mail-by date, timeline."""

    template_name = "backoffice/request_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = with_deadline(self.get_invoice_request(), on=today())
        context.update(
            record=record,
            events=list(record.events.all()),
            invoice_numbers=[invoice.number for invoice in record.issued_invoices.all()],
            can_accept=not self.read_only and can_proceed(record.accept),
            can_mail=not self.read_only and can_proceed(record.mail),
            # A processing request was never mailed: the vendor may put it back in the queue (issue 8).
            can_reopen=not self.read_only and can_proceed(record.reopen),
        )
        context["returns"], context["tickets"] = returns_and_tickets_of(invoice_request=record)
        return context


def _conflict(request, error: ApplicationError, record_pk: int):
    if isinstance(error, NotFoundError):
        raise Http404(str(error.message))
    messages.error(request, str(error.message))
    return redirect("backoffice:detail", pk=record_pk)


def _add_errors(form, error: ApplicationError) -> None:
    """The service's messages next to the fields, except where the form already said what is wrong."""
    unread = {name: texts for name, texts in error.fields.items() if name not in form.errors}
    if unread or not error.fields:
        add_service_errors(form, ApplicationError(error.code, error.message, unread))


class InvoiceRequestAcceptView(VendorRequiredMixin, View):
    """pending -> processing. From the queue it returns to the queue (`next`), otherwise to the detail."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            record = invoice_request_accept(actor=request.user, vendor=self.vendor, invoice_request_id=pk)
        except ApplicationError as error:
            return _conflict(request, error, pk)
        messages.success(
            request,
            _("Accepted request %(number)s. Mail the invoice by %(date)s.")
            % {"number": record.number, "date": formats.date_format(record.dispatch_due_date, "Y-m-d")},
        )
        return redirect(safe_next_url(request) or reverse("backoffice:detail", args=[pk]))


class InvoiceRequestRejectView(VendorRequiredMixin, View):
    """GET: the form asking for the reason the customer will see. POST: pending -> rejected."""

    template_name = "backoffice/request_reject.html"

    def get(self, request, pk: int):
        record = self.get_invoice_request()
        if not can_proceed(record.reject):
            return self.not_pending(record)
        return self.render_page(record, RejectForm())

    def post(self, request, pk: int):
        record = self.get_invoice_request()
        form = RejectForm(request.POST)
        form.is_valid()
        try:
            record = invoice_request_reject(
                actor=request.user,
                vendor=self.vendor,
                invoice_request_id=pk,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ConflictError as error:
            return _conflict(request, error, pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(record, form)
        messages.success(
            request,
            _("Rejected request %(number)s. The customer sees your reason, and the amount is invoiceable again.")
            % {"number": record.number},
        )
        return redirect("backoffice:detail", pk=pk)

    def not_pending(self, record: InvoiceRequest):
        messages.error(self.request, not_pending_message(record))
        return redirect("backoffice:detail", pk=record.pk)

    def render_page(self, record: InvoiceRequest, form: RejectForm):
        return render(self.request, self.template_name, {"record": record, "form": form})


class InvoiceRequestMailView(VendorRequiredMixin, View):
    """GET: the mailing form (processing only). POST: processing -> mailing under the shipping-payer rule."""

    template_name = "backoffice/request_mail.html"

    def get(self, request, pk: int):
        record = self.get_invoice_request()
        if not can_proceed(record.mail):
            return self.not_processing(record)
        initial = {"invoice_date": today(), "shipping_payer": ShippingPayer.VENDOR}
        return self.render_page(record, self.form(record, initial=initial))

    def post(self, request, pk: int):
        record = self.get_invoice_request()
        form = self.form(record, data=request.POST)
        form.is_valid()
        # A field the form could not read (a date like 2025-13-01, an unknown courier) reaches the service empty, and
        # the service refuses an empty date, courier or payer: so it never records what the form rejected, and its
        # messages about the other fields are shown at the same time.
        data = form.cleaned_data
        mailing = MailingInfo(
            invoice_numbers=data.get("invoice_numbers", ""),
            invoice_date=data.get("invoice_date"),
            courier=data.get("courier", ""),
            courier_name=data.get("courier_name", ""),
            tracking_number=data.get("tracking_number", ""),
            shipping_payer=data.get("shipping_payer", ""),
        )
        try:
            record = invoice_request_mail(
                actor=request.user, vendor=self.vendor, invoice_request_id=pk, mailing=mailing
            )
        except ConflictError as error:
            if not error.fields:
                return _conflict(request, error, pk)
            # Another request took the same invoice or tracking number a moment earlier: show it at the field.
            _add_errors(form, error)
            return self.render_page(record, form)
        except ApplicationError as error:
            _add_errors(form, error)
            return self.render_page(record, form)
        messages.success(
            request,
            _("Request %(number)s is mailing: %(courier)s %(tracking)s. The customer sees the tracking number.")
            % {"number": record.number, "courier": record.get_courier_label(), "tracking": record.tracking_number},
        )
        return redirect("backoffice:detail", pk=pk)

    @staticmethod
    def form(record: InvoiceRequest, **kwargs) -> MailForm:
        return MailForm(vendor_must_pay=vendor_pays_shipping(record.amount), **kwargs)

    def not_processing(self, record: InvoiceRequest):
        messages.error(self.request, cannot_mail_message(record))
        return redirect("backoffice:detail", pk=record.pk)

    def render_page(self, record: InvoiceRequest, form: MailForm):
        context = {
            "record": with_deadline(record, on=today()),
            "form": form,
            "vendor_must_pay": vendor_pays_shipping(record.amount),
            "threshold": VENDOR_PAYS_SHIPPING_FROM,
            "payer_labels": dict(ShippingPayer.choices),
        }
        return render(self.request, self.template_name, context)
