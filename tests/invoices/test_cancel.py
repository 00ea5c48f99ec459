from decimal import Decimal

import pytest

from apps.billing.models import VendorBalance
from apps.billing.selectors import invoiceable_row
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import STATUS_REASON_MAX_LENGTH, InvoiceEvent, InvoiceRequest
from apps.invoices.services import cannot_cancel_message, invoice_request_cancel
from tests.helpers import reach_status, submit


def _cancel(user, request, reason: str = ""):
    return invoice_request_cancel(
        actor=user, customer_account=user.customer_account, invoice_request_id=request.pk, reason=reason
    )


def test_cancelling_a_pending_request_makes_its_amount_invoiceable_again(consumed, vendor):
    # given ¥1000.00 consumed and a pending request of ¥300.00
    request = submit(consumed, vendor, "300.00")
    assert invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor.pk).invoiceable == Decimal(
        "700.00"
    )
    # when the customer cancels it
    cancelled = _cancel(consumed, request, reason="抬头选错了")
    # then it is cancelled with the reason, and the full ¥1000.00 is invoiceable again
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert cancelled.status == stored.status == InvoiceRequest.Status.CANCELLED
    assert stored.status_reason == "抬头选错了"
    row = invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor.pk)
    assert (row.invoiced, row.invoiceable) == (Decimal("0.00"), Decimal("1000.00"))


def test_cancelling_writes_a_timeline_event_with_actor_from_to_and_reason(consumed, vendor):
    # given a pending request
    request = submit(consumed, vendor, "300.00")
    # when the customer cancels it with a reason
    _cancel(consumed, request, reason="抬头选错了")
    # then the timeline shows creation, then pending -> cancelled by the customer with the reason
    events = list(InvoiceEvent.objects.filter(request=request).order_by("created_at", "id"))
    assert [(e.actor, e.from_status, e.to_status, e.reason) for e in events] == [
        (consumed, "", "pending", ""),
        (consumed, "pending", "cancelled", "抬头选错了"),
    ]


def test_a_cancelled_request_cannot_be_cancelled_again(consumed, vendor):
    # given a cancelled request
    request = submit(consumed, vendor, "300.00")
    _cancel(consumed, request)
    # when it is cancelled again (a second tab)
    with pytest.raises(ConflictError) as raised:
        _cancel(consumed, request)
    # then it is a conflict, and the money is not released twice
    assert raised.value.code == "cannot_cancel"
    assert raised.value.status_code == 409
    assert str(raised.value.message) == "Only a pending request can be cancelled; this one is Cancelled."
    assert VendorBalance.objects.get(customer_account=consumed.customer_account, vendor=vendor).invoiced == 0
    assert InvoiceEvent.objects.filter(request=request).count() == 2


@pytest.mark.parametrize("status", [InvoiceRequest.Status.PROCESSING, InvoiceRequest.Status.MAILING])
def test_a_processing_or_mailing_request_cannot_be_cancelled_and_names_the_vendor_contact(consumed, vendor, status):
    # given a request the vendor is processing or has mailed
    request = reach_status(submit(consumed, vendor, "300.00"), status)
    # when the customer tries to cancel it
    with pytest.raises(ConflictError) as raised:
        _cancel(consumed, request)
    # then the message explains why and gives the vendor's phone and email
    expected_status = "Processing" if status == "processing" else "Mailing"
    assert str(raised.value.message) == (
        f"This request is {expected_status}, so it can no longer be cancelled here. To have the invoice reissued "
        f"or returned, contact {vendor.name}: {vendor.contact_phone} / {vendor.contact_email}."
    )
    assert cannot_cancel_message(InvoiceRequest.objects.get(pk=request.pk)) == str(raised.value.message)
    # and nothing changed
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert stored.status == status
    assert VendorBalance.objects.get(customer_account=consumed.customer_account, vendor=vendor).invoiced == Decimal(
        "300.00"
    )


def test_cancelling_another_accounts_request_is_not_found(consumed, vendor, other_customer):
    # given customer1's pending request
    request = submit(consumed, vendor, "300.00")
    # when customer2 tries to cancel it
    with pytest.raises(NotFoundError) as raised:
        _cancel(other_customer, request)
    # then it is not found and stays pending
    assert raised.value.status_code == 404
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"


@pytest.mark.parametrize("request_id", [999999, 0, -1])
def test_cancelling_an_unknown_request_is_not_found(consumed, request_id):
    # given an ID that does not exist or is not a number
    # when it is cancelled
    # then it is not found (never a crash)
    with pytest.raises(NotFoundError):
        invoice_request_cancel(
            actor=consumed, customer_account=consumed.customer_account, invoice_request_id=request_id
        )


def test_a_cancel_reason_has_the_same_length_limit_as_a_rejection(consumed, vendor):
    # given a pending request
    request = submit(consumed, vendor, "300.00")
    # when it is cancelled with a reason one character over the limit (as the API could send it)
    with pytest.raises(ApplicationError) as raised:
        _cancel(consumed, request, reason="错" * (STATUS_REASON_MAX_LENGTH + 1))
    # then the reason is refused next to its field and nothing changed
    assert (raised.value.code, raised.value.fields) == ("invalid_reason", {"reason": ["At most 500 characters."]})
    assert InvoiceRequest.objects.get(pk=request.pk).status == "pending"
    # and exactly the limit is fine
    assert _cancel(consumed, request, reason="错" * STATUS_REASON_MAX_LENGTH).status == "cancelled"


def test_can_cancel_is_the_one_answer_for_every_status(consumed, vendor):
    # given a request in each status
    statuses = ["pending", "processing", "mailing", "rejected", "cancelled"]
    requests = {status: reach_status(submit(consumed, vendor, "10.00"), status) for status in statuses}
    # then only the pending one can be cancelled (the pages, the API and the admin all ask this)
    assert {status: request.can_cancel for status, request in requests.items()} == {
        "pending": True,
        "processing": False,
        "mailing": False,
        "rejected": False,
        "cancelled": False,
    }
