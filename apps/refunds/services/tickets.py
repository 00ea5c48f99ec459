"""Support tickets (工单): a customer's conversation with marketplace staff, with attachments.

open -> waiting (staff replied, the customer's turn) <-> open (the customer replied) -> resolved (staff resolve it, or
void its invoice). A resolved ticket takes no more replies: the customer opens a new one.
Attachments are checked by content in apps.refunds.files and stored through Django's default storage.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount, User
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.scope import get_in_scope_or_not_found
from apps.core.validators import check_no_control_characters
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.selectors import REQUEST_NOT_FOUND_MESSAGE
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, staff_recipients

from ..files import check_attachments, remember_stored_file, removes_stored_files_on_error
from ..models import InvoiceReturn, SupportTicket, TicketAttachment, TicketMessage
from ..selectors import RETURN_NOT_FOUND_MESSAGE, TICKET_NOT_FOUND_MESSAGE
from .returns import checked_text, return_courier_label

SUBJECT_MAX_LENGTH = SupportTicket._meta.get_field("subject").max_length
BODY_MAX_LENGTH = 5000


def _checked_subject(subject: str) -> str:
    check_no_control_characters({"subject": subject or ""})
    subject = (subject or "").strip()
    if not subject:
        message = _("Enter a subject, for example “Please void invoice IR…”.")
        raise ApplicationError("subject_required", message, {"subject": [message]})
    if len(subject) > SUBJECT_MAX_LENGTH:
        message = _("At most %(limit)d characters.") % {"limit": SUBJECT_MAX_LENGTH}
        raise ApplicationError("invalid_subject", message, {"subject": [message]})
    return subject


def _checked_body(body: str) -> str:
    return checked_text(body, field="body", required_message=_("Write your message."), limit=BODY_MAX_LENGTH)


def _add_message(*, ticket: SupportTicket, author: User, body: str, checked_files) -> TicketMessage:
    now = timezone.now()
    message = TicketMessage.objects.create(ticket=ticket, author=author, body=body, created_at=now)
    for checked in checked_files:
        attachment = TicketAttachment(
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            created_at=now,
        )
        # The stored name comes from ticket_attachment_path (a random name + the checked extension).
        attachment.file.save(f"upload{checked.extension}", checked.upload, save=False)
        remember_stored_file(attachment.file.name)
        attachment.save()
    ticket.last_message_at = now
    return message


def _ticket_params(ticket: SupportTicket, **extra) -> dict:
    return {"ticket_id": ticket.pk, "subject": ticket.subject, **extra}


@removes_stored_files_on_error
@transaction.atomic
def ticket_open(
    *,
    actor: User,
    customer_account: CustomerAccount,
    subject: str,
    body: str,
    invoice_request_id: int | None = None,
    invoice_return_id: int | None = None,
    files=(),
) -> SupportTicket:
    """A customer opens a ticket, optionally about one of the account's requests or returns; staff are notified."""
    subject = _checked_subject(subject)
    body = _checked_body(body)
    checked_files = check_attachments(files)
    invoice_request = invoice_return = None
    if invoice_return_id is not None:
        invoice_return = get_in_scope_or_not_found(
            InvoiceReturn.objects.select_related("invoice_request").filter(
                invoice_request__customer_account=customer_account
            ),
            invoice_return_id,
            message=RETURN_NOT_FOUND_MESSAGE,
        )
        if invoice_request_id is not None and invoice_request_id != invoice_return.invoice_request_id:
            message = _("The return belongs to another request.")
            raise ApplicationError("return_request_mismatch", message, {"invoice_return": [message]})
        invoice_request = invoice_return.invoice_request
    elif invoice_request_id is not None:
        invoice_request = get_in_scope_or_not_found(
            InvoiceRequest.objects.filter(customer_account=customer_account),
            invoice_request_id,
            message=REQUEST_NOT_FOUND_MESSAGE,
        )
    ticket = SupportTicket.objects.create(
        customer_account=customer_account,
        opened_by=actor,
        subject=subject,
        invoice_request=invoice_request,
        invoice_return=invoice_return,
    )
    _add_message(ticket=ticket, author=actor, body=body, checked_files=checked_files)
    ticket.save(update_fields=["last_message_at", "updated_at"])
    if invoice_request is not None:
        InvoiceEvent.record_note(
            request=invoice_request,
            actor=actor,
            kind=InvoiceEvent.Kind.TICKET_OPENED,
            params={"ticket_id": ticket.pk, "subject": subject},
        )
    notify(
        event_key=f"{Notification.Kind.TICKET_OPENED}:{ticket.pk}",
        kind=Notification.Kind.TICKET_OPENED,
        recipients=staff_recipients(),
        invoice_request=invoice_request,
        params=_ticket_params(ticket),
    )
    return ticket


def _ticket_for_update(*, actor: User, ticket_id: int) -> SupportTicket:
    """The ticket locked, if `actor` is one of its parties (the account's customers, staff); else 404."""
    tickets = SupportTicket.objects.select_for_update(of=("self",)).select_related("customer_account")
    if actor.is_marketplace_staff:
        pass
    elif actor.is_customer:
        tickets = tickets.filter(customer_account_id=actor.customer_account_id)
    else:
        raise NotFoundError("not_found", TICKET_NOT_FOUND_MESSAGE)
    return get_in_scope_or_not_found(tickets, ticket_id, message=TICKET_NOT_FOUND_MESSAGE)


def _require_staff(actor: User) -> None:
    if not actor.is_marketplace_staff:
        raise NotFoundError("not_found", TICKET_NOT_FOUND_MESSAGE)


