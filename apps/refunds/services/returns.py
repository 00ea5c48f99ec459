"""The invoice's way back to the vendor (退票), and putting back an accepted request that was never mailed.

A return: requested (customer, processing or mailing request; one open return per request) -> agreed (vendor, with
fault: who pays return postage) | declined (vendor, with a reason) -> shipped (customer's courier and tracking
number) -> received (vendor). Then the customer files a support ticket and staff void the invoice
(`voiding.invoice_request_void`), which closes the return.

**Processing, never mailed (decision).** A processing request has no paper invoice in the post yet, so nothing can
be sent back and there is nothing for staff to void. Instead the vendor puts it back in its queue
(`invoice_request_reopen`: processing -> pending, with a reason); the customer can then cancel it (its amount is
invoiceable again, or a refund's debt clears) and apply again with corrected details. A customer may still ask for a
return on a processing request: the vendor answers it by reopening, which closes that return.

Lock order: VendorBalance (only voiding needs it) -> InvoiceRequest -> InvoiceReturn.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from apps.accounts.models import CustomerAccount, User, Vendor
from apps.core import validators
from apps.core.errors import ApplicationError, ConflictError
from apps.core.scope import get_in_scope_or_not_found
from apps.invoices.mailing import parcel_errors
from apps.invoices.models import Courier, InvoiceEvent, InvoiceRequest
from apps.invoices.selectors import REQUEST_NOT_FOUND_MESSAGE
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, vendor_recipients

from ..models import InvoiceReturn

REASON_MAX_LENGTH = 1000
RETURNABLE_STATUSES = (InvoiceRequest.Status.PROCESSING, InvoiceRequest.Status.MAILING)


def _return_not_found():
    return _("This invoice return does not exist or is not yours.")


def checked_text(value: str, *, field: str, required_message: str = "", limit: int = REASON_MAX_LENGTH) -> str:
    """The shared text rule (apps.core.validators.checked_text) with this module's default length."""
    return validators.checked_text(value, field=field, limit=limit, required_message=required_message)


def _note(invoice_return: InvoiceReturn, *, actor: User, kind: str, **extra) -> None:
    params = {
        "return_id": invoice_return.pk,
        "purpose": invoice_return.purpose,
        **{key: value for key, value in extra.items() if value not in (None, "")},
    }
    InvoiceEvent.record_note(request=invoice_return.invoice_request, actor=actor, kind=kind, params=params)


def _notify(invoice_return: InvoiceReturn, *, kind: str, to_vendor: bool) -> None:
    invoice_request = invoice_return.invoice_request
    recipients = (
        vendor_recipients(invoice_request.vendor)
        if to_vendor
        else customer_recipients(invoice_request.customer_account)
    )
    notify(
        event_key=f"{kind}:{invoice_return.pk}",
        kind=kind,
        recipients=recipients,
        invoice_request=invoice_request,
        params={"return_id": invoice_return.pk},
    )


def _lock_return(*, return_id: int, customer_account: CustomerAccount | None = None, vendor: Vendor | None = None):
    """Lock the request row, then the return row (the order voiding uses), within the actor's scope."""
    scope = InvoiceReturn.objects.all()
    if customer_account is not None:
        scope = scope.filter(invoice_request__customer_account=customer_account)
    if vendor is not None:
        scope = scope.filter(invoice_request__vendor=vendor)
    found = get_in_scope_or_not_found(scope.values("invoice_request_id"), return_id, message=_return_not_found())
    invoice_request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor", "customer_account")
        .get(pk=found["invoice_request_id"])
    )
    invoice_return = InvoiceReturn.objects.select_for_update().get(pk=return_id)
    invoice_return.invoice_request = invoice_request
    return invoice_return


# What each step expects, as the refusal of a return that moved on says it.
AGREE_EXPECTED = gettext_lazy("only a requested return can be agreed to.")
DECLINE_EXPECTED = gettext_lazy("only a requested return can be declined.")


def return_wrong_status_error(invoice_return: InvoiceReturn, *, expected: str) -> ConflictError:
    """What a step on a return that has moved on answers (the back-office pages say the same)."""
    return ConflictError(
        "return_wrong_status",
        _("This return is now “%(status)s”; %(expected)s")
        % {"status": invoice_return.get_status_display(), "expected": expected},
    )


def cannot_return_message(invoice_request: InvoiceRequest) -> str:
    return _("Request %(number)s is %(status)s; only a processing or mailed invoice can be returned to the vendor.") % {
        "number": invoice_request.number,
        "status": invoice_request.get_status_display(),
    }


