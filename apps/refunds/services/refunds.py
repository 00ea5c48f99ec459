"""Refunds (退款): the customer requests, the vendor approves or rejects; the billing system posts approved ones.

An approved refund lowers what the account consumed with the vendor (VendorBalance.refunded) and adds the amount to
the account's withdrawable balance (AccountWallet.refunded). It is allowed even when it leaves the account owing
invoices (invoice debt: requests pending, processing or mailing above consumed - refunded); the database then refuses
any new application with that vendor until the debt is settled (returned invoices voided, pending ones cancelled).

Lock order (as everywhere): CustomerAccount row (lock_account, as invoice_request_submit takes it) -> VendorBalance
row -> InvoiceRequest rows -> AccountWallet row -> the refund row. The account row comes first because inserting a
row that references the account (a refund, the wallet) takes a key-share lock on it: without it first, a refund and
a submission at the same moment deadlock (submission: account, then balance; refund: balance, then account).
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, User, Vendor
from apps.billing.models import VendorBalance
from apps.billing.services import balance_lock
from apps.core import validators
from apps.core.defaults import lock_account
from apps.core.errors import ApplicationError, ConflictError
from apps.core.models import audit
from apps.core.money import ZERO, format_cny, parse_amount
from apps.core.scope import get_in_scope_or_not_found
from apps.core.validators import check_no_control_characters
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, vendor_recipients

from ..models import AccountWallet, Refund
from ..selectors import INVOICED_STATUSES

REFUND_NOT_FOUND_MESSAGE = gettext_lazy("No such refund.")
REASON_MAX_LENGTH = 500
# The requests that count in VendorBalance.invoiced (and so in invoice debt).


def wallet_lock(*, customer_account_id: int) -> AccountWallet:
    """The account's refund wallet, created if needed, locked until the transaction ends (after any balance row)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("wallet_lock must run inside a transaction")
    try:
        with transaction.atomic():
            AccountWallet.objects.get_or_create(customer_account_id=customer_account_id)
    except IntegrityError:
        pass  # created by a concurrent transaction a moment ago
    return AccountWallet.objects.select_for_update().get(customer_account_id=customer_account_id)


def checked_text(value: str, *, field: str, required_message: str = "", limit: int = REASON_MAX_LENGTH) -> str:
    """The shared text rule (apps.core.validators.checked_text) with this module's own limit (500, not 1000)."""
    return validators.checked_text(value, field=field, limit=limit, required_message=required_message)


def _requested_total(*, customer_account_id: int, vendor_id: int, exclude_id: int | None = None) -> Decimal:
    refunds = Refund.objects.filter(
        customer_account_id=customer_account_id, vendor_id=vendor_id, status=Refund.Status.REQUESTED
    )
    if exclude_id is not None:
        refunds = refunds.exclude(pk=exclude_id)
    return refunds.aggregate(total=Sum("amount"))["total"] or ZERO


def _too_much(available: Decimal) -> ApplicationError:
    message = _("The amount is more than can be refunded with this vendor: at most %(available)s.") % {
        "available": format_cny(max(available, ZERO))
    }
    return ApplicationError("amount_exceeds_refundable", message, {"amount": [message]})


def _params(refund: Refund, **extra) -> dict:
    return {
        "refund_id": refund.pk,
        "refund_amount": f"{refund.amount:.2f}",
        "vendor_name": refund.vendor.name,
        "account_name": refund.customer_account.name,
        **extra,
    }