def resolved_message(ticket: SupportTicket) -> str:
    return _("Ticket T%(id)s is resolved; open a new ticket if you need more help.") % {"id": ticket.pk}


@removes_stored_files_on_error
@transaction.atomic
def ticket_reply(*, actor: User, ticket_id: int, body: str, files=()) -> TicketMessage:
    """A message from the account's customers or staff; the other side is notified. Staff replies wait for the
    customer; a customer's reply puts the ticket back in staff's open queue."""
    body = _checked_body(body)
    checked_files = check_attachments(files)
    ticket = _ticket_for_update(actor=actor, ticket_id=ticket_id)
    if ticket.status == SupportTicket.Status.RESOLVED:
        raise ConflictError("ticket_resolved", resolved_message(ticket))
    message = _add_message(ticket=ticket, author=actor, body=body, checked_files=checked_files)
    if actor.is_marketplace_staff:
        ticket.status = SupportTicket.Status.WAITING_FOR_CUSTOMER
        recipients = customer_recipients(ticket.customer_account)
    else:
        ticket.status = SupportTicket.Status.OPEN
        recipients = (
            User.objects.filter(pk=ticket.assignee_id, is_active=True) if ticket.assignee_id else staff_recipients()
        )
    ticket.save(update_fields=["status", "last_message_at", "updated_at"])
    notify(
        event_key=f"{Notification.Kind.TICKET_REPLIED}:{message.pk}",
        kind=Notification.Kind.TICKET_REPLIED,
        recipients=recipients.exclude(pk=actor.pk),
        invoice_request=ticket.invoice_request,
        params=_ticket_params(ticket, message_id=message.pk),
    )
    return message


@transaction.atomic
def ticket_assign(*, actor: User, ticket_id: int) -> SupportTicket:
    """Staff take a ticket (assign it to themselves), also over a colleague who has not answered."""
    _require_staff(actor)
    ticket = _ticket_for_update(actor=actor, ticket_id=ticket_id)
    if ticket.status == SupportTicket.Status.RESOLVED:
        raise ConflictError("ticket_resolved", resolved_message(ticket))
    if ticket.assignee_id != actor.pk:
        ticket.assignee = actor
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


def resolve_locked_ticket(*, ticket: SupportTicket, actor: User, note: str = "", kind: str = "") -> None:
    """Mark a locked ticket resolved, with an optional closing message, and tell the customer (voiding uses it)."""
    now = timezone.now()
    if note:
        _add_message(ticket=ticket, author=actor, body=note, checked_files=())
    ticket.status = SupportTicket.Status.RESOLVED
    ticket.resolved_at = now
    if ticket.assignee_id is None:
        ticket.assignee = actor
    ticket.save(update_fields=["status", "resolved_at", "assignee", "last_message_at", "updated_at"])
    if kind != "voided":  # voiding tells the customer once, with its own notification
        notify(
            event_key=f"{Notification.Kind.TICKET_RESOLVED}:{ticket.pk}",
            kind=Notification.Kind.TICKET_RESOLVED,
            recipients=customer_recipients(ticket.customer_account),
            invoice_request=ticket.invoice_request,
            params=_ticket_params(ticket),
        )


@transaction.atomic
def ticket_resolve(*, actor: User, ticket_id: int, note: str = "") -> SupportTicket:
    """Staff resolve a ticket, optionally with a closing message; the customer is notified."""
    _require_staff(actor)
    note = checked_text(note, field="note", limit=BODY_MAX_LENGTH)
    ticket = _ticket_for_update(actor=actor, ticket_id=ticket_id)
    if ticket.status == SupportTicket.Status.RESOLVED:
        raise ConflictError("ticket_resolved", _("Ticket T%(id)s is already resolved.") % {"id": ticket.pk})
    resolve_locked_ticket(ticket=ticket, actor=actor, note=note)
    return ticket


def ticket_prefill_for_return(*, customer_account: CustomerAccount, return_id: int) -> dict:
    """Subject and body of the "ask staff to void" ticket: the request, the return and the parcel's tracking.

    Returns {"subject", "body", "invoice_request_id", "invoice_return_id"} (the console form's initial values).
    """
    invoice_return = get_in_scope_or_not_found(
        InvoiceReturn.objects.select_related("invoice_request__vendor").filter(
            invoice_request__customer_account=customer_account
        ),
        return_id,
        message=RETURN_NOT_FOUND_MESSAGE,
    )
    invoice_request = invoice_return.invoice_request
    facts = {
        "number": invoice_request.number,
        "vendor": invoice_request.vendor.name,
        "purpose": invoice_return.get_purpose_display(),
        "return": f"RT{invoice_return.pk}",
        "status": invoice_return.get_status_display(),
        "courier": return_courier_label(invoice_return) or "-",
        "tracking": invoice_return.tracking_number or "-",
        "invoices": ", ".join(invoice_request.issued_invoices.values_list("number", flat=True)) or "-",
    }
    # Translators: 申请作废发票 %(number)s
    subject = _("Please void invoice request %(number)s") % facts
    lines = [
        _("I returned the invoice of request %(number)s to %(vendor)s (%(purpose)s).") % facts,
        _("Invoice number(s): %(invoices)s") % facts,
        _("Return %(return)s: %(status)s") % facts,
        _("Sent back with %(courier)s, tracking number %(tracking)s") % facts,
        _("Please void the invoice."),
    ]
    return {
        "subject": subject[:SUBJECT_MAX_LENGTH],
        "body": "\n".join(lines),
        "invoice_request_id": invoice_request.pk,
        "invoice_return_id": invoice_return.pk,
    }
