"""The vendor's accept and reject (and bulk accept): only from pending, every change on the timeline, the money
released only by a rejection, and the customer told after the commit."""

from decimal import Decimal

import pytest
from django.core import mail

from apps.billing.models import VendorBalance
from apps.billing.selectors import invoiceable_row
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import STATUS_REASON_MAX_LENGTH, InvoiceEvent, InvoiceRequest
from apps.invoices.services import (
    invoice_request_accept,
    invoice_request_cancel,
    invoice_request_reject,
    invoice_requests_accept_bulk,
)
from tests.factories import CustomerUserFactory, VendorUserFactory, consume
from tests.helpers import reach_status, record_queued_notifications, send_notification_emails, submit


def _accept(vendor_user, request):
    return invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk)


def _reject(vendor_user, request, reason: str = "抬头税号有误"):
    return invoice_request_reject(
        actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk, reason=reason
    )


def _stored(request) -> InvoiceRequest:
    return InvoiceRequest.objects.get(pk=request.pk)


def _invoiced(customer, vendor) -> Decimal:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor).invoiced


def _timeline(request) -> list[tuple]:
    return [
        (event.actor, event.from_status, event.to_status, event.reason)
        for event in InvoiceEvent.objects.filter(request=request).order_by("created_at", "id")
    ]


@pytest.fixture
def queued(monkeypatch) -> list[tuple]:
    """Customer notifications handed to the broker, recorded instead of sent."""
    return record_queued_notifications(monkeypatch)["customer"]


# --- accept ---------------------------------------------------------------------------------------------------


def test_accepting_a_pending_request_makes_it_processing_and_keeps_the_amount_invoiced(consumed, vendor_user):
    # given a pending request of ¥300.00
    request = submit(consumed, vendor_user.vendor, "300.00")
    # when the vendor accepts it
    accepted = _accept(vendor_user, request)
    # then it is processing, the timeline shows who accepted it, and the ¥300.00 stays taken
    assert accepted.status == _stored(request).status == InvoiceRequest.Status.PROCESSING
    assert _timeline(request) == [(consumed, "", "pending", ""), (vendor_user, "pending", "processing", "")]
    assert _invoiced(consumed, vendor_user.vendor) == Decimal("300.00")


@pytest.mark.parametrize("status", ["processing", "mailing", "rejected", "cancelled", "voided"])
def test_only_a_pending_request_can_be_accepted(consumed, vendor_user, status):
    # given a request that is no longer pending
    request = reach_status(submit(consumed, vendor_user.vendor, "300.00"), status)
    events = len(_timeline(request))
    # when the vendor accepts it
    with pytest.raises(ConflictError) as raised:
        _accept(vendor_user, request)
    # then a conflict names the status, and nothing is recorded
    assert raised.value.code == "cannot_accept"
    assert raised.value.status_code == 409
    assert _stored(request).status == status
    assert len(_timeline(request)) == events


def test_a_request_the_customer_cancelled_says_so_to_the_vendor(consumed, vendor_user):
    # given the customer cancelled the request
    request = submit(consumed, vendor_user.vendor, "300.00")
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=request.pk)
    # when the vendor accepts it a moment later
    with pytest.raises(ConflictError) as raised:
        _accept(vendor_user, request)
    # then the vendor reads what happened
    assert str(raised.value.message) == (
        f"The customer cancelled request {request.number} a moment ago; it can no longer be accepted or rejected."
    )
    # and the money released by the cancellation stays released
    assert _invoiced(consumed, vendor_user.vendor) == Decimal("0.00")


def test_a_processing_request_names_its_status(consumed, vendor_user):
    request = reach_status(submit(consumed, vendor_user.vendor, "300.00"), "processing")
    with pytest.raises(ConflictError) as raised:
        _accept(vendor_user, request)
    assert str(raised.value.message) == (
        f"Request {request.number} is already Processing; only a pending request can be accepted or rejected."
    )


