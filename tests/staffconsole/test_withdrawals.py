"""The staff console's withdrawals: the queue by status, pay, reject with a reason (the amount goes back)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.notifications.models import Notification
from apps.refunds.models import AccountWallet, Withdrawal
from apps.refunds.services.refunds import refund_post_approved
from apps.refunds.services.withdrawals import withdrawal_request
from tests.helpers import page_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def withdrawal(consumed, vendor):
    """customer refunded ¥300.00 and asked to withdraw ¥200.00 of it."""
    refund_post_approved(
        external_id="bill-1", customer_account=consumed.customer_account, vendor=vendor, amount=Decimal("300.00")
    )
    return withdrawal_request(
        actor=consumed,
        customer_account=consumed.customer_account,
        amount=Decimal("200.00"),
        bank_name="招商银行上海分行",
        bank_account="6225880212345678",
        account_holder="上海示例科技有限公司",
    )


def _wallet(withdrawal) -> AccountWallet:
    return AccountWallet.objects.get(customer_account=withdrawal.customer_account)


def test_the_queue_shows_what_to_pay_and_where(withdrawal, staff_user):
    page = page_client(staff_user).get(reverse("staffconsole:withdrawals")).content.decode()

    assert f'data-withdrawal-id="{withdrawal.pk}"' in page
    assert "6225880212345678" in page and "招商银行上海分行" in page and "¥200.00" in page
    assert reverse("staffconsole:withdrawal_pay", args=[withdrawal.pk]) in page


def test_paying_marks_it_paid_and_tells_the_customer(withdrawal, staff_user, customer):
    client = page_client(staff_user)
    url = reverse("staffconsole:withdrawal_pay", args=[withdrawal.pk])
    assert "6225880212345678" in client.get(url).content.decode()  # confirmation with the bank account

    response = client.post(url)

    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.PAID and withdrawal.decided_by == staff_user
    assert _wallet(withdrawal).withdrawable == Decimal("100.00")
    assert Notification.objects.filter(kind="withdrawal_paid", recipient=customer).count() == 1
    # Gone from the queue, listed as paid; a second click says it is already decided
    assert (
        f'data-withdrawal-id="{withdrawal.pk}"' not in client.get(reverse("staffconsole:withdrawals")).content.decode()
    )
    paid = client.get(reverse("staffconsole:withdrawals"), {"status": "paid"}).content.decode()
    assert f'data-withdrawal-id="{withdrawal.pk}"' in paid
    again = client.post(url, follow=True).content.decode()
    assert "already" in again
    assert Notification.objects.filter(kind="withdrawal_paid", recipient=customer).count() == 1


def test_rejecting_needs_a_reason_and_gives_the_amount_back(withdrawal, staff_user, customer):
    client = page_client(staff_user)
    url = reverse("staffconsole:withdrawal_reject", args=[withdrawal.pk])

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert _wallet(withdrawal).withdrawable == Decimal("100.00")

    response = client.post(url, {"reason": "The account holder does not match the customer."})

    assert response.status_code == 302
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.REJECTED
    assert withdrawal.decision_reason == "The account holder does not match the customer."
    assert _wallet(withdrawal).withdrawable == Decimal("300.00")
    assert Notification.objects.filter(kind="withdrawal_rejected", recipient=customer).count() == 1


def test_only_staff_see_withdrawals(withdrawal, customer, vendor_user):
    for user in (customer, vendor_user):
        client = page_client(user)
        assert client.get(reverse("staffconsole:withdrawals")).status_code == 403
        assert client.post(reverse("staffconsole:withdrawal_pay", args=[withdrawal.pk])).status_code == 403
    withdrawal.refresh_from_db()
    assert withdrawal.status == Withdrawal.Status.REQUESTED


def test_nothing_to_pay_says_so(staff_user):
    assert "Nothing to pay" in page_client(staff_user).get(reverse("staffconsole:withdrawals")).content.decode()
