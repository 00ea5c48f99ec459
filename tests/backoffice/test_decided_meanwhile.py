"""A vendor posting an incomplete form on a refund or return decided meanwhile (another tab, a colleague) is told it
was decided: the page no longer shows the form, so its field errors would be invisible."""

from decimal import Decimal

import pytest

from apps.refunds.models import InvoiceReturn, Refund
from apps.refunds.services.refunds import refund_approve, refund_request
from apps.refunds.services.returns import invoice_return_agree, invoice_return_request
from tests.backoffice.helpers import messages_of
from tests.helpers import mail, submit

pytestmark = pytest.mark.django_db


def test_rejecting_without_a_reason_a_refund_approved_meanwhile(consumed, vendor, vendor_user, vendor_client):
    refund = refund_request(
        actor=consumed, customer_account=consumed.customer_account, vendor=vendor, amount=Decimal("10.00"), reason="r"
    )
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    response = vendor_client.post(f"/backoffice/refunds/{refund.pk}/reject/", {"reason": ""}, follow=True)

    assert response.redirect_chain[-1][0] == f"/backoffice/refunds/{refund.pk}/"
    assert messages_of(response) == ["This refund was already approved."]
    refund.refresh_from_db()
    assert refund.status == Refund.Status.APPROVED


def test_declining_without_a_reason_a_return_agreed_meanwhile(consumed, vendor, vendor_user, vendor_client):
    invoice_return = invoice_return_request(
        actor=consumed,
        customer_account=consumed.customer_account,
        invoice_request_id=mail(submit(consumed, vendor, "20.00"), vendor_user).pk,
        purpose="reissue",
        reason="Wrong title",
    )
    invoice_return_agree(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk, fault="")

    response = vendor_client.post(f"/backoffice/returns/{invoice_return.pk}/decline/", {"reason": ""}, follow=True)

    [message] = messages_of(response)
    assert "only a requested return can be declined" in message
    invoice_return.refresh_from_db()
    assert invoice_return.status == InvoiceReturn.Status.AGREED