@pytest.mark.parametrize("service", ["accept", "reject"])
def test_another_vendors_request_is_not_found(consumed, vendor, other_vendor, service):
    # given a pending request for vendor
    request = submit(consumed, vendor, "300.00")
    intruder = VendorUserFactory(vendor=other_vendor)
    # when another vendor's user tries to accept or reject it
    with pytest.raises(NotFoundError) as raised:
        (_accept if service == "accept" else _reject)(intruder, request)
    # then it does not exist for them, and nothing changed
    assert raised.value.status_code == 404
    assert _stored(request).status == "pending"
    assert _invoiced(consumed, vendor) == Decimal("300.00")


@pytest.mark.parametrize("request_id", [999999, 0, -1])
def test_an_unknown_request_is_not_found(vendor_user, request_id):
    with pytest.raises(NotFoundError):
        invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request_id)
    with pytest.raises(NotFoundError):
        invoice_request_reject(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request_id, reason="x")


# --- reject ---------------------------------------------------------------------------------------------------


def test_rejecting_records_the_reason_and_frees_the_amount(consumed, vendor_user):
    # given ¥1000.00 consumed and a pending request of ¥300.00
    request = submit(consumed, vendor_user.vendor, "300.00")
    # when the vendor rejects it with a reason
    rejected = _reject(vendor_user, request, "  抬头税号有误，请核对  ")
    # then it is rejected with the reason (trimmed) the customer sees
    stored = _stored(request)
    assert rejected.status == stored.status == InvoiceRequest.Status.REJECTED
    assert stored.status_reason == "抬头税号有误，请核对"
    # and the timeline shows who rejected it, and why
    assert _timeline(request)[-1] == (vendor_user, "pending", "rejected", "抬头税号有误，请核对")
    # and the ¥300.00 may be invoiced again
    row = invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor_user.vendor.pk)
    assert (row.invoiced, row.invoiceable) == (Decimal("0.00"), Decimal("1000.00"))


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_rejection_needs_a_reason(consumed, vendor_user, reason):
    request = submit(consumed, vendor_user.vendor, "300.00")
    with pytest.raises(ApplicationError) as raised:
        _reject(vendor_user, request, reason)
    message = "Tell the customer why the request is rejected, for example that the title is wrong."
    assert (raised.value.code, raised.value.status_code) == ("reason_required", 400)
    assert raised.value.fields == {"reason": [message]}
    assert _stored(request).status == "pending"
    assert _invoiced(consumed, vendor_user.vendor) == Decimal("300.00")


def test_a_reason_has_at_most_500_characters(consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "300.00")
    with pytest.raises(ApplicationError) as raised:
        _reject(vendor_user, request, "错" * (STATUS_REASON_MAX_LENGTH + 1))
    assert raised.value.fields == {"reason": ["At most 500 characters."]}
    assert _reject(vendor_user, request, "错" * STATUS_REASON_MAX_LENGTH).status == "rejected"


@pytest.mark.parametrize("status", ["processing", "mailing", "cancelled", "rejected"])
def test_only_a_pending_request_can_be_rejected_and_the_money_is_not_released_twice(consumed, vendor_user, status):
    # given a request that is no longer pending (a cancelled or rejected one already released its amount)
    request = submit(consumed, vendor_user.vendor, "300.00")
    if status == "cancelled":
        invoice_request_cancel(
            actor=consumed, customer_account=consumed.customer_account, invoice_request_id=request.pk
        )
    elif status == "rejected":
        _reject(vendor_user, request)
    else:
        reach_status(request, status)
    before = _invoiced(consumed, vendor_user.vendor)
    events = len(_timeline(request))
    # when the vendor rejects it
    with pytest.raises(ConflictError) as raised:
        _reject(vendor_user, request, "再次驳回")
    # then a conflict, the balance is untouched and no event is added
    assert raised.value.code == "cannot_reject"
    assert _invoiced(consumed, vendor_user.vendor) == before
    assert len(_timeline(request)) == events


# --- bulk accept ----------------------------------------------------------------------------------------------


