"""Refunds: request, approve, reject, billing-posted refunds; what they do to consumption, the wallet and debt."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.billing.models import VendorBalance
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import invoice_request_cancel
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.refunds.models import Refund
from apps.refunds.selectors import invoice_debts_for_account, refundable_amount, wallet_for
from apps.refunds.services.refunds import refund_approve, refund_post_approved, refund_reject, refund_request
from tests.factories import consume
from tests.helpers import accept, mail

pytestmark = pytest.mark.usefixtures("english")


def _balance(customer, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)


def _request(customer, vendor, amount="300.00", reason="Service cancelled") -> Refund:
    return refund_request(
        actor=customer,
        customer_account=customer.customer_account,
        vendor=vendor,
        amount=Decimal(amount),
        reason=reason,
    )


def test_request_notifies_the_vendor_and_changes_no_money(consumed, vendor, vendor_user):
    customer = consumed
    refund = _request(customer, vendor)

    assert refund.status == Refund.Status.REQUESTED
    assert _balance(customer, vendor).refunded == Decimal("0.00")
    assert wallet_for(customer_account=customer.customer_account).withdrawable == Decimal("0.00")
    assert refundable_amount(customer_account=customer.customer_account, vendor=vendor) == Decimal("700.00")
    notification = Notification.objects.get(kind=Notification.Kind.REFUND_REQUESTED)
    assert notification.recipient == vendor_user
    rendered = render_notification(notification, language="en")
    assert "¥300.00" in rendered.subject
    assert "approve" in rendered.text
    assert rendered.url == reverse("backoffice:refund_detail", args=[refund.pk])


def test_request_is_capped_by_consumption_minus_refunds_and_other_requests(consumed, vendor):
    customer = consumed
    _request(customer, vendor, "600.00")

    with pytest.raises(ApplicationError) as error:
        _request(customer, vendor, "400.01")

    assert error.value.code == "amount_exceeds_refundable"
    assert "¥400.00" in error.value.fields["amount"][0]
    _request(customer, vendor, "400.00")  # exactly what is left


def test_request_needs_a_reason_and_a_positive_amount(consumed, vendor):
    with pytest.raises(ApplicationError) as error:
        _request(consumed, vendor, reason="  ")
    assert error.value.code == "reason_required"
    with pytest.raises(ApplicationError) as error:
        _request(consumed, vendor, amount="0")
    assert "amount" in error.value.fields


def test_request_without_consumption_is_refused(customer, vendor):
    with pytest.raises(ApplicationError) as error:
        _request(customer, vendor, "1.00")
    assert error.value.code == "amount_exceeds_refundable"


def test_approve_lowers_consumption_and_fills_the_wallet(consumed, vendor, vendor_user):
    customer = consumed
    refund = _request(customer, vendor)

    refund = refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    assert refund.status == Refund.Status.APPROVED
    assert refund.decided_by == vendor_user
    balance = _balance(customer, vendor)
    assert (balance.consumed, balance.refunded, balance.invoiceable) == (
        Decimal("1000.00"),
        Decimal("300.00"),
        Decimal("700.00"),
    )
    assert wallet_for(customer_account=customer.customer_account).withdrawable == Decimal("300.00")
    notification = Notification.objects.get(kind=Notification.Kind.REFUND_APPROVED)
    assert notification.recipient == customer
    assert "withdraw" in render_notification(notification, language="en").text


def test_reject_needs_a_reason_and_changes_no_money(consumed, vendor, vendor_user):
    customer = consumed
    refund = _request(customer, vendor)
    with pytest.raises(ApplicationError) as error:
        refund_reject(actor=vendor_user, vendor=vendor, refund_id=refund.pk, reason="")
    assert error.value.code == "reason_required"

    refund = refund_reject(actor=vendor_user, vendor=vendor, refund_id=refund.pk, reason="Already credited")

    assert refund.status == Refund.Status.REJECTED
    assert refund.decision_reason == "Already credited"
    assert _balance(customer, vendor).refunded == Decimal("0.00")
    assert refundable_amount(customer_account=customer.customer_account, vendor=vendor) == Decimal("1000.00")
    text = render_notification(Notification.objects.get(kind=Notification.Kind.REFUND_REJECTED), language="en").text
    assert "Already credited" in text


def test_a_decided_refund_cannot_be_decided_again(consumed, vendor, vendor_user):
    refund = _request(consumed, vendor)
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    with pytest.raises(ConflictError) as error:
        refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)
    assert error.value.code == "refund_already_decided"
    with pytest.raises(ConflictError):
        refund_reject(actor=vendor_user, vendor=vendor, refund_id=refund.pk, reason="No")
    assert _balance(consumed, vendor).refunded == Decimal("300.00")


def test_another_vendor_cannot_see_or_decide_the_refund(consumed, vendor, other_vendor, other_vendor_user):
    refund = _request(consumed, vendor)
    with pytest.raises(NotFoundError):
        refund_approve(actor=other_vendor_user, vendor=other_vendor, refund_id=refund.pk)
    with pytest.raises(NotFoundError):
        refund_reject(actor=other_vendor_user, vendor=other_vendor, refund_id=refund.pk, reason="No")


def test_approval_may_leave_invoice_debt_which_blocks_new_applications(consumed, vendor, vendor_user, submit):
    customer = consumed
    mailed = mail(submit(customer, vendor, "600.00"))
    processing = accept(submit(customer, vendor, "200.00"))
    pending = submit(customer, vendor, "100.00")
    refund = _request(customer, vendor, "500.00")

    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    balance = _balance(customer, vendor)
    assert balance.invoice_debt == Decimal("400.00")  # 900 applied for, 1000 - 500 consumed
    assert balance.invoiceable == Decimal("0.00")
    [debt] = invoice_debts_for_account(customer_account=customer.customer_account)
    assert debt.debt == Decimal("400.00")
    # Pending first (a cancel is enough), then the processing one, then the mailed one: 100 + 200 + 600 >= 400.
    assert [(item.invoice_request.pk, item.action) for item in debt.blocking] == [
        (pending.pk, "cancel"),
        (processing.pk, "return"),
        (mailed.pk, "return"),
    ]
    assert "cancel it" in debt.blocking[0].message
    # Each request that counts says so on its timeline.
    notes = InvoiceEvent.objects.filter(kind=InvoiceEvent.Kind.REFUND_APPROVED)
    assert {note.request_id for note in notes} == {mailed.pk, processing.pk, pending.pk}
    assert "¥400.00" in notes.first().text
    customer_text = render_notification(
        Notification.objects.get(kind=Notification.Kind.REFUND_APPROVED), language="en"
    ).text
    assert "invoice debt" in customer_text

    with pytest.raises(ApplicationError) as error:
        submit(customer, vendor, "0.01")
    assert error.value.code == "amount_exceeds_invoiceable"
    assert "You owe this vendor invoices worth ¥400.00" in error.value.fields["amount"][0]

    # Cancelling the pending one lowers the debt but does not settle it.
    invoice_request_cancel(actor=customer, customer_account=customer.customer_account, invoice_request_id=pending.pk)
    [debt] = invoice_debts_for_account(customer_account=customer.customer_account)
    assert debt.debt == Decimal("300.00")
    assert [item.invoice_request.pk for item in debt.blocking] == [processing.pk, mailed.pk]


def test_no_debt_without_applications_above_the_net(consumed, vendor, vendor_user, submit):
    customer = consumed
    submit(customer, vendor, "500.00")
    refund = _request(customer, vendor, "500.00")
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    assert invoice_debts_for_account(customer_account=customer.customer_account) == []
    assert not InvoiceEvent.objects.filter(kind=InvoiceEvent.Kind.REFUND_APPROVED).exists()


def test_debt_selector_takes_constant_queries(
    consumed, vendor, other_vendor, vendor_user, submit, django_assert_max_num_queries
):
    customer = consumed
    consume(customer_account=customer.customer_account, vendor=other_vendor, amount="500.00")
    for _ in range(3):
        mail(submit(customer, vendor, "100.00"))
        submit(customer, other_vendor, "100.00")
    refund_post_approved(
        external_id="b-1", customer_account=customer.customer_account, vendor=vendor, amount=Decimal("1000.00")
    )
    refund_post_approved(
        external_id="b-2", customer_account=customer.customer_account, vendor=other_vendor, amount=Decimal("500.00")
    )

    with django_assert_max_num_queries(4):
        debts = invoice_debts_for_account(customer_account=customer.customer_account)
        [item.message for debt in debts for item in debt.blocking]
    assert [(debt.vendor, debt.debt, len(debt.blocking)) for debt in debts] == sorted(
        [(vendor, Decimal("300.00"), 3), (other_vendor, Decimal("300.00"), 3)], key=lambda row: row[0].name
    )


def test_billing_posted_refund_is_idempotent_by_external_id(consumed, vendor, other_vendor):
    customer = consumed
    account = customer.customer_account
    refund, created = refund_post_approved(
        external_id="bill-77", customer_account=account, vendor=vendor, amount=Decimal("250.00"), reason="Downgrade"
    )
    again, created_again = refund_post_approved(
        external_id="bill-77", customer_account=account, vendor=vendor, amount=Decimal("250.00")
    )

    assert (created, created_again) == (True, False)
    assert again.pk == refund.pk and refund.status == Refund.Status.APPROVED
    assert _balance(customer, vendor).refunded == Decimal("250.00")
    assert wallet_for(customer_account=account).withdrawable == Decimal("250.00")
    assert Notification.objects.filter(kind=Notification.Kind.REFUND_APPROVED).count() == 1

    with pytest.raises(ConflictError) as error:
        refund_post_approved(external_id="bill-77", customer_account=account, vendor=vendor, amount=Decimal("1.00"))
    assert error.value.code == "external_id_conflict"
    with pytest.raises(ApplicationError) as error:
        refund_post_approved(external_id="bill-78", customer_account=account, vendor=vendor, amount=Decimal("750.01"))
    assert error.value.code == "amount_exceeds_refundable"
    with pytest.raises(ApplicationError) as error:
        refund_post_approved(external_id="", customer_account=account, vendor=vendor, amount=Decimal("1.00"))
    assert error.value.code == "invalid_external_id"


def test_requested_refund_that_no_longer_fits_is_refused_at_approval(consumed, vendor, vendor_user):
    customer = consumed
    refund = _request(customer, vendor, "800.00")
    refund_post_approved(
        external_id="bill-1", customer_account=customer.customer_account, vendor=vendor, amount=Decimal("300.00")
    )

    with pytest.raises(ApplicationError) as error:
        refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    assert error.value.code == "amount_exceeds_refundable"
    assert Refund.objects.get(pk=refund.pk).status == Refund.Status.REQUESTED
    assert _balance(customer, vendor).refunded == Decimal("300.00")


def test_voided_request_no_longer_counts(consumed, vendor, vendor_user, submit):
    """Guard for the status list the debt reads: a voided or cancelled request is not blocking."""
    customer = consumed
    request = submit(customer, vendor, "100.00")
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.PENDING
    invoice_request_cancel(actor=customer, customer_account=customer.customer_account, invoice_request_id=request.pk)
    refund_post_approved(
        external_id="bill-2", customer_account=customer.customer_account, vendor=vendor, amount=Decimal("1000.00")
    )
    assert invoice_debts_for_account(customer_account=customer.customer_account) == []
