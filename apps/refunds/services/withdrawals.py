"""Withdrawals (提现): the customer takes refunded money out of the platform; staff pay or reject.

A request takes its amount out of the wallet at once (AccountWallet.withdrawn), so two requests can never together
take more than was refunded; a rejection gives it back. Refused while the account owes invoices with any vendor: the
refusal lists the blocking invoices and what to do for each. When the last one is voided (or cancelled), it opens.

Lock order: the CustomerAccount row (as invoice_request_submit takes it: a new withdrawal row references the account,
which takes a key-share lock that would otherwise deadlock with a submission) -> the account's VendorBalance rows (by
vendor id, so the debt check holds under lock) -> AccountWallet -> the withdrawal row.
"""

import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, User
from apps.billing.models import VendorBalance
from apps.core.defaults import lock_account
from apps.core.errors import ApplicationError, ConflictError
from apps.core.models import audit
from apps.core.money import format_cny, parse_amount
from apps.core.scope import get_in_scope_or_not_found
from apps.core.validators import check_no_control_characters
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, staff_recipients

from ..models import Withdrawal
from ..selectors import invoice_debt_message, invoice_debts_for_account
from .refunds import checked_text, wallet_lock

WITHDRAWAL_NOT_FOUND_MESSAGE = gettext_lazy("No such withdrawal.")
BANK_ACCOUNT_RE = re.compile(r"^[0-9][0-9 -]{6,38}[0-9]$")


def _not_staff() -> ApplicationError:
    return ApplicationError("permission_denied", _("Only marketplace staff can pay or reject withdrawals."))