def test_bulk_accept_accepts_each_pending_request_and_reports_the_rest(consumed, vendor_user, other_vendor):
    # given three pending requests, one of them cancelled meanwhile, one processing, and another vendor's request
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    first, cancelled, second, processing = (submit(consumed, vendor_user.vendor, "10.00") for _ in range(4))
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=cancelled.pk)
    reach_status(processing, "processing")
    theirs = submit(consumed, other_vendor, "10.00")
    # when the vendor accepts them all at once, one of them listed twice
    result = invoice_requests_accept_bulk(
        actor=vendor_user,
        vendor=vendor_user.vendor,
        invoice_request_ids=[first.pk, cancelled.pk, second.pk, first.pk, processing.pk, theirs.pk],
    )
    # then the two pending ones are accepted once each
    assert [request.pk for request in result.accepted] == [first.pk, second.pk]
    assert [_stored(r).status for r in (first, second)] == ["processing", "processing"]
    assert InvoiceEvent.objects.filter(request=first, to_status="processing").count() == 1
    # and the others are reported with a clear message and left as they were
    assert result.failed == [
        (
            cancelled.pk,
            f"The customer cancelled request {cancelled.number} a moment ago; it can no longer be accepted or "
            "rejected.",
        ),
        (
            processing.pk,
            f"Request {processing.number} is already Processing; only a pending request can be accepted or rejected.",
        ),
        (theirs.pk, "No such invoice request."),
    ]
    assert [_stored(r).status for r in (cancelled, processing, theirs)] == ["cancelled", "processing", "pending"]
    assert _invoiced(consumed, vendor_user.vendor) == Decimal("30.00")


def test_bulk_accept_of_nothing_does_nothing(vendor_user):
    result = invoice_requests_accept_bulk(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_ids=[])
    assert (result.accepted, result.failed) == ([], [])


# --- the customer is told, after the commit ------------------------------------------------------------------


@pytest.mark.parametrize("service", ["accept", "reject"])
def test_the_customer_is_notified_only_after_commit(
    consumed, vendor_user, queued, service, django_capture_on_commit_callbacks
):
    # given a pending request (its submission's vendor notification is not what this test is about)
    request = submit(consumed, vendor_user.vendor, "300.00")
    # when the vendor accepts or rejects it inside a transaction
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (_accept if service == "accept" else _reject)(vendor_user, request)
        # then nothing is queued before the commit
        assert queued == []
    # and the customer notification is queued with the request's ID once it commits
    for callback in callbacks:
        callback()
    assert queued == [(request.pk,)]


def test_a_refused_accept_queues_nothing(consumed, vendor_user, queued, django_capture_on_commit_callbacks):
    request = reach_status(submit(consumed, vendor_user.vendor, "300.00"), "processing")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ConflictError):
        _accept(vendor_user, request)
    assert (callbacks, queued) == ([], [])


def test_the_email_reaches_the_submitter_with_the_rejection_reason(consumed, vendor_user):
    # given the customer who applied has an email address, and the vendor rejected the request
    consumed.email = "finance@example.com"
    consumed.save()
    request = submit(consumed, vendor_user.vendor, "300.00")
    _reject(vendor_user, request, "抬头税号有误")
    # when the notification e-mails are sent
    sent = send_notification_emails(to="customer")
    # then one email reaches the submitter, with the number, the vendor and the reason (in Chinese, the default)
    assert sent == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["finance@example.com"]
    assert email.subject == f"开票申请 {request.number}：已驳回"
    assert vendor_user.vendor.name in email.body
    assert "原因：抬头税号有误" in email.body


def test_every_user_of_the_account_with_an_address_hears_of_it(consumed, vendor_user):
    # given a colleague of the customer with an address, one without, and a user of another account
    colleague = CustomerUserFactory(customer_account=consumed.customer_account, email="colleague@example.com")
    CustomerUserFactory(customer_account=consumed.customer_account, email="")
    CustomerUserFactory(email="stranger@example.com")
    request = submit(consumed, vendor_user.vendor, "300.00")
    _accept(vendor_user, request)
    # when the notification e-mails are sent (the submitter has no address)
    sent = send_notification_emails(to="customer")
    # then the one colleague with an address gets it, nobody outside the account
    assert sent == 1
    assert [email.to for email in mail.outbox] == [[colleague.email]]


def test_no_email_when_the_submitter_has_no_address(consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "300.00")
    _accept(vendor_user, request)
    assert send_notification_emails(to="customer") == 0
    assert mail.outbox == []
