"""Customer pages for refunds (退款), invoice debt (欠票), invoice returns (退票), support tickets (工单) and
withdrawals (提现).

The views parse input, call `apps.refunds.services` / `apps.refunds.selectors`, and render; every rule lives in the
services.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from apps.billing.selectors import invoiceable_rows
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.money import format_cny
from apps.core.validators import parse_id
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import invoice_request_for_customer, invoice_requests_for_customer
from apps.refunds.files import attachment_for_user, attachment_response
from apps.refunds.models import InvoiceReturn
from apps.refunds.selectors import (
    RETURN_NOT_FOUND_MESSAGE,
    invoice_debts_for_account,
    open_return_for_request,
    refundable_amount,
    refunds_for_customer,
    return_for_customer,
    ticket_for_customer,
    tickets_for_customer,
    wallet_for,
    withdrawals_for_customer,
)
from apps.refunds.services.refunds import refund_request
from apps.refunds.services.returns import invoice_return_request, invoice_return_ship, return_courier_label
from apps.refunds.services.tickets import ticket_open, ticket_prefill_for_return, ticket_reply
from apps.refunds.services.withdrawals import withdrawal_request
from apps.titles.selectors import titles_for_account

from ..forms.refunds import (
    RefundForm,
    ReturnRequestForm,
    ReturnShipForm,
    TicketForm,
    TicketReplyForm,
    WithdrawalForm,
)
from .mixins import CustomerRequiredMixin, add_service_errors, object_or_404


def debt_context(customer_account, *, rows=None) -> dict:
    """For templates/console/_invoice_debt.html: per vendor, the debt and the invoices to return or cancel.

    `rows`: the account's invoiceable rows when the page has them already (apps.billing.selectors.invoiceable_rows).
    Only a vendor with consumption can be owed invoices (VendorBalance's CHECK constraints: nothing consumed means
    nothing refunded or invoiced) and each such vendor has a row, so rows without debt mean no debt to look up."""
    if rows is not None and not any(row.invoice_debt for row in rows):
        return {"invoice_debts": []}
    return {"invoice_debts": invoice_debts_for_account(customer_account=customer_account)}


# ---------------------------------------------------------------------------------------------------- refunds


class RefundListView(CustomerRequiredMixin, View):
    """The account's refunds, and a form to request one from a vendor it consumed with."""

    template_name = "console/refund_list.html"

    def rows(self):
        return [
            (row, refundable_amount(customer_account=self.customer_account, vendor=row.vendor))
            for row in invoiceable_rows(customer_account=self.customer_account)
        ]

    def render_page(self, form: RefundForm, rows):
        context = {
            "form": form,
            "rows": rows,
            "refunds": list(refunds_for_customer(customer_account=self.customer_account)),
            **debt_context(self.customer_account),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        rows = self.rows()
        vendor = request.GET.get("vendor", "")
        form = RefundForm(vendors=[row.vendor for row, _refundable in rows], initial={"vendor": vendor})
        return self.render_page(form, rows)

    def post(self, request):
        rows = self.rows()
        vendors = {str(row.vendor.pk): row.vendor for row, _refundable in rows}
        form = RefundForm(request.POST, vendors=vendors.values())
        if not form.is_valid():
            return self.render_page(form, rows)
        data = form.cleaned_data
        vendor = vendors.get(data["vendor"] or "")
        if vendor is None:
            form.add_error("vendor", _("Choose the vendor to ask for a refund."))
            return self.render_page(form, rows)
        if data["amount"] is None:
            form.add_error("amount", _("Enter the amount to refund."))
            return self.render_page(form, rows)
        try:
            refund = refund_request(
                actor=request.user,
                customer_account=self.customer_account,
                vendor=vendor,
                amount=data["amount"],
                reason=data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(form, rows)
        messages.success(
            request,
            _("Refund of %(amount)s requested. %(vendor)s approves or rejects it; you will be notified.")
            % {"amount": format_cny(refund.amount), "vendor": vendor.name},
        )
        return redirect(f"{reverse('console:refunds')}#refund-{refund.pk}")


# ---------------------------------------------------------------------------------------------------- debt


class InvoiceDebtView(CustomerRequiredMixin, View):
    """Plainly, per vendor: how much the account owes in invoices and what to do with each blocking invoice."""

    def get(self, request):
        return render(request, "console/debt.html", debt_context(self.customer_account))


# ---------------------------------------------------------------------------------------------------- returns


class _RecordMixin(CustomerRequiredMixin):
    def get_record(self) -> InvoiceRequest:
        return object_or_404(
            invoice_request_for_customer, customer_account=self.customer_account, invoice_request_id=self.kwargs["pk"]
        )


class ReturnRequestView(_RecordMixin, View):
    """Ask the vendor to take back a processing or mailing invoice, for a reissue or a refund."""

    template_name = "console/return_request.html"

    def render_page(self, record, form):
        open_return = open_return_for_request(invoice_request=record)
        context = {"record": record, "form": form, "open_return": open_return}
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        record = self.get_record()
        purpose = request.GET.get("purpose", "")
        return self.render_page(record, ReturnRequestForm(initial={"purpose": purpose}))

    def post(self, request, pk):
        record = self.get_record()
        form = ReturnRequestForm(request.POST)
        if not form.is_valid():
            return self.render_page(record, form)
        try:
            invoice_return = invoice_return_request(
                actor=request.user,
                customer_account=self.customer_account,
                invoice_request_id=record.pk,
                purpose=form.cleaned_data["purpose"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(record, form)
        messages.success(
            request,
            _("Return requested. %(vendor)s agrees or declines; you will be notified, then send the invoice back.")
            % {"vendor": record.vendor.name},
        )
        return redirect("console:return_detail", pk=invoice_return.pk)


class _ReturnMixin(CustomerRequiredMixin):
    def get_return(self) -> InvoiceReturn:
        return object_or_404(return_for_customer, customer_account=self.customer_account, return_id=self.kwargs["pk"])


class ReturnDetailView(_ReturnMixin, View):
    """Where the return stands, who pays postage, the "send it back" form, then "ask staff to void"."""

    template_name = "console/return_detail.html"

    def render_page(self, invoice_return, form):
        context = {
            "ret": invoice_return,
            "record": invoice_return.invoice_request,
            "return_courier": return_courier_label(invoice_return),
            "form": form,
            "tickets": list(invoice_return.tickets.all()),
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        return self.render_page(self.get_return(), ReturnShipForm())

    def post(self, request, pk):
        invoice_return = self.get_return()
        form = ReturnShipForm(request.POST)
        if not form.is_valid():
            return self.render_page(invoice_return, form)
        try:
            invoice_return_ship(
                actor=request.user,
                customer_account=self.customer_account,
                return_id=invoice_return.pk,
                courier=form.cleaned_data["courier"],
                courier_name=form.cleaned_data["courier_name"],
                tracking_number=form.cleaned_data["tracking_number"],
            )
        except ConflictError as error:
            messages.error(request, str(error.message))
            return redirect("console:return_detail", pk=invoice_return.pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(invoice_return, form)
        messages.success(
            request,
            _("Saved. %(vendor)s confirms when the invoice arrives; then ask staff to void it.")
            % {"vendor": invoice_return.invoice_request.vendor.name},
        )
        return redirect("console:return_detail", pk=invoice_return.pk)


# ---------------------------------------------------------------------------------------------------- tickets


class TicketListView(CustomerRequiredMixin, View):
    def get(self, request):
        tickets = list(tickets_for_customer(customer_account=self.customer_account))
        return render(request, "console/ticket_list.html", {"tickets": tickets})


class TicketCreateView(CustomerRequiredMixin, View):
    """A new ticket; `?return=<id>` prefills the "ask staff to void" ticket for a returned invoice."""

    template_name = "console/ticket_form.html"

    def invoice_requests(self, named=None):
        """The newest 100 of the account's requests to choose from, plus the one the ticket names (a returned
        invoice's request is often older than those): an account with many requests can still file its ticket."""
        mine = invoice_requests_for_customer(customer_account=self.customer_account)
        choices = list(mine[:100])
        named_id = parse_id(named)
        if named_id is not None and all(choice.pk != named_id for choice in choices):
            choices += list(mine.filter(pk=named_id))
        return choices

    def render_page(self, form, invoice_return=None):
        context = {"form": form, "ret": invoice_return}
        return render(self.request, self.template_name, context)

    def get_return(self, raw) -> InvoiceReturn | None:
        if not raw:
            return None
        return_id = parse_id(raw)
        if return_id is None:
            raise Http404(str(RETURN_NOT_FOUND_MESSAGE))
        return object_or_404(return_for_customer, customer_account=self.customer_account, return_id=return_id)

    def get(self, request):
        initial = {}
        invoice_return = self.get_return(request.GET.get("return"))
        if invoice_return is not None:
            prefill = object_or_404(
                ticket_prefill_for_return, customer_account=self.customer_account, return_id=invoice_return.pk
            )
            initial = {
                "subject": prefill["subject"],
                "body": prefill["body"],
                "invoice_request": str(invoice_return.invoice_request_id),
                "invoice_return": invoice_return.pk,
            }
        elif request.GET.get("request"):
            initial = {"invoice_request": request.GET["request"]}
        form = TicketForm(initial=initial, invoice_requests=self.invoice_requests(initial.get("invoice_request")))
        return self.render_page(form, invoice_return)

    def post(self, request):
        form = TicketForm(
            request.POST, request.FILES, invoice_requests=self.invoice_requests(request.POST.get("invoice_request"))
        )
        invoice_return = self.get_return(request.POST.get("invoice_return"))
        if not form.is_valid():
            return self.render_page(form, invoice_return)
        data = form.cleaned_data
        try:
            ticket = ticket_open(
                actor=request.user,
                customer_account=self.customer_account,
                subject=data["subject"],
                body=data["body"],
                invoice_request_id=int(data["invoice_request"]) if data["invoice_request"] else None,
                invoice_return_id=invoice_return.pk if invoice_return else None,
                files=data["files"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(form, invoice_return)
        messages.success(request, _("Ticket sent. Marketplace staff reply here; you will be notified."))
        return redirect("console:ticket_detail", pk=ticket.pk)


class TicketDetailView(CustomerRequiredMixin, View):
    """The conversation with staff, attachments, and a reply form (not once resolved)."""

    template_name = "console/ticket_detail.html"

    def get_ticket(self):
        return object_or_404(ticket_for_customer, customer_account=self.customer_account, ticket_id=self.kwargs["pk"])

    def render_page(self, ticket, form):
        return render(self.request, self.template_name, {"ticket": ticket, "form": form})

    def get(self, request, pk):
        return self.render_page(self.get_ticket(), TicketReplyForm())

    def post(self, request, pk):
        ticket = self.get_ticket()
        form = TicketReplyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(ticket, form)
        try:
            ticket_reply(
                actor=request.user,
                ticket_id=ticket.pk,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.render_page(ticket, form)
        messages.success(request, _("Reply sent."))
        return redirect(f"{reverse('console:ticket_detail', args=[ticket.pk])}#messages-end")


class TicketAttachmentView(LoginRequiredMixin, View):
    """Serve an attachment to the ticket's parties only (the account's customers, marketplace staff); 404 else."""

    def get(self, request, attachment_id):
        attachment = object_or_404(attachment_for_user, user=request.user, attachment_id=attachment_id)
        return attachment_response(attachment, inline=request.GET.get("download") != "1")


# ---------------------------------------------------------------------------------------------------- withdrawals


class WithdrawalView(CustomerRequiredMixin, View):
    """The refunded balance, why a withdrawal is blocked (if it is), the request form and past withdrawals."""

    template_name = "console/withdrawal_list.html"

    def titles(self):
        return [t for t in titles_for_account(customer_account=self.customer_account) if t.bank_account]

    def render_page(self, form):
        context = {
            "form": form,
            "wallet": wallet_for(customer_account=self.customer_account),
            "withdrawals": list(withdrawals_for_customer(customer_account=self.customer_account)),
            **debt_context(self.customer_account),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        form = WithdrawalForm(titles=self.titles(), initial={"idempotency_key": uuid.uuid4().hex})
        return self.render_page(form)

    def post(self, request):
        form = WithdrawalForm(request.POST, titles=self.titles())
        if not form.is_valid():
            return self.render_page(form)
        if form.cleaned_data["amount"] is None:
            form.add_error("amount", _("Enter the amount to withdraw."))
            return self.render_page(form)
        try:
            withdrawal = withdrawal_request(
                actor=request.user,
                customer_account=self.customer_account,
                amount=form.cleaned_data["amount"],
                idempotency_key=form.cleaned_data["idempotency_key"] or "",
                **form.bank_details(),
            )
        except ApplicationError as error:
            if error.code == "invoice_debt":
                # The blocked notice (rendered from the debts) says which invoices and what to do.
                form.add_error(None, str(error.message))
                return self.render_page(form)
            add_service_errors(form, error)
            return self.render_page(form)
        messages.success(
            request,
            _("Withdrawal of %(amount)s requested. Marketplace staff pay it to %(bank)s; you will be notified.")
            % {"amount": format_cny(withdrawal.amount), "bank": withdrawal.bank_name},
        )
        return redirect(f"{reverse('console:withdrawals')}#withdrawal-{withdrawal.pk}")
