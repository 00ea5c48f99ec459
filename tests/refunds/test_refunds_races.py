"""Races on real PostgreSQL with real threads: approvals, withdrawals, applications and refunds at the same moment."""

from decimal import Decimal

import pytest

from apps.billing.models import VendorBalance
from apps.refunds.models import AccountWallet, Refund, Withdrawal
from apps.refunds.services.refunds import refund_approve, refund_post_approved, refund_request
from apps.refunds.services.withdrawals import withdrawal_request
from tests.helpers import mail, record_queued_notifications, run_together, submit

BANK = {"bank_name": "招商银行", "bank_account": "6225880123456789", "account_holder": "某某公司"}


@pytest.fixture(autouse=True)
def _queued(monkeypatch):
    record_queued_notifications(monkeypatch)


def _codes(results):
    return sorted(result[0] if isinstance(result, tuple) else type(result).__name__ for result in results)


def _withdraw_job(customer, amount):
    def job(_index):
        return withdrawal_request(
            actor=customer, customer_account=customer.customer_account, amount=Decimal(amount), **BANK
        )

    return job


@pytest.mark.django_db(transaction=True)
def test_two_approvals_of_one_refund_approve_it_once(consumed, vendor, vendor_user):
    refund = refund_request(
        actor=consumed,
        customer_account=consumed.customer_account,
        vendor=vendor,
        amount=Decimal("300.00"),
        reason="Cancelled",
    )

    results = run_together(lambda _i: refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk), 2)

    assert _codes(results) == ["Refund", "refund_already_decided"]
    assert VendorBalance.objects.get(vendor=vendor).refunded == Decimal("300.00")
    assert AccountWallet.objects.get(customer_account=consumed.customer_account).refunded == Decimal("300.00")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_refund_requests_never_ask_for_more_than_was_consumed(consumed, vendor):
    def job(_index):
        return refund_request(
            actor=consumed,
            customer_account=consumed.customer_account,
            vendor=vendor,
            amount=Decimal("300.00"),
            reason="Cancelled",
        )

    results = run_together(job, 5)

    assert _codes(results).count("Refund") == 3
    assert Refund.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_withdrawals_at_once_never_drain_more_than_the_wallet(consumed, vendor):
    refund_post_approved(
        external_id="bill-1", customer_account=consumed.customer_account, vendor=vendor, amount=Decimal("100.00")
    )

    results = run_together(_withdraw_job(consumed, "40.00"), 6)

    assert _codes(results) == ["Withdrawal"] * 2 + ["amount_exceeds_withdrawable"] * 4
    wallet = AccountWallet.objects.get(customer_account=consumed.customer_account)
    assert (wallet.refunded, wallet.withdrawn) == (Decimal("100.00"), Decimal("80.00"))


@pytest.mark.django_db(transaction=True)
def test_withdrawal_and_new_application_at_once_both_keep_the_books(consumed, vendor):
    account = consumed.customer_account
    refund_post_approved(external_id="bill-1", customer_account=account, vendor=vendor, amount=Decimal("300.00"))
    jobs = [_withdraw_job(consumed, "300.00"), lambda _i: submit(consumed, vendor, "700.00")]

    results = run_together(lambda index: jobs[index](index), 2)

    assert _codes(results) == ["InvoiceRequest", "Withdrawal"], results  # no deadlock, neither blocks the other
    balance = VendorBalance.objects.get(customer_account=account, vendor=vendor)
    assert (balance.invoiced, balance.invoiceable, balance.invoice_debt) == (Decimal("700.00"), 0, 0)
    assert AccountWallet.objects.get(customer_account=account).withdrawable == Decimal("0.00")


@pytest.mark.django_db(transaction=True)
def test_withdrawal_racing_a_refund_that_creates_debt_is_either_before_it_or_refused(consumed, vendor, vendor_user):
    account = consumed.customer_account
    refund_post_approved(external_id="bill-1", customer_account=account, vendor=vendor, amount=Decimal("100.00"))
    mail(submit(consumed, vendor, "900.00"))
    refund = refund_request(
        actor=consumed, customer_account=account, vendor=vendor, amount=Decimal("500.00"), reason="Cancelled"
    )
    jobs = [
        _withdraw_job(consumed, "100.00"),
        lambda _i: refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk),
    ]

    results = run_together(lambda index: jobs[index](index), 2)

    assert isinstance(results[1], Refund), results
    withdrawal = Withdrawal.objects.first()
    if withdrawal is None:  # the refund committed first: the withdrawal saw the debt
        assert results[0][0] == "invoice_debt"
    else:  # the withdrawal committed first, before there was any debt
        assert withdrawal.created_at <= Refund.objects.get(pk=refund.pk).decided_at
    wallet = AccountWallet.objects.get(customer_account=account)
    assert wallet.refunded == Decimal("600.00")
    assert VendorBalance.objects.get(customer_account=account, vendor=vendor).invoice_debt == Decimal("500.00")