@transaction.atomic
def refund_request(
    *, actor: User, customer_account: CustomerAccount, vendor: Vendor, amount: Decimal, reason: str
) -> Refund:
    """The customer asks the vendor for a refund of consumption: at most consumed - refunded - other open requests.

    Locks the balance row, so two requests at once cannot together ask for more than was consumed.
    """
    amount = parse_amount(amount)
    reason = checked_text(reason, field="reason", required_message=_("Say why you want the refund."))
    if vendor is None:
        message = _("Choose a vendor.")
        raise ApplicationError("vendor_required", message, {"vendor": [message]})
    lock_account(customer_account.pk)
    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    available = (
        balance.consumed
        - balance.refunded
        - _requested_total(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    )
    if amount > available:
        raise _too_much(available)
    refund = Refund.objects.create(
        customer_account=customer_account, vendor=vendor, amount=amount, reason=reason, requested_by=actor
    )
    audit(actor=actor, action="refund_requested", obj=refund, changes={"amount": str(amount), "vendor": vendor.pk})
    notify(
        event_key=f"refund_requested:{refund.pk}",
        kind=Notification.Kind.REFUND_REQUESTED,
        recipients=vendor_recipients(vendor),
        params=_params(refund, reason=reason),
    )
    return refund


def _vendor_refund_locked(*, vendor: Vendor, refund_id: int) -> tuple[Refund, VendorBalance]:
    """Balance row first, then the refund row (the lock order), scoped to the vendor (404 outside)."""
    found = get_in_scope_or_not_found(
        Refund.objects.filter(vendor=vendor).values("customer_account_id", "vendor_id"),
        refund_id,
        message=REFUND_NOT_FOUND_MESSAGE,
    )
    lock_account(found["customer_account_id"])
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    refund = (
        Refund.objects.select_for_update(of=("self",)).select_related("vendor", "customer_account").get(pk=refund_id)
    )
    return refund, balance


def refund_already_decided_error(refund: Refund) -> ConflictError:
    """What deciding a refund that is no longer waiting answers (the back-office page says the same)."""
    return ConflictError(
        "refund_already_decided",
        _("This refund was already %(status)s.") % {"status": refund.get_status_display().lower()},
    )


def _apply_approved(*, refund: Refund, balance: VendorBalance, actor: User | None) -> Decimal:
    """Lower consumption, add to the wallet, note the debt on the blocking requests. Returns the debt it leaves."""
    if refund.amount > balance.consumed - balance.refunded:
        raise _too_much(balance.consumed - balance.refunded)
    balance.refunded += refund.amount
    balance.save(update_fields=["refunded", "updated_at"])
    wallet = wallet_lock(customer_account_id=refund.customer_account_id)
    wallet.refunded += refund.amount
    wallet.save(update_fields=["refunded", "updated_at"])
    debt = balance.invoice_debt
    if debt > ZERO:
        # Each request that may have to go back says why on its timeline (the customer and vendor see it there).
        blocking = InvoiceRequest.objects.filter(
            customer_account_id=refund.customer_account_id, vendor_id=refund.vendor_id, status__in=INVOICED_STATUSES
        ).order_by("submitted_at", "id")
        for invoice_request in blocking:
            InvoiceEvent.record_note(
                request=invoice_request,
                actor=actor,
                kind=InvoiceEvent.Kind.REFUND_APPROVED,
                params={"amount": f"{refund.amount:.2f}", "debt": f"{debt:.2f}", "refund_id": refund.pk},
            )
    return debt


@transaction.atomic
def refund_approve(*, actor: User, vendor: Vendor, refund_id: int, reason: str = "", now=None) -> Refund:
    """The vendor approves a requested refund: consumption goes down, the customer's withdrawable balance goes up.

    If the account then owes invoices with this vendor, every request that counts is noted on its timeline, and the
    customer's notification says which ones to return or cancel.
    """
    reason = checked_text(reason, field="reason")
    refund, balance = _vendor_refund_locked(vendor=vendor, refund_id=refund_id)
    if refund.status != Refund.Status.REQUESTED:
        raise refund_already_decided_error(refund)
    debt = _apply_approved(refund=refund, balance=balance, actor=actor)
    refund.status = Refund.Status.APPROVED
    refund.decided_by = actor
    refund.decided_at = now or timezone.now()
    refund.decision_reason = reason
    refund.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    audit(actor=actor, action="refund_approved", obj=refund, changes={"amount": str(refund.amount)})
    notify(
        event_key=f"refund_approved:{refund.pk}",
        kind=Notification.Kind.REFUND_APPROVED,
        recipients=customer_recipients(refund.customer_account),
        params=_params(refund, reason=reason, debt=f"{debt:.2f}"),
    )
    return refund


@transaction.atomic
def refund_reject(*, actor: User, vendor: Vendor, refund_id: int, reason: str, now=None) -> Refund:
    """The vendor rejects a requested refund with a reason the customer can act on."""
    reason = checked_text(reason, field="reason", required_message=_("Tell the customer why the refund is rejected."))
    refund, _balance = _vendor_refund_locked(vendor=vendor, refund_id=refund_id)
    if refund.status != Refund.Status.REQUESTED:
        raise refund_already_decided_error(refund)
    refund.status = Refund.Status.REJECTED
    refund.decided_by = actor
    refund.decided_at = now or timezone.now()
    refund.decision_reason = reason
    refund.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    audit(actor=actor, action="refund_rejected", obj=refund, changes={"reason": reason})
    notify(
        event_key=f"refund_rejected:{refund.pk}",
        kind=Notification.Kind.REFUND_REJECTED,
        recipients=customer_recipients(refund.customer_account),
        params=_params(refund, reason=reason),
    )
    return refund


@transaction.atomic
def refund_post_approved(
    *,
    external_id: str,
    customer_account: CustomerAccount,
    vendor: Vendor,
    amount: Decimal,
    reason: str = "",
    actor: User | None = None,
) -> tuple[Refund, bool]:
    """An approved refund from the billing system. Returns (refund, created).

    Idempotent by `external_id`: the same id with the same account, vendor and amount returns the first refund;
    with a different body it is refused (409 external_id_conflict).
    """
    external_id = (external_id or "").strip()
    check_no_control_characters({"external_id": external_id})
    limit = Refund._meta.get_field("external_id").max_length
    if not external_id or len(external_id) > limit:
        message = (
            _("Every posted refund needs an external ID.")
            if not external_id
            else _("An external ID has at most %(limit)d characters.") % {"limit": limit}
        )
        raise ApplicationError("invalid_external_id", message, {"external_id": [message]})
    amount = parse_amount(amount)
    reason = checked_text(reason, field="reason")
    lock_account(customer_account.pk)
    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    existing = Refund.objects.filter(external_id=external_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    customer_account=customer_account,
                    vendor=vendor,
                    amount=amount,
                    reason=reason,
                    status=Refund.Status.APPROVED,
                    decided_at=timezone.now(),
                    external_id=external_id,
                )
        except IntegrityError:  # the same id at the same moment under another balance lock
            existing = Refund.objects.get(external_id=external_id)
    if existing is not None:
        if (existing.customer_account_id, existing.vendor_id, existing.amount) != (
            customer_account.pk,
            vendor.pk,
            amount,
        ):
            message = _("External ID %(id)s was already posted with a different account, vendor or amount.") % {
                "id": external_id
            }
            raise ConflictError("external_id_conflict", message, {"external_id": [message]})
        return existing, False
    refund.vendor = vendor
    refund.customer_account = customer_account
    debt = _apply_approved(refund=refund, balance=balance, actor=actor)
    audit(actor=actor, action="refund_posted", obj=refund, changes={"amount": str(amount), "external_id": external_id})
    notify(
        event_key=f"refund_approved:{refund.pk}",
        kind=Notification.Kind.REFUND_APPROVED,
        recipients=customer_recipients(customer_account),
        params=_params(refund, reason=reason, debt=f"{debt:.2f}"),
    )
    return refund, True
