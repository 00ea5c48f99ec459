"""Staff void a returned invoice from a support ticket (mailing -> voided). Final: a voided request never changes.

Voiding releases the request's amount (VendorBalance.invoiced -= amount): for a reissue the customer can apply
again; for a refund the invoice debt it caused clears. Lock order as everywhere: balance -> request -> return ->
ticket, so two staff voiding at once queue on the balance row and the second one finds the request already voided
(409), and a return step racing a void either happens before it or finds the return closed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from apps.accounts.models import User
from apps.billing.services import balance_lock
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.scope import get_in_scope_or_not_found
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, vendor_recipients

from ..models import InvoiceReturn, SupportTicket
from .returns import checked_text
from .tickets import TICKET_NOT_FOUND_MESSAGE, resolve_locked_ticket

VOID_PERMISSION = "invoices.void_invoicerequest"
VOID_PERMISSION_MESSAGE = gettext_lazy("Only marketplace staff allowed to void invoices may do this.")


class VoidPermissionError(ApplicationError):
    """The actor may see the ticket but not void invoices (HTTP 403)."""

    status_code = 403


def may_void(user) -> bool:
    """Marketplace staff with the void permission: the one answer pages, API and the service use."""
    return bool(getattr(user, "is_marketplace_staff", False) and user.has_perm(VOID_PERMISSION))


def cannot_void_message(invoice_request: InvoiceRequest) -> str:
    if invoice_request.status == InvoiceRequest.Status.VOIDED:
        return _("Request %(number)s is already voided; a voided invoice is final.") % {
            "number": invoice_request.number
        }
    return _("Request %(number)s is %(status)s; only a mailed invoice can be voided.") % {
        "number": invoice_request.number,
        "status": invoice_request.get_status_display(),
    }


NO_REQUEST_MESSAGE = gettext_lazy("This ticket is not linked to an invoice request; there is nothing to void.")


def ticket_resolved_message(ticket: SupportTicket) -> str:
    return _("Ticket T%(id)s is already resolved; void only from an open ticket.") % {"id": ticket.pk}


def void_refusal(*, user, ticket: SupportTicket) -> str:
    """Why `user` cannot void the invoice of `ticket` as it is now, in the words invoice_request_void refuses with;
    "" when they can (the staff console offers the button then)."""
    if not may_void(user):
        return str(VOID_PERMISSION_MESSAGE)
    if ticket.invoice_request is None:
        return str(NO_REQUEST_MESSAGE)
    if not can_proceed(ticket.invoice_request.void):
        return cannot_void_message(ticket.invoice_request)
    if ticket.status == SupportTicket.Status.RESOLVED:
        return ticket_resolved_message(ticket)
    return ""


@transaction.atomic
def invoice_request_void(*, actor: User, ticket_id: int, reason: str) -> InvoiceRequest:
    """mailing -> voided, from an open support ticket linked to the request, with a reason.

    Closes the request's open return, resolves the ticket, writes the timeline (staff member, ticket, reason) and
    tells the customer and the vendor (once). A second void at the same time gets a ConflictError (409).
    """
    if not getattr(actor, "is_marketplace_staff", False):
        raise NotFoundError("not_found", TICKET_NOT_FOUND_MESSAGE)
    if not actor.has_perm(VOID_PERMISSION):
        raise VoidPermissionError("permission_denied", VOID_PERMISSION_MESSAGE)
    reason = checked_text(
        reason,
        field="reason",
        required_message=_("Say why the invoice is voided, for example “returned for a refund”."),
    )
    found = get_in_scope_or_not_found(
        SupportTicket.objects.values(
            "invoice_request_id", "invoice_request__customer_account_id", "invoice_request__vendor_id"
        ),
        ticket_id,
        message=TICKET_NOT_FOUND_MESSAGE,
    )
    if found["invoice_request_id"] is None:
        message = str(NO_REQUEST_MESSAGE)
        raise ApplicationError("ticket_without_request", message, {"ticket": [message]})
    balance = balance_lock(
        customer_account_id=found["invoice_request__customer_account_id"],
        vendor_id=found["invoice_request__vendor_id"],
    )
    invoice_request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor", "customer_account")
        .get(pk=found["invoice_request_id"])
    )
    open_returns = list(
        InvoiceReturn.objects.select_for_update().filter(
            invoice_request=invoice_request, status__in=InvoiceReturn.OPEN_STATUSES
        )
    )
    ticket = SupportTicket.objects.select_for_update().get(pk=ticket_id)
    if not can_proceed(invoice_request.void):
        raise ConflictError("cannot_void", cannot_void_message(invoice_request))
    if ticket.status == SupportTicket.Status.RESOLVED:
        raise ConflictError("ticket_resolved", ticket_resolved_message(ticket))
    from_status = invoice_request.status
    invoice_request.void()
    # Translators: 工单 T%(ticket)s：%(reason)s
    status_reason = _("Ticket T%(ticket)s: %(reason)s") % {"ticket": ticket.pk, "reason": reason}
    invoice_request.status_reason = status_reason[:1000]
    invoice_request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= invoice_request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    for invoice_return in open_returns:
        invoice_return.status = InvoiceReturn.Status.CLOSED
        invoice_return.save(update_fields=["status", "updated_at"])
    resolve_locked_ticket(ticket=ticket, actor=actor, kind="voided")
    InvoiceEvent.record(
        request=invoice_request, actor=actor, from_status=from_status, reason=invoice_request.status_reason
    )
    purpose = open_returns[0].purpose if open_returns else ""
    recipients = list(customer_recipients(invoice_request.customer_account)) + list(
        vendor_recipients(invoice_request.vendor)
    )
    notify(
        event_key=f"{Notification.Kind.VOIDED}:{invoice_request.pk}",
        kind=Notification.Kind.VOIDED,
        recipients=recipients,
        invoice_request=invoice_request,
        params={"ticket_id": ticket.pk, "purpose": purpose, "void_reason": reason},
    )
    return invoice_request