@transaction.atomic
def invoice_return_request(
    *, actor: User, customer_account: CustomerAccount, invoice_request_id: int, purpose: str, reason: str
) -> InvoiceReturn:
    """The customer asks to send a processing or mailing request's invoice back, for a reissue or a refund."""
    if purpose not in InvoiceReturn.Purpose.values:
        message = _("Choose why you return the invoice: a reissue with corrected details, or a refund.")
        raise ApplicationError("invalid_purpose", message, {"purpose": [message]})
    reason = checked_text(
        reason, field="reason", required_message=_("Tell the vendor what is wrong or why you need a refund.")
    )
    invoice_request = get_in_scope_or_not_found(
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .filter(customer_account=customer_account),
        invoice_request_id,
        message=REQUEST_NOT_FOUND_MESSAGE,
    )
    if invoice_request.status not in RETURNABLE_STATUSES:
        raise ConflictError("cannot_return", cannot_return_message(invoice_request))
    if invoice_request.returns.filter(status__in=InvoiceReturn.OPEN_STATUSES).exists():
        raise ConflictError(
            "return_already_open",
            _("Request %(number)s already has an open return; follow it on the request's page.")
            % {"number": invoice_request.number},
        )
    try:
        with transaction.atomic():
            invoice_return = InvoiceReturn.objects.create(
                invoice_request=invoice_request, purpose=purpose, reason=reason, requested_by=actor
            )
    except IntegrityError as error:  # pragma: no cover - the request row lock makes this unreachable
        raise ConflictError("return_already_open", _("This request already has an open return.")) from error
    _note(invoice_return, actor=actor, kind=InvoiceEvent.Kind.RETURN_REQUESTED, reason=reason)
    _notify(invoice_return, kind=Notification.Kind.RETURN_REQUESTED, to_vendor=True)
    return invoice_return


@transaction.atomic
def invoice_return_agree(*, actor: User, vendor: Vendor, return_id: int, fault: str, reason: str = "") -> InvoiceReturn:
    """The vendor agrees; `fault` ("" | "mismatch" | "damaged") says who pays return postage (a fault: the vendor)."""
    if fault not in InvoiceReturn.Fault.values:
        message = _("Choose whether the invoice was your fault.")
        raise ApplicationError("invalid_fault", message, {"fault": [message]})
    reason = checked_text(reason, field="reason")
    invoice_return = _lock_return(return_id=return_id, vendor=vendor)
    if invoice_return.status != InvoiceReturn.Status.REQUESTED:
        raise return_wrong_status_error(invoice_return, expected=AGREE_EXPECTED)
    if invoice_return.invoice_request.status != InvoiceRequest.Status.MAILING:
        message = _(
            "Request %(number)s was never mailed, so there is no invoice to send back: put it back in your queue "
            "instead, so the customer can cancel it or apply again."
        ) % {"number": invoice_return.invoice_request.number}
        raise ConflictError("not_mailed", message)
    invoice_return.status = InvoiceReturn.Status.AGREED
    invoice_return.vendor_fault = fault
    invoice_return.decision_reason = reason
    invoice_return.decided_at = timezone.now()
    invoice_return.save(update_fields=["status", "vendor_fault", "decision_reason", "decided_at", "updated_at"])
    _note(invoice_return, actor=actor, kind=InvoiceEvent.Kind.RETURN_AGREED, fault=fault, reason=reason)
    _notify(invoice_return, kind=Notification.Kind.RETURN_AGREED, to_vendor=False)
    return invoice_return


@transaction.atomic
def invoice_return_decline(*, actor: User, vendor: Vendor, return_id: int, reason: str) -> InvoiceReturn:
    """The vendor declines, with a reason the customer sees."""
    reason = checked_text(reason, field="reason", required_message=_("Tell the customer why you decline the return."))
    invoice_return = _lock_return(return_id=return_id, vendor=vendor)
    if invoice_return.status != InvoiceReturn.Status.REQUESTED:
        raise return_wrong_status_error(invoice_return, expected=DECLINE_EXPECTED)
    invoice_return.status = InvoiceReturn.Status.DECLINED
    invoice_return.decision_reason = reason
    invoice_return.decided_at = timezone.now()
    invoice_return.save(update_fields=["status", "decision_reason", "decided_at", "updated_at"])
    _note(invoice_return, actor=actor, kind=InvoiceEvent.Kind.RETURN_DECLINED, reason=reason)
    _notify(invoice_return, kind=Notification.Kind.RETURN_DECLINED, to_vendor=False)
    return invoice_return


def _checked_parcel(*, courier: str, courier_name: str, tracking_number: str) -> tuple[str, str, str]:
    """The same courier and tracking-number rules as the vendor's mailing (apps.invoices.mailing.parcel_errors)."""
    errors, courier_name, tracking_number = parcel_errors(
        courier=courier, courier_name=courier_name, tracking_number=tracking_number
    )
    if errors:
        raise ApplicationError("invalid_parcel", next(iter(errors.values()))[0], errors)
    return courier, (courier_name if courier == Courier.OTHER else ""), tracking_number


