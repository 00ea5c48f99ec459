"""Invoice returns (退票) of the vendor's requests, and putting an accepted, never-mailed request back in the queue.

A return: the vendor agrees (stating whether it was at fault, which decides who pays the return postage) or declines
with a reason; once the customer has sent the invoice back, the vendor confirms it arrived. Then the customer asks
staff to void the invoice in a support ticket. A processing request was never mailed, so there is nothing to send
back: the vendor puts it back in the queue instead (processing -> pending) and the customer may cancel it.

The views parse the form and call `apps.refunds.services.returns`; staff see every vendor's returns read-only.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django_fsm import can_proceed

from apps.console.views.mixins import add_service_errors
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceRequest
from apps.refunds.models import InvoiceReturn
from apps.refunds.services.returns import (
    AGREE_EXPECTED,
    DECLINE_EXPECTED,
    cannot_reopen_message,
    invoice_request_reopen,
    invoice_return_agree,
    invoice_return_decline,
    invoice_return_receive,
    return_courier_label,
    return_wrong_status_error,
)

from ..forms import ReopenForm, ReturnAgreeForm, ReturnDeclineForm
from ..selectors import return_counts, return_for_backoffice, returns_for_backoffice
from .mixins import BackofficeMixin, VendorRequiredMixin

PAGE_SIZE = 50


class ReturnQueueView(BackofficeMixin, TemplateView):
    """Tabs: to do (decide a new return, confirm a parcel arrived; the default), each status, all."""

    template_name = "backoffice/return_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "todo")
        if status not in ("todo", "all") and status not in InvoiceReturn.Status.values:
            status = "todo"
        counts = return_counts(vendor=self.vendor)
        tabs = [(value, label, counts.get(value, 0)) for value, label in InvoiceReturn.Status.choices]
        # get_page: a stale or mistyped ?page= (past the end after deciding the last row, 0, text) shows the
        # nearest page, like the request queue.
        page = Paginator(
            returns_for_backoffice(vendor=self.vendor, status=None if status == "all" else status), PAGE_SIZE
        ).get_page(self.request.GET.get("page"))
        context.update(
            status=status,
            tabs=tabs,
            todo_count=counts["todo"],
            total_count=sum(n for key, n in counts.items() if key != "todo"),
            page_obj=page,
            rows=list(page.object_list),
        )
        return context


class ReturnMixin:
    def get_return(self, pk: int) -> InvoiceReturn:
        try:
            return return_for_backoffice(vendor=self.vendor, return_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error


def render_return(request, invoice_return, *, read_only, agree_form=None, decline_form=None, status=200):
    can_act = not read_only
    context = {
        "ret": invoice_return,
        "record": invoice_return.invoice_request,
        "read_only": read_only,
        "can_decide": can_act and invoice_return.status == InvoiceReturn.Status.REQUESTED,
        "can_receive": can_act and invoice_return.status == InvoiceReturn.Status.SHIPPED,
        # Asked on a processing request: nothing was mailed, so the vendor puts it back in the queue instead.
        "never_mailed": invoice_return.invoice_request.status == InvoiceRequest.Status.PROCESSING,
        "agree_form": agree_form or ReturnAgreeForm(),
        "decline_form": decline_form or ReturnDeclineForm(),
        "tickets": list(invoice_return.tickets.order_by("-created_at", "-id")),
        "courier_label": return_courier_label(invoice_return),
    }
    return render(request, "backoffice/return_detail.html", context, status=status)


class ReturnDetailView(ReturnMixin, BackofficeMixin, View):
    def get(self, request, pk: int):
        return render_return(request, self.get_return(pk), read_only=self.read_only)


def _conflict(request, error: ApplicationError, pk: int):
    messages.error(request, str(error.message))
    return redirect("backoffice:return_detail", pk=pk)


def _already_decided(request, invoice_return: InvoiceReturn, *, expected: str):
    # Decided meanwhile (another tab, a colleague): the page no longer shows the form and its errors, so say so.
    messages.error(request, str(return_wrong_status_error(invoice_return, expected=expected).message))
    return redirect("backoffice:return_detail", pk=invoice_return.pk)


class ReturnAgreeView(ReturnMixin, VendorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        invoice_return = self.get_return(pk)
        if invoice_return.status != InvoiceReturn.Status.REQUESTED:
            return _already_decided(request, invoice_return, expected=AGREE_EXPECTED)
        form = ReturnAgreeForm(request.POST)
        if not form.is_valid():
            return render_return(request, invoice_return, read_only=False, agree_form=form, status=400)
        try:
            invoice_return = invoice_return_agree(
                actor=request.user,
                vendor=self.vendor,
                return_id=invoice_return.pk,
                fault=form.cleaned_data["fault"],
                reason=form.cleaned_data["reason"],
            )
        except ConflictError as error:
            return _conflict(request, error, pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return render_return(request, invoice_return, read_only=False, agree_form=form, status=400)
        if invoice_return.vendor_fault:
            text = _("Agreed to the return. You pay the return postage; the customer now sends the invoice back.")
        else:
            text = _("Agreed to the return. The customer pays the return postage and now sends the invoice back.")
        messages.success(request, text)
        return redirect("backoffice:return_detail", pk=pk)


class ReturnDeclineView(ReturnMixin, VendorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        invoice_return = self.get_return(pk)
        if invoice_return.status != InvoiceReturn.Status.REQUESTED:
            return _already_decided(request, invoice_return, expected=DECLINE_EXPECTED)
        form = ReturnDeclineForm(request.POST)
        if not form.is_valid():
            return render_return(request, invoice_return, read_only=False, decline_form=form, status=400)
        try:
            invoice_return_decline(
                actor=request.user, vendor=self.vendor, return_id=invoice_return.pk, reason=form.cleaned_data["reason"]
            )
        except ConflictError as error:
            return _conflict(request, error, pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return render_return(request, invoice_return, read_only=False, decline_form=form, status=400)
        messages.success(request, _("Declined the return. The customer sees your reason."))
        return redirect("backoffice:return_detail", pk=pk)


class ReturnReceiveView(ReturnMixin, VendorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        invoice_return = self.get_return(pk)
        try:
            invoice_return_receive(actor=request.user, vendor=self.vendor, return_id=invoice_return.pk)
        except ApplicationError as error:
            return _conflict(request, error, pk)
        messages.success(
            request,
            _("Confirmed that the invoice arrived. The customer can now ask marketplace staff to void it."),
        )
        return redirect("backoffice:return_detail", pk=pk)


class InvoiceRequestReopenView(VendorRequiredMixin, View):
    """GET: why put this accepted request back (processing only). POST: processing -> pending."""

    template_name = "backoffice/request_reopen.html"

    def get(self, request, pk: int):
        record = self.get_invoice_request()
        if not can_proceed(record.reopen):
            return self.not_processing(record)
        return self.render_page(record, ReopenForm())

    def post(self, request, pk: int):
        record = self.get_invoice_request()
        form = ReopenForm(request.POST)
        if not form.is_valid():
            return self.render_page(record, form, status=400)
        try:
            record = invoice_request_reopen(
                actor=request.user, vendor=self.vendor, invoice_request_id=pk, reason=form.cleaned_data["reason"]
            )
        except ConflictError as error:
            messages.error(request, str(error.message))
            return redirect("backoffice:detail", pk=pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(record, form, status=400)
        messages.success(
            request,
            _("Request %(number)s is back in the queue as pending. The customer may now cancel it or wait for you.")
            % {"number": record.number},
        )
        return redirect("backoffice:detail", pk=pk)

    def not_processing(self, record):
        messages.error(self.request, cannot_reopen_message(record))
        return redirect("backoffice:detail", pk=record.pk)

    def render_page(self, record, form, status=200):
        return render(self.request, self.template_name, {"record": record, "form": form}, status=status)
