import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from apps.accounts.models import CustomerAccount, InvoiceType, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.services import balance_lock
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.money import format_money, parse_amount
from apps.core.queue import enqueue_on_commit
from apps.core.workdays import DISPATCH_WORKING_DAYS, add_working_days, calendar_date
from apps.titles.models import InvoiceTitle

from .models import InvoiceEvent, InvoiceRequest


def dispatch_due_date_for(submitted_at: dt.datetime) -> dt.date:
    """The date by which the vendor must mail the invoice: 10 working days after the submission date."""
    return add_working_days(calendar_date(submitted_at), DISPATCH_WORKING_DAYS)


def _field_error(code: str, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, {field: [message]})


def invoice_request_check(
    *,
    customer_account: CustomerAccount,
    vendor_id,
    amount,
    title_id,
    address_id,
    invoice_type: str | None = None,
) -> dict:
    """Validate an application without writing anything; the confirmation page and submit both use it.

    Returns the resolved vendor, amount, title, address and invoice type. The amount is checked against the
    invoiceable amount here for a friendly early message, and again under the balance lock on submit.
    """
    errors: dict[str, list[str]] = {}
    vendor = Vendor.objects.filter(pk=vendor_id).first() if str(vendor_id or "").isdigit() else None
    if vendor is None:
        errors["vendor"] = [_("Choose a vendor you consumed with.")]
    try:
        amount = parse_amount(amount)
    except ApplicationError as error:
        errors.update(error.fields)
        amount = None
    title = (
        InvoiceTitle.objects.filter(pk=title_id, customer_account=customer_account).first()
        if str(title_id or "").isdigit()
        else None
    )
    if title is None:
        errors["title"] = [_("Choose one of your invoice titles.")]
    address = (
        MailingAddress.objects.filter(pk=address_id, customer_account=customer_account).first()
        if str(address_id or "").isdigit()
        else None
    )
    if address is None:
        errors["address"] = [_("Choose one of your mailing addresses.")]
    if vendor is not None:
        invoice_type = invoice_type or (
            InvoiceType.GENERAL
            if InvoiceType.GENERAL in vendor.supported_invoice_types
            else (vendor.supported_invoice_types or [InvoiceType.GENERAL])[0]
        )
        if invoice_type not in InvoiceType.values or invoice_type not in vendor.supported_invoice_types:
            errors["invoice_type"] = [
                _("%(vendor)s issues only: %(types)s.")
                % {"vendor": vendor.name, "types": "、".join(vendor.supported_invoice_type_labels())}
            ]
        elif title is not None and invoice_type == InvoiceType.SPECIAL:
            if title.kind == InvoiceTitle.Kind.INDIVIDUAL:
                errors["title"] = [_("An individual title can only receive a general invoice.")]
            elif not title.has_special_invoice_details:
                errors["title"] = [
                    _(
                        "A VAT special invoice needs the title's registered address, phone, bank and account: "
                        "complete the title first."
                    )
                ]
    if vendor is not None:
        from apps.billing.selectors import invoiceable_row

        row = invoiceable_row(customer_account=customer_account, vendor_id=vendor.pk)
        if row is None:
            # Nothing was ever consumed with this vendor: the vendor is the mistake, not the amount.
            errors["vendor"] = [_("Choose a vendor you consumed with.")]
        elif amount is not None and "amount" not in errors and amount > row.invoiceable:
            errors["amount"] = [_exceeds_message(row.invoiceable)]
    if errors:
        first = next(iter(errors.values()))[0]
        code = "amount_exceeds_invoiceable" if list(errors) == ["amount"] and amount else "invalid_application"
        raise ApplicationError(code, first, errors)
    return {"vendor": vendor, "amount": amount, "title": title, "address": address, "invoice_type": invoice_type}


def _exceeds_message(available: Decimal) -> str:
    return _("The amount is more than you can invoice with this vendor: at most ¥%(available)s.") % {
        "available": format_money(available)
    }


