"""Property: through any sequence of consumption, applications, accepts, mails, cancels, refunds, voids and
withdrawals, the balances the product shows (invoiceable, invoice debt, withdrawable) equal what the ledger rows say,
and never go negative; while there is debt, new applications and withdrawals are refused.

Each example runs in a savepoint rolled back at its end, so examples never see each other's rows.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.core.errors import ApplicationError
from apps.core.money import ZERO
from apps.invoices.models import InvoiceRequest
from apps.refunds.models import AccountWallet, Refund, Withdrawal
from apps.refunds.selectors import invoice_debts_for_account, wallet_for
from apps.refunds.services.refunds import refund_approve, refund_post_approved, refund_request
from apps.refunds.services.tickets import ticket_open
from apps.refunds.services.voiding import invoice_request_void
from apps.refunds.services.withdrawals import withdrawal_pay, withdrawal_reject, withdrawal_request
from tests.factories import consume
from tests.helpers import accept, cancel, fresh, mail, submit

BANK = {"bank_name": "招商银行", "bank_account": "6225880123456789", "account_holder": "某某公司"}
INVOICED = ("pending", "processing", "mailing")

amounts = st.integers(min_value=1, max_value=600).map(lambda yuan: Decimal(yuan))
vendor_index = st.integers(min_value=0, max_value=1)
pick = st.integers(min_value=0, max_value=50)  # which existing request or withdrawal (modulo how many there are)
operations = st.one_of(
    st.tuples(st.just("consume"), vendor_index, amounts),
    st.tuples(st.just("apply"), vendor_index, amounts),
    st.tuples(st.just("accept"), pick, st.just(0)),
    st.tuples(st.just("mail"), pick, st.just(0)),
    st.tuples(st.just("cancel"), pick, st.just(0)),
    st.tuples(st.just("void"), pick, st.just(0)),
    st.tuples(st.just("refund"), vendor_index, amounts),
    st.tuples(st.just("refund_posted"), vendor_index, amounts),
    st.tuples(st.just("withdraw"), st.just(0), amounts),
    st.tuples(st.just("withdrawal_pay"), pick, st.just(0)),
    st.tuples(st.just("withdrawal_reject"), pick, st.just(0)),
)


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Sum("amount"))["total"] or ZERO


def _check_ledger(account, vendors) -> None:
    """What the product shows equals what the rows say, and nothing is negative."""
    debts = {debt.vendor.pk: debt for debt in invoice_debts_for_account(customer_account=account)}
    for vendor in vendors:
        balance = VendorBalance.objects.filter(customer_account=account, vendor=vendor).first()
        consumed = _sum(ConsumptionRecord.objects.filter(customer_account=account, vendor=vendor))
        refunded = _sum(Refund.objects.filter(customer_account=account, vendor=vendor, status="approved"))
        invoiced = _sum(InvoiceRequest.objects.filter(customer_account=account, vendor=vendor, status__in=INVOICED))
        if balance is None:
            assert consumed == refunded == invoiced == ZERO
            continue
        assert (balance.consumed, balance.refunded, balance.invoiced) == (consumed, refunded, invoiced)
        net = consumed - refunded
        assert net >= ZERO
        assert balance.invoiceable == max(net - invoiced, ZERO) >= ZERO
        assert balance.invoice_debt == max(invoiced - net, ZERO) >= ZERO
        if balance.invoice_debt:
            debt = debts[vendor.pk]
            assert debt.debt == balance.invoice_debt
            # Settling what the notice lists settles the debt.
            assert sum(item.invoice_request.amount for item in debt.blocking) >= debt.debt
        else:
            assert vendor.pk not in debts
    wallet = wallet_for(customer_account=account)
    refunded_total = _sum(Refund.objects.filter(customer_account=account, status="approved"))
    withdrawn_total = _sum(Withdrawal.objects.filter(customer_account=account, status__in=["requested", "paid"]))
    assert (wallet.refunded, wallet.withdrawn) == (refunded_total, withdrawn_total)
    assert wallet.withdrawable == refunded_total - withdrawn_total >= ZERO


def _run(op, *, customer, vendors, vendor_users, staff_user, counter) -> None:
    account = customer.customer_account
    kind, which, amount = op
    requests = list(InvoiceRequest.objects.filter(customer_account=account).order_by("pk"))
    chosen = requests[which % len(requests)] if requests else None
    if kind == "consume":
        consume(customer_account=account, vendor=vendors[which], amount=amount)
    elif kind == "apply":
        in_debt = any(d.vendor == vendors[which] for d in invoice_debts_for_account(customer_account=account))
        try:
            submit(customer, vendors[which], amount)
        except ApplicationError as error:
            assert error.code in ("amount_exceeds_invoiceable", "invalid_application")  # over the cap, or none
        else:
            assert not in_debt, "an application was recorded while the account owed invoices"
    elif kind in ("accept", "mail", "cancel") and chosen is not None:
        user = vendor_users[vendors.index(chosen.vendor)]
        action = {
            "accept": lambda: accept(chosen, user),
            "mail": lambda: mail(chosen, user),
            "cancel": lambda: cancel(chosen),
        }
        if chosen.status in {"accept": ("pending",), "mail": ("pending", "processing"), "cancel": ("pending",)}[kind]:
            action[kind]()
    elif kind == "void" and chosen is not None and chosen.status == "mailing":
        ticket = ticket_open(
            actor=customer, customer_account=account, subject="Void", body="Returned", invoice_request_id=chosen.pk
        )
        invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="Returned")
        assert fresh(chosen).status == "voided"
    elif kind == "refund":
        vendor = vendors[which]
        try:
            refund = refund_request(
                actor=customer, customer_account=account, vendor=vendor, amount=amount, reason="Cancelled"
            )
        except ApplicationError as error:
            assert error.code == "amount_exceeds_refundable"
        else:
            refund_approve(actor=vendor_users[which], vendor=vendor, refund_id=refund.pk)
    elif kind == "refund_posted":
        try:
            refund_post_approved(
                external_id=f"p-{next(counter)}", customer_account=account, vendor=vendors[which], amount=amount
            )
        except ApplicationError as error:
            assert error.code == "amount_exceeds_refundable"
    elif kind == "withdraw":
        in_debt = bool(invoice_debts_for_account(customer_account=account))
        withdrawable = wallet_for(customer_account=account).withdrawable
        try:
            withdrawal_request(actor=customer, customer_account=account, amount=amount, **BANK)
        except ApplicationError as error:
            expected = "invoice_debt" if in_debt else "amount_exceeds_withdrawable"
            assert error.code == expected
            assert in_debt or amount > withdrawable
        else:
            assert not in_debt and amount <= withdrawable
    elif kind in ("withdrawal_pay", "withdrawal_reject"):
        open_ones = list(Withdrawal.objects.filter(customer_account=account, status="requested").order_by("pk"))
        if open_ones:
            withdrawal = open_ones[which % len(open_ones)]
            if kind == "withdrawal_pay":
                withdrawal_pay(actor=staff_user, withdrawal_id=withdrawal.pk)
            else:
                withdrawal_reject(actor=staff_user, withdrawal_id=withdrawal.pk, reason="Wrong account")


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    database=None,  # no .hypothesis folder in the tree; a failure prints its example to paste into @example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operations, min_size=1, max_size=12))
# The path, always run: apply, mail, refund into debt, withdrawal refused, void, withdrawal allowed.
@example(
    ops=[
        ("apply", 0, Decimal(400)),
        ("mail", 0, 0),
        ("refund", 0, Decimal(300)),
        ("apply", 0, Decimal(1)),
        ("withdraw", 0, Decimal(100)),
        ("void", 0, 0),
        ("withdraw", 0, Decimal(100)),
        ("withdrawal_reject", 0, 0),
        ("withdraw", 0, Decimal(300)),
        ("withdrawal_pay", 0, 0),
    ]
)
def test_balances_always_equal_the_ledger(
    ops, customer, vendor, other_vendor, vendor_user, other_vendor_user, staff_user
):
    vendors = [vendor, other_vendor]
    vendor_users = [vendor_user, other_vendor_user]
    counter = iter(range(1, 10**6))
    with transaction.atomic():
        consume(customer_account=customer.customer_account, vendor=vendor, amount="500.00")
        for op in ops:
            _run(
                op,
                customer=customer,
                vendors=vendors,
                vendor_users=vendor_users,
                staff_user=staff_user,
                counter=counter,
            )
            _check_ledger(customer.customer_account, vendors)
        transaction.set_rollback(True)
    assert not AccountWallet.objects.filter(customer_account=customer.customer_account).exists()
