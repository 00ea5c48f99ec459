"""Support tickets (工单) for marketplace staff: the queue with filters, assign to me, the conversation with replies
and attachments beside the linked request's whole history, and voiding the returned invoice from the ticket.

Every write goes through rt's services (apps.refunds.services.tickets / .voiding), which lock, check, audit and
notify; the pages only show `error.message`. Voiding needs the `invoices.void_invoicerequest` permission: the
button is shown only to staff who have it, and the service refuses anyone else.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, View

from apps.console.views.mixins import add_service_errors
from apps.core.errors import ApplicationError, NotFoundError
from apps.refunds.files import attachment_for_user, attachment_response
from apps.refunds.models import SupportTicket
from apps.refunds.selectors import ticket_for_staff, tickets_for_staff
from apps.refunds.services.tickets import ticket_assign, ticket_reply, ticket_resolve
from apps.refunds.services.voiding import invoice_request_void, may_void, void_refusal

from ..forms import TicketFilterForm, TicketReplyForm, TicketVoidForm
from .mixins import StaffRequiredMixin


def ticket_or_404(*, ticket_id: int) -> SupportTicket:
    try:
        return ticket_for_staff(ticket_id=ticket_id)
    except NotFoundError as error:
        raise Http404(str(error.message)) from error


def request_history(ticket: SupportTicket) -> dict:
    """The linked request's whole history (prefetched by ticket_for_staff): its timeline oldest first, its returns
    with their tracking, newest first."""
    request = ticket.invoice_request
    if request is None:
        return {"record": None, "events": [], "returns": []}
    return {"record": request, "events": list(request.events.all()), "returns": list(request.returns.all())}


class TicketListView(StaffRequiredMixin, ListView):
    """The queue: open or waiting tickets first by last message, filtered by status, vendor, age and assignee."""

    template_name = "staffconsole/ticket_list.html"
    context_object_name = "tickets"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = TicketFilterForm(self.request.GET or None)
        # The selector's Count() groups rows, which drops Meta.ordering: order explicitly, latest message first.
        tickets = tickets_for_staff(**self.filter_form.filters(), user=self.request.user)
        return tickets.order_by("-last_message_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["filtered"] = any(self.request.GET.get(name) for name in ("status", "vendor", "age", "assignee"))
        return context


class TicketDetailView(StaffRequiredMixin, FormView):
    """GET: the conversation and, beside it, the request's history. POST: reply (with attachments)."""

    template_name = "staffconsole/ticket_detail.html"
    form_class = TicketReplyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_marketplace_staff:
            self.ticket = ticket_or_404(ticket_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            ticket=self.ticket,
            ticket_messages=list(self.ticket.messages.all()),
            can_void=not void_refusal(user=self.request.user, ticket=self.ticket),
            has_void_permission=may_void(self.request.user),
            **request_history(self.ticket),
        )
        return context

    def form_valid(self, form):
        try:
            ticket_reply(
                actor=self.request.user,
                ticket_id=self.ticket.pk,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Reply sent: the customer is notified."))
        return redirect("staffconsole:ticket_detail", pk=self.ticket.pk)


class TicketAssignView(StaffRequiredMixin, View):
    """POST only: assign the ticket to me."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            ticket_assign(actor=request.user, ticket_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The ticket is assigned to you."))
        next_url = request.POST.get("next", "")
        if next_url == "list":
            return redirect("staffconsole:tickets")
        return redirect("staffconsole:ticket_detail", pk=pk)


class TicketVoidView(StaffRequiredMixin, FormView):
    """GET: confirmation (what is voided, what happens next) with the reason. POST: void through the service."""

    template_name = "staffconsole/ticket_void.html"
    form_class = TicketVoidForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_marketplace_staff:
            self.ticket = ticket_or_404(ticket_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cannot_void = void_refusal(user=self.request.user, ticket=self.ticket)
        context.update(
            ticket=self.ticket,
            record=self.ticket.invoice_request,
            can_void=not cannot_void,
            cannot_void=cannot_void,
            open_return=next(
                (ret for ret in request_history(self.ticket)["returns"] if ret.status in ret.OPEN_STATUSES), None
            ),
        )
        return context

    def form_valid(self, form):
        try:
            record = invoice_request_void(
                actor=self.request.user, ticket_id=self.ticket.pk, reason=form.cleaned_data["reason"]
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            # A second void (someone was faster), no permission, a request not mailed: the service's message.
            form.add_error(None, str(error.message))
            response = self.form_invalid(form)
            response.status_code = error.status_code
            return response
        messages.success(
            self.request,
            _(
                "Invoice request %(number)s is voided and the ticket resolved. The customer and the vendor are "
                "notified; the amount is released."
            )
            % {"number": record.number},
        )
        return redirect("staffconsole:ticket_detail", pk=self.ticket.pk)


class TicketResolveView(StaffRequiredMixin, View):
    """POST only: resolve the ticket (nothing to void, or answered), with an optional closing message."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            ticket_resolve(actor=request.user, ticket_id=pk, note=request.POST.get("note", ""))
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The ticket is resolved: the customer is notified."))
        return redirect("staffconsole:ticket_detail", pk=pk)


class TicketAttachmentView(StaffRequiredMixin, View):
    """An attachment of a ticket, for staff (rt's attachment_for_user decides who may read it)."""

    def get(self, request, pk: int):
        try:
            attachment = attachment_for_user(user=request.user, attachment_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        return attachment_response(attachment)
