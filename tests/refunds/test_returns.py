"""Invoice returns: request, agree (who pays postage), decline, ship, receive; reopening a never-mailed request."""

import pytest

from apps.billing.models import VendorBalance
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import invoice_request_cancel
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.refunds.models import InvoiceReturn
from apps.refunds.services.returns import (
    invoice_request_reopen,
    invoice_return_agree,
    invoice_return_decline,
    invoice_return_receive,
    invoice_return_request,
    invoice_return_ship,
)
from tests.helpers import accept, fresh, mail, submit

pytestmark = pytest.mark.usefixtures("english")


def ask_return(
    customer, request, purpose="refund", reason="Refund approved; sending the invoice back"
) -> InvoiceReturn:
    return invoice_return_request(
        actor=customer,
        customer_account=customer.customer_account,
        invoice_request_id=request.pk,
        purpose=purpose,
        reason=reason,
    )


def agree(vendor_user, invoice_return, fault="") -> InvoiceReturn:
    return invoice_return_agree(actor=vendor_user, vendor=vendor_user.vendor, return_id=invoice_return.pk, fault=fault)


def ship(customer, invoice_return, tracking="YT1234567890") -> InvoiceReturn:
    return invoice_return_ship(
        actor=customer,
        customer_account=customer.customer_account,
        return_id=invoice_return.pk,
        courier="yto",
        courier_name="",
        tracking_number=tracking,
    )


def received_return(customer, vendor_user, request, purpose="refund") -> InvoiceReturn:
    invoice_return = ask_return(customer, request, purpose=purpose)
    agree(vendor_user, invoice_return)
    ship(customer, invoice_return)
    return invoice_return_receive(actor=vendor_user, vendor=vendor_user.vendor, return_id=invoice_return.pk)


def _kinds(request) -> list[str]:
    return list(
        InvoiceEvent.objects.filter(request=request).order_by("created_at", "id").values_list("kind", flat=True)
    )


def test_the_whole_return_is_on_the_timeline_in_order_and_each_step_tells_the_other_side(consumed, vendor, vendor_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)

    invoice_return = ask_return(customer, request)
    assert Notification.objects.filter(kind="return_requested", recipient=vendor_user).count() == 1
    agree(vendor_user, invoice_return, fault="damaged")
    assert Notification.objects.filter(kind="return_agreed", recipient=customer).count() == 1
    ship(customer, invoice_return, tracking="yt1234567890")
    assert Notification.objects.filter(kind="return_shipped", recipient=vendor_user).count() == 1
    invoice_return = invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk)
    assert Notification.objects.filter(kind="return_received", recipient=customer).count() == 1

    assert invoice_return.status == InvoiceReturn.Status.RECEIVED
    assert invoice_return.tracking_number == "YT1234567890"
    assert invoice_return.customer_pays_postage is False
    assert fresh(request).status == InvoiceRequest.Status.MAILING  # only staff void it
    assert _kinds(request)[-4:] == ["return_requested", "return_agreed", "return_shipped", "return_received"]
    texts = [event.text for event in InvoiceEvent.objects.filter(request=request).order_by("created_at", "id")][-4:]
    assert texts[0] == f"Return RT{invoice_return.pk} requested (Refund): Refund approved; sending the invoice back"
    assert "the vendor pays return postage (The invoice arrived damaged)" in texts[1]
    assert "YTO Express" in texts[2] or "tracking number YT1234567890" in texts[2]
    agreed = Notification.objects.get(kind="return_agreed", recipient=customer)
    assert "the vendor pays the return postage" in render_notification(agreed, language="en").text


def test_without_a_fault_the_customer_pays_postage(consumed, vendor, vendor_user):
    customer = consumed
    invoice_return = agree(vendor_user, ask_return(customer, mail(submit(customer, vendor), vendor_user)))

    assert invoice_return.customer_pays_postage is True
    notification = Notification.objects.get(kind="return_agreed", recipient=customer)
    assert "You pay the return postage." in render_notification(notification, language="en").text


@pytest.mark.parametrize("status", ["pending", "cancelled", "rejected"])
def test_only_a_processing_or_mailed_request_can_be_returned(consumed, vendor, vendor_user, status):
    customer = consumed
    request = submit(customer, vendor)
    if status == "cancelled":
        invoice_request_cancel(
            actor=customer, customer_account=customer.customer_account, invoice_request_id=request.pk
        )
    if status == "rejected":
        from tests.helpers import reject

        reject(request, vendor_user)

    with pytest.raises(ConflictError) as error:
        ask_return(customer, request)
    assert error.value.code == "cannot_return"
    assert not InvoiceReturn.objects.exists()