@transaction.atomic
def invoice_request_submit(
    *,
    actor: User,
    customer_account: CustomerAccount,
    vendor_id,
    amount,
    title_id,
    address_id,
    invoice_type: str | None = None,
    idempotency_key: str = "",
) -> tuple[InvoiceRequest, bool]:
    """Record an application. Returns (request, created); repeating an idempotency key returns the first one.

    The per-account-per-vendor balance row is locked while the amount is checked and recorded, so no number of
    simultaneous submissions can take the requests above consumed - refunded.
    """
    idempotency_key = (idempotency_key or "").strip()[:64]
    existing = _existing(customer_account, idempotency_key)
    if existing is not None:
        return existing, False
    checked = invoice_request_check(
        customer_account=customer_account,
        vendor_id=vendor_id,
        amount=amount,
        title_id=title_id,
        address_id=address_id,
        invoice_type=invoice_type,
    )
    vendor, amount, title, address = checked["vendor"], checked["amount"], checked["title"], checked["address"]

    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    if idempotency_key:
        existing = _existing(customer_account, idempotency_key)
        if existing is not None:  # the same submission arrived twice; the first one won the lock
            return existing, False
    available = balance.consumed - balance.refunded - balance.invoiced
    if amount > available:
        message = _exceeds_message(max(available, Decimal("0")))
        raise ApplicationError("amount_exceeds_invoiceable", message, {"amount": [message]})

    submitted_at = timezone.now()
    try:
        with transaction.atomic():
            request = InvoiceRequest.objects.create(
                customer_account=customer_account,
                vendor=vendor,
                submitted_by=actor,
                amount=amount,
                invoice_type=checked["invoice_type"],
                title=title,
                address=address,
                title_snapshot=title.snapshot(),
                address_snapshot=address.snapshot(),
                submitted_at=submitted_at,
                dispatch_due_date=dispatch_due_date_for(submitted_at),
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same idempotency key won a race under another vendor's balance lock: answer with that request.
        existing = _existing(customer_account, idempotency_key)
        if existing is None:
            raise
        return existing, False
    balance.invoiced += amount
    balance.save(update_fields=["invoiced", "updated_at"])
    request.number = f"IR{calendar_date(submitted_at):%Y%m%d}{request.pk:06d}"
    request.save(update_fields=["number"])
    InvoiceEvent.record(request=request, actor=actor, from_status="")
    from .tasks import notify_vendor_request_submitted

    enqueue_on_commit(notify_vendor_request_submitted, request.pk)
    return request, True


def _existing(customer_account: CustomerAccount, idempotency_key: str) -> InvoiceRequest | None:
    if not idempotency_key:
        return None
    return InvoiceRequest.objects.filter(customer_account=customer_account, idempotency_key=idempotency_key).first()


def cannot_cancel_message(request: InvoiceRequest) -> str:
    vendor = request.vendor
    contact = " / ".join(part for part in [vendor.contact_phone, vendor.contact_email] if part)
    if request.status in (InvoiceRequest.Status.PROCESSING, InvoiceRequest.Status.MAILING):
        return _(
            "This request is %(status)s, so it can no longer be cancelled here. To have the invoice reissued or "
            "returned, contact %(vendor)s: %(contact)s."
        ) % {"status": request.get_status_display(), "vendor": vendor.name, "contact": contact or "-"}
    return _("Only a pending request can be cancelled; this one is %(status)s.") % {
        "status": request.get_status_display()
    }


@transaction.atomic
def invoice_request_cancel(
    *, actor: User, customer_account: CustomerAccount, request_id: int, reason: str = ""
) -> InvoiceRequest:
    """Cancel a pending request; its amount becomes invoiceable again.

    Locks in the same order as submit (balance row, then request row) so the two can never deadlock, and
    locks only the request row (`of=("self",)`), not the vendor row joined for the message.
    """
    found = (
        InvoiceRequest.objects.filter(pk=request_id, customer_account=customer_account)
        .values("customer_account_id", "vendor_id")
        .first()
        if str(request_id).isdigit()
        else None
    )
    if found is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .get(pk=request_id, customer_account=customer_account)
    )
    if not can_proceed(request.cancel):
        raise ConflictError("cannot_cancel", cannot_cancel_message(request))
    from_status = request.status
    request.cancel()
    request.status_reason = reason
    request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status, reason=reason)
    return request


# --- Vendor back-office: accept, reject, mail ------------------------------------------------------------------


def _vendor_request_for_update(*, vendor: Vendor, request_id) -> InvoiceRequest:
    request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .filter(pk=request_id, vendor=vendor)
        .first()
        if str(request_id).isdigit()
        else None
    )
    if request is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    return request


def _not_pending_message(request: InvoiceRequest) -> str:
    if request.status == InvoiceRequest.Status.CANCELLED:
        return _(
            "The customer cancelled request %(number)s a moment ago; it can no longer be accepted or rejected."
        ) % {"number": request.number}
    return _("Request %(number)s is already %(status)s; only a pending request can be accepted or rejected.") % {
        "number": request.number,
        "status": request.get_status_display(),
    }


@transaction.atomic
def invoice_request_accept(*, actor: User, vendor: Vendor, request_id) -> InvoiceRequest:
    """pending -> processing. A request the customer cancelled a moment earlier answers a clear conflict."""
    request = _vendor_request_for_update(vendor=vendor, request_id=request_id)
    if not can_proceed(request.accept):
        raise ConflictError("cannot_accept", _not_pending_message(request))
    from_status = request.status
    request.accept()
    request.save(update_fields=["status", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status)
    _notify_customer(request)
    return request


@dataclass
class BulkResult:
    accepted: list[InvoiceRequest] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (request id or number, message)


def invoice_requests_accept_bulk(*, actor: User, vendor: Vendor, request_ids: list) -> BulkResult:
    """Accept several pending requests; each one on its own, so one that was cancelled meanwhile fails alone."""
    result = BulkResult()
    for request_id in dict.fromkeys(request_ids):
        try:
            result.accepted.append(invoice_request_accept(actor=actor, vendor=vendor, request_id=request_id))
        except ApplicationError as error:
            result.failed.append((str(request_id), str(error.message)))
    return result


REJECT_REASON_MAX_LENGTH = 500


@transaction.atomic
def invoice_request_reject(*, actor: User, vendor: Vendor, request_id, reason: str) -> InvoiceRequest:
    """pending -> rejected with a reason the customer sees; the amount becomes invoiceable again."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Tell the customer why the request is rejected, for example that the title is wrong.")
        raise ApplicationError("reason_required", message, {"reason": [message]})
    if len(reason) > REJECT_REASON_MAX_LENGTH:
        message = _("At most %(limit)d characters.") % {"limit": REJECT_REASON_MAX_LENGTH}
        raise ApplicationError("invalid_reason", message, {"reason": [message]})
    found = (
        InvoiceRequest.objects.filter(pk=request_id, vendor=vendor).values("customer_account_id", "vendor_id").first()
        if str(request_id).isdigit()
        else None
    )
    if found is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    # Same lock order as submit and cancel: balance row, then request row.
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    request = _vendor_request_for_update(vendor=vendor, request_id=request_id)
    if not can_proceed(request.reject):
        raise ConflictError("cannot_reject", _not_pending_message(request))
    from_status = request.status
    request.reject()
    request.status_reason = reason
    request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status, reason=reason)
    _notify_customer(request)
    return request


def _notify_customer(request: InvoiceRequest) -> None:
    from .tasks import notify_customer_request_changed

    enqueue_on_commit(notify_customer_request_changed, request.pk)
