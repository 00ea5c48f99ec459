"""Withdrawals: requested out of the refund wallet, paid or rejected by staff, blocked while invoices are owed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.refunds.models import Withdrawal
from apps.refunds.selectors import invoice_debts_for_account, wallet_for, withdrawals_for_customer
from apps.refunds.services.refunds import refund_post_approved
from apps.refunds.services.returns import (
    invoice_return_agree,
    invoice_return_receive,
    invoice_return_request,
    invoice_return_ship,
)
from apps.refunds.services.tickets import ticket_open
from apps.refunds.services.voiding import invoice_request_void
from apps.refunds.services.withdrawals import withdrawal_pay, withdrawal_reject, withdrawal_request
from tests.helpers import mail

pytestmark = pytest.mark.usefixtures("english")

BANK = {
    "bank_name": "招商银行北京分行",
    "bank_account": "6225 8801 2345 6789",
    "account_holder": "北京某某科技有限公司",
}


def _refund(customer, vendor, amount="300.00", external_id="bill-1"):
    refund, _created = refund_post_approved(
        external_id=external_id, customer_account=customer.customer_account, vendor=vendor, amount=Decimal(amount)
    )
    return refund


def _withdraw(customer, amount="100.00", **overrides) -> Withdrawal:
    return withdrawal_request(
        actor=customer,
        customer_account=customer.customer_account,
        amount=Decimal(amount),
        **{**BANK, **overrides},
    )


def _withdrawable(customer) -> Decimal:
    return wallet_for(customer_account=customer.customer_account).withdrawable


def test_request_takes_the_amount_out_of_the_wallet_and_tells_staff(consumed, vendor, staff_user):
    _refund(consumed, vendor)

    withdrawal = _withdraw(consumed, "120.50")

    assert withdrawal.status == Withdrawal.Status.REQUESTED
    assert withdrawal.bank_account == "6225880123456789"
    assert _withdrawable(consumed) == Decimal("179.50")
    assert list(withdrawals_for_customer(customer_account=consumed.customer_account)) == [withdrawal]
    notification = Notification.objects.get(kind=Notification.Kind.WITHDRAWAL_REQUESTED)
    assert notification.recipient == staff_user
    rendered = render_notification(notification, language="en")
    assert "6789" in rendered.text
    assert rendered.url == reverse("staffconsole:withdrawals")


def test_request_cannot_exceed_the_withdrawable_balance(consumed, vendor):
    _refund(consumed, vendor, "100.00")
    _withdraw(consumed, "60.00")

    with pytest.raises(ApplicationError) as error:
        _withdraw(consumed, "40.01")

    assert error.value.code == "amount_exceeds_withdrawable"
    assert "¥40.00" in error.value.fields["amount"][0]


def test_nothing_to_withdraw_without_refunds(customer):
    with pytest.raises(ApplicationError) as error:
        _withdraw(customer, "0.01")
    assert error.value.code == "amount_exceeds_withdrawable"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bank_name", " "),
        ("bank_account", "12ab"),
        ("bank_account", "123"),
        ("account_holder", ""),
        ("bank_name", "x\x00"),
    ],
)
def test_bank_details_are_checked(consumed, vendor, field, value):
    _refund(consumed, vendor)
    with pytest.raises(ApplicationError) as error:
        _withdraw(consumed, **{field: value})
    assert field in error.value.fields
    assert _withdrawable(consumed) == Decimal("300.00")


def test_idempotency_key_replays_the_first_request(consumed, vendor):
    _refund(consumed, vendor)
    first = _withdraw(consumed, "100.00", idempotency_key="k1")
    again = _withdraw(consumed, "100.00", idempotency_key="k1")

    assert again.pk == first.pk
    assert _withdrawable(consumed) == Decimal("200.00")
    with pytest.raises(ConflictError) as error:
        _withdraw(consumed, "50.00", idempotency_key="k1")
    assert error.value.code == "idempotency_key_reused"


def test_staff_pay(consumed, vendor, staff_user):
    _refund(consumed, vendor)
    withdrawal = _withdraw(consumed, "100.00")

    withdrawal = withdrawal_pay(actor=staff_user, withdrawal_id=withdrawal.pk)

    assert withdrawal.status == Withdrawal.Status.PAID
    assert withdrawal.decided_by == staff_user
    assert _withdrawable(consumed) == Decimal("200.00")
    notification = Notification.objects.get(kind=Notification.Kind.WITHDRAWAL_PAID)
    assert notification.recipient == consumed
    rendered = render_notification(notification, language="en")
    assert "¥100.00" in rendered.subject and "6789" in rendered.text
    assert rendered.url == reverse("console:withdrawals")
    assert render_notification(notification, language="zh-hans").subject  # renders in the default language too
    with pytest.raises(ConflictError) as error:
        withdrawal_reject(actor=staff_user, withdrawal_id=withdrawal.pk, reason="Oops")
    assert error.value.code == "withdrawal_already_decided"
    assert _withdrawable(consumed) == Decimal("200.00")


def test_staff_reject_gives_the_amount_back(consumed, vendor, staff_user):
    _refund(consumed, vendor)
    withdrawal = _withdraw(consumed, "100.00")
    with pytest.raises(ApplicationError) as error:
        withdrawal_reject(actor=staff_user, withdrawal_id=withdrawal.pk, reason="")
    assert error.value.code == "reason_required"

    withdrawal = withdrawal_reject(actor=staff_user, withdrawal_id=withdrawal.pk, reason="Account holder differs")

    assert withdrawal.status == Withdrawal.Status.REJECTED
    assert _withdrawable(consumed) == Decimal("300.00")
    text = render_notification(Notification.objects.get(kind=Notification.Kind.WITHDRAWAL_REJECTED), language="en")
    assert "Account holder differs" in text.text
    with pytest.raises(ConflictError):
        withdrawal_pay(actor=staff_user, withdrawal_id=withdrawal.pk)


def test_only_staff_pay_or_reject(consumed, vendor, vendor_user):
    _refund(consumed, vendor)
    withdrawal = _withdraw(consumed)
    for actor in (consumed, vendor_user):
        with pytest.raises(ApplicationError) as error:
            withdrawal_pay(actor=actor, withdrawal_id=withdrawal.pk)
        assert error.value.code == "permission_denied"
    assert Withdrawal.objects.get(pk=withdrawal.pk).status == Withdrawal.Status.REQUESTED


def test_unknown_withdrawal_is_not_found(staff_user):
    with pytest.raises(NotFoundError):
        withdrawal_pay(actor=staff_user, withdrawal_id=999999)


def test_blocked_by_invoice_debt_until_the_last_blocking_invoice_is_voided(
    consumed, vendor, vendor_user, staff_user, submit
):
    """The issue's path: a refund leaves debt; the refusal names the invoice; return, ticket, void, withdraw."""
    customer = consumed
    account = customer.customer_account
    mailed = mail(submit(customer, vendor, "800.00"))
    _refund(customer, vendor, "500.00")  # consumed net 500, applied 800: owes 300

    with pytest.raises(ApplicationError) as error:
        _withdraw(customer, "100.00")

    assert error.value.code == "invoice_debt"
    # Readable strings only (the API's error body carries `fields` as they are): the vendor's debt, then the invoice.
    vendor_line, invoice_line = error.value.fields["debts"]
    assert all(isinstance(line, str) for line in error.value.fields["debts"])
    assert vendor.name in vendor_line
    assert "300.00" in vendor_line
    assert mailed.number in invoice_line
    assert mailed.number in error.value.message
    assert "ask the vendor for a return" in error.value.message
    assert _withdrawable(customer) == Decimal("500.00")

    invoice_return = invoice_return_request(
        actor=customer, customer_account=account, invoice_request_id=mailed.pk, purpose="refund", reason="Refunded"
    )
    invoice_return_agree(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk, fault="")
    invoice_return_ship(
        actor=customer,
        customer_account=account,
        return_id=invoice_return.pk,
        courier="sf",
        tracking_number="SF1234567890",
    )
    invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk)
    [debt] = invoice_debts_for_account(customer_account=account)
    assert debt.blocking[0].action == "wait_for_void"
    ticket = ticket_open(
        actor=customer,
        customer_account=account,
        subject="Please void",
        body="Returned",
        invoice_return_id=invoice_return.pk,
    )
    with pytest.raises(ApplicationError) as error:
        _withdraw(customer, "100.00")
    assert error.value.code == "invoice_debt"

    invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned for a refund")

    assert invoice_debts_for_account(customer_account=account) == []
    withdrawal = _withdraw(customer, "500.00")
    assert withdrawal.status == Withdrawal.Status.REQUESTED
    assert _withdrawable(customer) == Decimal("0.00")