def _checked_bank(*, bank_name: str, bank_account: str, account_holder: str) -> tuple[str, str, str]:
    values = {"bank_name": bank_name or "", "bank_account": bank_account or "", "account_holder": account_holder or ""}
    check_no_control_characters(values)
    bank_name, bank_account, account_holder = (value.strip() for value in values.values())
    errors: dict[str, list[str]] = {}
    if not bank_name:
        errors["bank_name"] = [_("Enter the bank and branch.")]
    elif len(bank_name) > Withdrawal._meta.get_field("bank_name").max_length:
        errors["bank_name"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    if not BANK_ACCOUNT_RE.match(bank_account):
        errors["bank_account"] = [_("Enter the bank account number: 8 to 40 digits (spaces allowed).")]
    if not account_holder:
        errors["account_holder"] = [_("Enter the account holder's name, as the bank has it.")]
    elif len(account_holder) > Withdrawal._meta.get_field("account_holder").max_length:
        errors["account_holder"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    if errors:
        raise ApplicationError("invalid_bank_account", next(iter(errors.values()))[0], errors)
    return bank_name, re.sub(r"[ -]", "", bank_account), account_holder


def _existing(customer_account: CustomerAccount, idempotency_key: str) -> Withdrawal | None:
    if not idempotency_key:
        return None
    return Withdrawal.objects.filter(customer_account=customer_account, idempotency_key=idempotency_key).first()


def _replayed(existing: Withdrawal, amount: Decimal) -> Withdrawal:
    if existing.amount != amount:
        message = _("This idempotency key was already used for a different withdrawal.")
        raise ConflictError("idempotency_key_reused", message, {"idempotency_key": [message]})
    return existing


@transaction.atomic
def withdrawal_request(
    *,
    actor: User,
    customer_account: CustomerAccount,
    amount: Decimal,
    bank_name: str,
    bank_account: str,
    account_holder: str,
    idempotency_key: str = "",
) -> Withdrawal:
    """Ask to be paid refunded money. The amount leaves the withdrawable balance now; staff pay or reject it.

    Refused with code `invoice_debt` while the account owes invoices with any vendor; `fields["debts"]` says, line by
    line, each vendor's debt and what to do with each blocking invoice.
    """
    amount = parse_amount(amount)
    bank_name, bank_account, account_holder = _checked_bank(
        bank_name=bank_name, bank_account=bank_account, account_holder=account_holder
    )
    idempotency_key = (idempotency_key or "").strip()
    check_no_control_characters({"idempotency_key": idempotency_key})
    if len(idempotency_key) > 64:
        message = _("An idempotency key has at most 64 characters.")
        raise ApplicationError("invalid_idempotency_key", message, {"idempotency_key": [message]})
    existing = _existing(customer_account, idempotency_key)
    if existing is not None:
        return _replayed(existing, amount)
    lock_account(customer_account.pk)
    # Every balance row of the account, in vendor order (no other path locks two, so no deadlock): a refund that
    # creates a debt either commits before this check (and is seen) or waits until this withdrawal commits.
    list(VendorBalance.objects.select_for_update().filter(customer_account=customer_account).order_by("vendor_id"))
    wallet = wallet_lock(customer_account_id=customer_account.pk)
    existing = _existing(customer_account, idempotency_key)
    if existing is not None:  # the same request arrived twice; the first one won the lock
        return _replayed(existing, amount)
    debts = invoice_debts_for_account(customer_account=customer_account)
    if debts:
        message = _("You cannot withdraw while you owe invoices.") + "\n" + invoice_debt_message(debts)
        # `fields` of an error hold readable strings only: each vendor's debt, then what to do with each blocking
        # invoice (the structured list is invoice_debts_for_account, /api/v1/invoice-debts/).
        lines = []
        for debt in debts:
            lines.append(str(debt.message))
            lines.extend(str(item.message) for item in debt.blocking)
        raise ApplicationError("invoice_debt", message, {"debts": lines})
    if amount > wallet.withdrawable:
        message = _("The amount is more than you can withdraw: at most %(available)s.") % {
            "available": format_cny(wallet.withdrawable)
        }
        raise ApplicationError("amount_exceeds_withdrawable", message, {"amount": [message]})
    wallet.withdrawn += amount
    wallet.save(update_fields=["withdrawn", "updated_at"])
    withdrawal = Withdrawal.objects.create(
        customer_account=customer_account,
        requested_by=actor,
        amount=amount,
        bank_name=bank_name,
        bank_account=bank_account,
        account_holder=account_holder,
        idempotency_key=idempotency_key,
    )
    audit(actor=actor, action="withdrawal_requested", obj=withdrawal, changes={"amount": str(amount)})
    notify(
        event_key=f"withdrawal_requested:{withdrawal.pk}",
        kind=Notification.Kind.WITHDRAWAL_REQUESTED,
        recipients=staff_recipients(),
        params=_params(withdrawal),
    )
    return withdrawal


def _params(withdrawal: Withdrawal, **extra) -> dict:
    return {
        "withdrawal_id": withdrawal.pk,
        "withdrawal_amount": f"{withdrawal.amount:.2f}",
        "account_name": withdrawal.customer_account.name,
        "bank_tail": withdrawal.bank_account[-4:],
        **extra,
    }


def _staff_withdrawal_locked(*, actor: User, withdrawal_id: int) -> Withdrawal:
    if not actor.is_marketplace_staff:
        raise _not_staff()
    found = get_in_scope_or_not_found(
        Withdrawal.objects.values("customer_account_id"), withdrawal_id, message=WITHDRAWAL_NOT_FOUND_MESSAGE
    )
    lock_account(found["customer_account_id"])
    wallet_lock(customer_account_id=found["customer_account_id"])
    withdrawal = Withdrawal.objects.select_for_update(of=("self",)).select_related("customer_account")
    withdrawal = withdrawal.get(pk=withdrawal_id)
    if withdrawal.status != Withdrawal.Status.REQUESTED:
        raise ConflictError(
            "withdrawal_already_decided",
            _("This withdrawal was already %(status)s.") % {"status": withdrawal.get_status_display().lower()},
        )
    return withdrawal


@transaction.atomic
def withdrawal_pay(*, actor: User, withdrawal_id: int, now=None) -> Withdrawal:
    """Staff paid the withdrawal (by bank transfer, outside the product)."""
    withdrawal = _staff_withdrawal_locked(actor=actor, withdrawal_id=withdrawal_id)
    withdrawal.status = Withdrawal.Status.PAID
    withdrawal.decided_by = actor
    withdrawal.decided_at = now or timezone.now()
    withdrawal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit(actor=actor, action="withdrawal_paid", obj=withdrawal, changes={"amount": str(withdrawal.amount)})
    notify(
        event_key=f"withdrawal_paid:{withdrawal.pk}",
        kind=Notification.Kind.WITHDRAWAL_PAID,
        recipients=customer_recipients(withdrawal.customer_account),
        params=_params(withdrawal),
    )
    return withdrawal


@transaction.atomic
def withdrawal_reject(*, actor: User, withdrawal_id: int, reason: str, now=None) -> Withdrawal:
    """Staff reject the withdrawal with a reason; its amount is withdrawable again."""
    reason = checked_text(reason, field="reason", required_message=_("Tell the customer why it is rejected."))
    withdrawal = _staff_withdrawal_locked(actor=actor, withdrawal_id=withdrawal_id)
    wallet = wallet_lock(customer_account_id=withdrawal.customer_account_id)
    wallet.withdrawn -= withdrawal.amount
    wallet.save(update_fields=["withdrawn", "updated_at"])
    withdrawal.status = Withdrawal.Status.REJECTED
    withdrawal.decided_by = actor
    withdrawal.decided_at = now or timezone.now()
    withdrawal.decision_reason = reason
    withdrawal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
    audit(actor=actor, action="withdrawal_rejected", obj=withdrawal, changes={"reason": reason})
    notify(
        event_key=f"withdrawal_rejected:{withdrawal.pk}",
        kind=Notification.Kind.WITHDRAWAL_REJECTED,
        recipients=customer_recipients(withdrawal.customer_account),
        params=_params(withdrawal, reason=reason),
    )
    return withdrawal
