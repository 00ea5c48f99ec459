"""The vendor's refund pages: the queue, approve with a note, reject with a reason; scope and staff read-only."""

from decimal import Decimal

import pytest

from apps.billing.models import VendorBalance
from apps.refunds.models import Refund
from apps.refunds.services.refunds import refund_approve, refund_request
from tests.backoffice.helpers import messages_of
from tests.helpers import page_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund(consumed, vendor):
    return refund_request(
        actor=consumed,
        customer_account=consumed.customer_account,
        vendor=vendor,
        amount=Decimal("300.00"),
        reason="The March service was cancelled.",
    )


def test_the_queue_lists_waiting_refunds_with_amount_and_reason(vendor_client, refund):
    html = vendor_client.get("/backoffice/refunds/").content.decode()

    assert f'data-refund-id="{refund.pk}"' in html
    assert "¥300.00" in html
    assert "The March service was cancelled." in html


def test_approving_lowers_what_the_customer_consumed(vendor_client, refund, vendor):
    response = vendor_client.post(
        f"/backoffice/refunds/{refund.pk}/approve/", {"reason": "Refunded to the card."}, follow=True
    )

    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    assert refund.decision_reason == "Refunded to the card."
    balance = VendorBalance.objects.get(customer_account=refund.customer_account, vendor=vendor)
    assert balance.refunded == Decimal("300.00")
    assert any("¥300.00" in text for text in messages_of(response))
    # Decided: the page no longer offers the forms, and the queue's default tab no longer lists it.
    assert 'data-testid="approve-form"' not in response.content.decode()
    assert f'data-refund-id="{refund.pk}"' not in vendor_client.get("/backoffice/refunds/").content.decode()


def test_rejecting_needs_a_reason_the_customer_sees(vendor_client, refund):
    response = vendor_client.post(f"/backoffice/refunds/{refund.pk}/reject/", {"reason": "  "})

    assert response.status_code == 400
    assert "Tell the customer why the refund is rejected." in response.content.decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED

    vendor_client.post(f"/backoffice/refunds/{refund.pk}/reject/", {"reason": "Already refunded in March."})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REJECTED
    assert refund.decision_reason == "Already refunded in March."


def test_a_refund_decided_a_moment_earlier_is_explained_not_decided_twice(vendor_client, vendor_user, refund):
    refund_approve(actor=vendor_user, vendor=vendor_user.vendor, refund_id=refund.pk)

    response = vendor_client.post(f"/backoffice/refunds/{refund.pk}/reject/", {"reason": "No."}, follow=True)

    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED
    assert messages_of(response)  # the service's conflict message, at the top of the refund's page


def test_another_vendors_refund_is_not_found(other_vendor_user, refund):
    client = page_client(other_vendor_user)

    assert client.get(f"/backoffice/refunds/{refund.pk}/").status_code == 404
    assert client.post(f"/backoffice/refunds/{refund.pk}/approve/", {}).status_code == 404
    assert f'data-refund-id="{refund.pk}"' not in client.get("/backoffice/refunds/").content.decode()


def test_staff_see_refunds_read_only(staff_client, refund):
    html = staff_client.get(f"/backoffice/refunds/{refund.pk}/").content.decode()

    assert 'data-testid="read-only"' in html
    assert 'data-testid="approve-form"' not in html
    assert f'data-refund-id="{refund.pk}"' in staff_client.get("/backoffice/refunds/").content.decode()
    assert staff_client.post(f"/backoffice/refunds/{refund.pk}/approve/", {}).status_code == 403
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED


def test_customers_may_not_open_the_vendor_pages(customer_client, refund):
    assert customer_client.get("/backoffice/refunds/").status_code == 403


def test_the_pages_render_in_chinese(vendor_user, refund):
    client = page_client(vendor_user, language="zh-hans")

    assert client.get("/backoffice/refunds/").status_code == 200
    assert client.get(f"/backoffice/refunds/{refund.pk}/").status_code == 200