def test_one_open_return_per_request_but_a_new_one_after_a_decline(consumed, vendor, vendor_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    first = ask_return(customer, request)

    with pytest.raises(ConflictError) as error:
        ask_return(customer, request)
    assert error.value.code == "return_already_open"

    with pytest.raises(ApplicationError) as error:
        invoice_return_decline(actor=vendor_user, vendor=vendor, return_id=first.pk, reason="  ")
    assert error.value.code == "reason_required"
    declined = invoice_return_decline(actor=vendor_user, vendor=vendor, return_id=first.pk, reason="Invoice is right")
    assert declined.status == InvoiceReturn.Status.DECLINED
    notification = Notification.objects.get(kind="return_declined", recipient=customer)
    assert "Reason: Invoice is right" in render_notification(notification, language="en").text

    assert ask_return(customer, request, purpose="reissue").status == InvoiceReturn.Status.REQUESTED


def test_steps_out_of_order_are_refused(consumed, vendor, vendor_user):
    customer = consumed
    invoice_return = ask_return(customer, mail(submit(customer, vendor), vendor_user))

    with pytest.raises(ConflictError):  # not agreed yet
        ship(customer, invoice_return)
    with pytest.raises(ConflictError):  # not shipped yet
        invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk)
    agree(vendor_user, invoice_return)
    with pytest.raises(ConflictError):  # agreed twice
        agree(vendor_user, invoice_return)
    with pytest.raises(ConflictError):  # decline after agreeing
        invoice_return_decline(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk, reason="No")


def test_bad_input_is_refused_next_to_its_field(consumed, vendor, vendor_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    with pytest.raises(ApplicationError) as error:
        ask_return(customer, request, purpose="gift")
    assert "purpose" in error.value.fields
    with pytest.raises(ApplicationError) as error:
        ask_return(customer, request, reason="")
    assert "reason" in error.value.fields
    invoice_return = ask_return(customer, request)
    with pytest.raises(ApplicationError) as error:
        agree(vendor_user, invoice_return, fault="weather")
    assert "fault" in error.value.fields
    agree(vendor_user, invoice_return)
    with pytest.raises(ApplicationError) as error:
        ship(customer, invoice_return, tracking="12 3")
    assert "tracking_number" in error.value.fields
    with pytest.raises(ApplicationError) as error:
        invoice_return_ship(
            actor=customer,
            customer_account=customer.customer_account,
            return_id=invoice_return.pk,
            courier="other",
            courier_name="",
            tracking_number="AB123456",
        )
    assert "courier_name" in error.value.fields
    assert InvoiceReturn.objects.get(pk=invoice_return.pk).status == InvoiceReturn.Status.AGREED


def test_returns_are_scoped(consumed, vendor, vendor_user, other_customer, other_vendor_user):
    customer = consumed
    request = mail(submit(customer, vendor), vendor_user)
    with pytest.raises(NotFoundError):
        ask_return(other_customer, request)
    invoice_return = ask_return(customer, request)
    with pytest.raises(NotFoundError):
        agree(other_vendor_user, invoice_return)
    agree(vendor_user, invoice_return)
    with pytest.raises(NotFoundError):
        ship(other_customer, invoice_return)


def test_a_processing_return_is_answered_by_reopening_then_the_customer_cancels(consumed, vendor, vendor_user):
    customer = consumed
    request = accept(submit(customer, vendor, "300.00"), vendor_user)
    invoice_return = ask_return(customer, request, purpose="reissue", reason="Wrong title")

    with pytest.raises(ConflictError) as error:  # nothing was mailed: nothing to send back
        agree(vendor_user, invoice_return)
    assert error.value.code == "not_mailed"

    reopened = invoice_request_reopen(
        actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, reason="Customer asked for a new title"
    )
    assert reopened.status == InvoiceRequest.Status.PENDING
    assert InvoiceReturn.objects.get(pk=invoice_return.pk).status == InvoiceReturn.Status.CLOSED
    event = InvoiceEvent.objects.filter(request=request).latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("processing", "pending", vendor_user)
    notification = Notification.objects.get(kind="return_agreed", recipient=customer)
    assert "put request" in render_notification(notification, language="en").subject

    invoice_request_cancel(actor=customer, customer_account=customer.customer_account, invoice_request_id=request.pk)
    balance = VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)
    assert balance.invoiced == 0


@pytest.mark.parametrize("status", ["pending", "mailing"])
def test_only_processing_can_be_reopened(consumed, vendor, vendor_user, status):
    customer = consumed
    request = submit(customer, vendor)
    if status == "mailing":
        mail(request, vendor_user)
    with pytest.raises(ConflictError) as error:
        invoice_request_reopen(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, reason="x")
    assert error.value.code == "cannot_reopen"


def test_reopen_needs_a_reason_and_the_vendors_own_request(consumed, vendor, vendor_user, other_vendor_user):
    customer = consumed
    request = accept(submit(customer, vendor), vendor_user)
    with pytest.raises(ApplicationError) as error:
        invoice_request_reopen(actor=vendor_user, vendor=vendor, invoice_request_id=request.pk, reason="")
    assert error.value.code == "reason_required"
    with pytest.raises(NotFoundError):
        invoice_request_reopen(
            actor=other_vendor_user, vendor=other_vendor_user.vendor, invoice_request_id=request.pk, reason="x"
        )
    assert fresh(request).status == InvoiceRequest.Status.PROCESSING