@transaction.atomic
def invoice_return_ship(
    *,
    actor: User,
    customer_account: CustomerAccount,
    return_id: int,
    courier: str,
    courier_name: str = "",
    tracking_number: str,
) -> InvoiceReturn:
    """The customer sent the invoice back (agreed returns only): courier and tracking number for the vendor."""
    courier, courier_name, tracking_number = _checked_parcel(
        courier=courier, courier_name=courier_name, tracking_number=tracking_number
    )
    invoice_return = _lock_return(return_id=return_id, customer_account=customer_account)
    if invoice_return.status != InvoiceReturn.Status.AGREED:
        expected = _("send the invoice back only once the vendor agreed.")
        raise return_wrong_status_error(invoice_return, expected=expected)
    if invoice_return.invoice_request.status != InvoiceRequest.Status.MAILING:
        raise ConflictError("cannot_return", cannot_return_message(invoice_return.invoice_request))
    invoice_return.status = InvoiceReturn.Status.SHIPPED
    invoice_return.courier = courier
    invoice_return.courier_name = courier_name
    invoice_return.tracking_number = tracking_number
    invoice_return.shipped_at = timezone.now()
    invoice_return.save(
        update_fields=["status", "courier", "courier_name", "tracking_number", "shipped_at", "updated_at"]
    )
    _note(
        invoice_return,
        actor=actor,
        kind=InvoiceEvent.Kind.RETURN_SHIPPED,
        courier=return_courier_label(invoice_return),
        tracking_number=tracking_number,
    )
    _notify(invoice_return, kind=Notification.Kind.RETURN_SHIPPED, to_vendor=True)
    return invoice_return


def return_courier_label(invoice_return: InvoiceReturn) -> str:
    if invoice_return.courier == Courier.OTHER and invoice_return.courier_name:
        return invoice_return.courier_name
    return str(invoice_return.get_courier_display()) if invoice_return.courier else ""


@transaction.atomic
def invoice_return_receive(*, actor: User, vendor: Vendor, return_id: int) -> InvoiceReturn:
    """The vendor confirms the returned invoice arrived; the customer can now ask staff to void it."""
    invoice_return = _lock_return(return_id=return_id, vendor=vendor)
    if invoice_return.status != InvoiceReturn.Status.SHIPPED:
        expected = _("only an invoice on its way back can be confirmed received.")
        raise return_wrong_status_error(invoice_return, expected=expected)
    invoice_return.status = InvoiceReturn.Status.RECEIVED
    invoice_return.received_at = timezone.now()
    invoice_return.save(update_fields=["status", "received_at", "updated_at"])
    _note(invoice_return, actor=actor, kind=InvoiceEvent.Kind.RETURN_RECEIVED)
    _notify(invoice_return, kind=Notification.Kind.RETURN_RECEIVED, to_vendor=False)
    return invoice_return


def cannot_reopen_message(invoice_request: InvoiceRequest) -> str:
    return _(
        "Request %(number)s is %(status)s; only an accepted request that was never mailed can be put back in the queue."
    ) % {"number": invoice_request.number, "status": invoice_request.get_status_display()}


@transaction.atomic
def invoice_request_reopen(*, actor: User, vendor: Vendor, invoice_request_id: int, reason: str) -> InvoiceRequest:
    """processing -> pending: the vendor puts back an accepted request it never mailed.

    Decision (issue 8, "a processing request that was never mailed"): no paper invoice exists in the post, so there is
    nothing to send back or void. The vendor reopens it with a reason instead; the customer may then cancel it (the
    amount is invoiceable again; a refund's invoice debt clears) or leave it for the vendor to accept again. An open
    return on the request (requested, never agreed: agreeing needs a mailed invoice) is closed with it.
    """
    reason = checked_text(
        reason,
        field="reason",
        required_message=_("Tell the customer why the request goes back to the queue, for example their return."),
    )
    requests = InvoiceRequest.objects.select_for_update(of=("self",)).select_related("vendor").filter(vendor=vendor)
    invoice_request = get_in_scope_or_not_found(requests, invoice_request_id, message=REQUEST_NOT_FOUND_MESSAGE)
    if not can_proceed(invoice_request.reopen):
        raise ConflictError("cannot_reopen", cannot_reopen_message(invoice_request))
    from_status = invoice_request.status
    invoice_request.reopen()
    invoice_request.status_reason = reason
    invoice_request.save(update_fields=["status", "status_reason", "updated_at"])
    open_returns = list(
        InvoiceReturn.objects.select_for_update().filter(
            invoice_request=invoice_request, status__in=InvoiceReturn.OPEN_STATUSES
        )
    )
    for invoice_return in open_returns:
        invoice_return.status = InvoiceReturn.Status.CLOSED
        invoice_return.save(update_fields=["status", "updated_at"])
    InvoiceEvent.record(request=invoice_request, actor=actor, from_status=from_status, reason=reason)
    # The customer hears of it like of a request that was reopened: "accepted" no longer, pending again.
    notify(
        event_key=f"reopened:{invoice_request.pk}:{invoice_request.events.count()}",
        kind=Notification.Kind.RETURN_AGREED,  # rendered as "put back in the queue" (params.reopened)
        recipients=customer_recipients(invoice_request.customer_account),
        invoice_request=invoice_request,
        params={"reopened": 1},
    )
    return invoice_request
