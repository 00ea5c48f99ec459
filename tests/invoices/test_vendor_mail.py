"""Marking a request mailed: only from processing, with invoice numbers unique per vendor, a tracking number unique
per courier, and the shipping-payer rule (50.00 and more at the vendor's cost) in the service and the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.models import VendorBalance
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.workdays import calendar_date
from apps.invoices.mailing import MailingInfo, invoice_request_mail, shipping_payer_check, split_invoice_numbers
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice
from apps.invoices.services import invoice_request_accept
from tests.factories import (
    CustomerUserFactory,
    InvoiceTitleFactory,
    MailingAddressFactory,
    VendorUserFactory,
    consume,
)
from tests.helpers import reach_status, record_queued_notifications, send_notification_emails, submit


def _today() -> dt.date:
    return calendar_date(timezone.now())


def _info(**overrides) -> MailingInfo:
    values = {
        "invoice_numbers": ["04512345"],
        "invoice_date": _today(),
        "courier": "sf",
        "tracking_number": "SF1234567890",
        "shipping_payer": "vendor",
        **overrides,
    }
    return MailingInfo(**values)


def _processing(customer, vendor_user, amount: str = "100.00") -> InvoiceRequest:
    request = submit(customer, vendor_user.vendor, amount)
    invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk)
    return InvoiceRequest.objects.get(pk=request.pk)


def _mail(vendor_user, request, **overrides) -> InvoiceRequest:
    return invoice_request_mail(
        actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk, mailing=_info(**overrides)
    )


def _stored(request) -> InvoiceRequest:
    return InvoiceRequest.objects.get(pk=request.pk)


def _assert_unchanged(request) -> None:
    stored = _stored(request)
    assert stored.status == "processing"
    assert (stored.courier, stored.tracking_number, stored.shipping_payer, stored.invoice_date) == ("", "", "", None)
    assert not IssuedInvoice.objects.filter(request=request).exists()
    assert not InvoiceEvent.objects.filter(request=request, to_status="mailing").exists()


@pytest.fixture
def other_vendor_user(db, other_vendor):
    return VendorUserFactory(vendor=other_vendor)


# --- the transition -------------------------------------------------------------------------------------------


def test_mailing_records_what_was_sent_and_who_sent_it(consumed, vendor_user):
    # given a processing request
    request = _processing(consumed, vendor_user, "100.00")
    # when the vendor marks it mailed with two invoice numbers (one string, as typed) and a lower-case tracking number
    mailed = _mail(vendor_user, request, invoice_numbers="04512345，04512346", tracking_number=" sf1234567890 ")
    # then it is mailing with the courier, the normalised tracking number, the payer, the date and the time
    stored = _stored(request)
    assert mailed.status == stored.status == InvoiceRequest.Status.MAILING
    assert (stored.courier, stored.tracking_number, stored.shipping_payer) == ("sf", "SF1234567890", "vendor")
    assert stored.invoice_date == _today()
    assert stored.mailed_at is not None
    assert stored.get_courier_label() == "SF Express"
    # and both invoice numbers are recorded for the vendor
    assert list(stored.issued_invoices.values_list("vendor", "number")) == [
        (vendor_user.vendor.pk, "04512345"),
        (vendor_user.vendor.pk, "04512346"),
    ]
    # and the timeline shows processing -> mailing by the vendor's user
    event = InvoiceEvent.objects.filter(request=request).order_by("created_at", "id").last()
    assert (event.actor, event.from_status, event.to_status) == (vendor_user, "processing", "mailing")
    # and the amount stays invoiced
    balance = VendorBalance.objects.get(customer_account=consumed.customer_account, vendor=vendor_user.vendor)
    assert balance.invoiced == Decimal("100.00")


def test_another_courier_is_named(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    _mail(vendor_user, request, courier="other", courier_name=" 安能物流 ")
    stored = _stored(request)
    assert (stored.courier, stored.courier_name, stored.get_courier_label()) == ("other", "安能物流", "安能物流")


def test_a_named_courier_keeps_no_other_name(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    _mail(vendor_user, request, courier="ems", courier_name="ignored")
    assert (_stored(request).courier_name, _stored(request).get_courier_label()) == ("", "China Post EMS")


def test_a_pending_request_must_be_accepted_first(consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "100.00")
    with pytest.raises(ConflictError) as raised:
        _mail(vendor_user, request)
    assert raised.value.code == "cannot_mail"
    assert str(raised.value.message) == f"Accept request {request.number} before marking it mailed."
    assert _stored(request).status == "pending"


@pytest.mark.parametrize(
    ("status", "label"), [("mailing", "Mailing"), ("cancelled", "Cancelled"), ("rejected", "Rejected")]
)
def test_only_a_processing_request_can_be_marked_mailed(consumed, vendor_user, status, label):
    request = reach_status(submit(consumed, vendor_user.vendor, "100.00"), status)
    issued = IssuedInvoice.objects.count()
    with pytest.raises(ConflictError) as raised:
        _mail(vendor_user, request, tracking_number="YT0000000001")
    assert str(raised.value.message) == (
        f"Request {request.number} is {label}; only a processing request can be marked mailed."
    )
    assert IssuedInvoice.objects.count() == issued


def test_another_vendors_request_is_not_found(consumed, vendor_user, other_vendor_user):
    request = _processing(consumed, vendor_user)
    with pytest.raises(NotFoundError):
        _mail(other_vendor_user, request)
    _assert_unchanged(request)


# --- the shipping-payer rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "payer", "allowed"),
    [
        ("49.99", "recipient", True),
        ("50.00", "recipient", False),
        ("50.01", "recipient", False),
        ("0.01", "recipient", True),
        ("49.99", "vendor", True),
        ("50.00", "vendor", True),
        ("50.01", "vendor", True),
    ],
)
def test_cash_on_delivery_only_below_50(consumed, vendor_user, amount, payer, allowed):
    # given a processing request of the amount
    request = _processing(consumed, vendor_user, amount)
    if allowed:
        # when it is mailed with that payer, then it is recorded
        _mail(vendor_user, request, shipping_payer=payer)
        assert (_stored(request).status, _stored(request).shipping_payer) == ("mailing", payer)
        return
    # when it is mailed cash on delivery, then the rule refuses it with a clear message and changes nothing
    with pytest.raises(ApplicationError) as raised:
        _mail(vendor_user, request, shipping_payer=payer)
    message = (
        f"An invoice of ¥{amount} must be shipped at the vendor's cost: cash on delivery is only allowed below ¥50.00."
    )
    assert (raised.value.code, raised.value.status_code) == ("cash_on_delivery_not_allowed", 400)
    assert raised.value.fields == {"shipping_payer": [message]}
    _assert_unchanged(request)


@pytest.mark.parametrize(
    ("amount", "payer", "allowed"),
    [
        ("49.99", "recipient", True),
        ("50.00", "recipient", False),
        ("50.01", "recipient", False),
        ("50.00", "vendor", True),
        ("10.00", "", False),
        ("10.00", "sender", False),
    ],
)
def test_shipping_payer_check(amount, payer, allowed):
    if allowed:
        shipping_payer_check(amount=Decimal(amount), payer=payer)
    else:
        with pytest.raises(ApplicationError) as raised:
            shipping_payer_check(amount=Decimal(amount), payer=payer)
        assert list(raised.value.fields) == ["shipping_payer"]


@pytest.mark.parametrize(("amount", "allowed"), [("49.99", True), ("50.00", False), ("50.01", False)])
def test_the_database_refuses_cash_on_delivery_from_50_even_through_a_raw_update(consumed, vendor, amount, allowed):
    # given a request of the amount
    request = submit(consumed, vendor, amount)
    rows = InvoiceRequest.objects.filter(pk=request.pk)
    if allowed:
        assert rows.update(shipping_payer="recipient") == 1
        return
    # when code that skips the service sets cash on delivery
    # then the CHECK constraint refuses it
    with pytest.raises(IntegrityError, match="invoice_request_cod_only_below_50"), transaction.atomic():
        rows.update(shipping_payer="recipient")
    assert _stored(request).shipping_payer == ""


def test_the_database_refuses_a_mailed_request_without_tracking(consumed, vendor):
    request = submit(consumed, vendor, "10.00")
    with pytest.raises(IntegrityError, match="invoice_request_mailed_has_tracking"), transaction.atomic():
        InvoiceRequest.objects.filter(pk=request.pk).update(status="mailing", shipping_payer="vendor")
    assert _stored(request).status == "pending"


# --- invoice numbers ------------------------------------------------------------------------------------------


def test_an_invoice_number_is_used_only_once_per_vendor(consumed, vendor_user):
    # given an invoice number the vendor already mailed
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    _mail(vendor_user, first, invoice_numbers=["04512345"])
    # when it is used again, alone or among others
    for numbers in (["04512345"], ["04512399", "04512345"]):
        with pytest.raises(ApplicationError) as raised:
            _mail(vendor_user, second, invoice_numbers=numbers, tracking_number="SF0000000002")
        # then it is refused, and the second request is unchanged
        message = "Invoice number 04512345 was already used for another request."
        assert raised.value.fields == {"invoice_numbers": [message]}
    _assert_unchanged(second)


def test_two_vendors_may_issue_the_same_invoice_number(consumed, vendor_user, other_vendor, other_vendor_user):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="1000.00")
    mine, theirs = _processing(consumed, vendor_user), _processing(consumed, other_vendor_user)
    _mail(vendor_user, mine, invoice_numbers=["04512345"], tracking_number="SF0000000001")
    _mail(other_vendor_user, theirs, invoice_numbers=["04512345"], tracking_number="SF0000000002")
    assert IssuedInvoice.objects.filter(number="04512345").count() == 2


def test_the_database_refuses_an_invoice_number_twice_for_one_vendor(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    IssuedInvoice.objects.create(request=request, vendor=vendor_user.vendor, number="04512345")
    with pytest.raises(IntegrityError, match="issued_invoice_number_unique_per_vendor"), transaction.atomic():
        IssuedInvoice.objects.create(request=request, vendor=vendor_user.vendor, number="04512345")


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ([], "Enter the number of the invoice you issued."),
        ("  ", "Enter the number of the invoice you issued."),
        (["12345"], "An invoice number has 6 to 32 letters, digits or dashes."),
        (["0451 2345/1"], "An invoice number has 6 to 32 letters, digits or dashes."),
        (["04512345", "04512345"], "The same invoice number is listed twice."),
    ],
)
def test_invoice_numbers_are_checked(consumed, vendor_user, numbers, message):
    request = _processing(consumed, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _mail(vendor_user, request, invoice_numbers=numbers)
    assert raised.value.fields == {"invoice_numbers": [message]}
    _assert_unchanged(request)


@pytest.mark.parametrize(
    ("raw", "numbers"),
    [
        ("04512345, 04512346", ["04512345", "04512346"]),
        ("04512345；04512346、04512347\n04512348", ["04512345", "04512346", "04512347", "04512348"]),
        ([" 04512345 ", "", 4512346], ["04512345", "4512346"]),
        (None, []),
    ],
)
def test_split_invoice_numbers(raw, numbers):
    assert split_invoice_numbers(raw) == numbers


# --- tracking numbers -----------------------------------------------------------------------------------------


def test_a_tracking_number_is_used_once_per_courier_whatever_the_vendor(
    consumed, vendor_user, other_vendor, other_vendor_user
):
    # given an SF parcel mailed by vendor1
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="1000.00")
    first, second = _processing(consumed, vendor_user), _processing(consumed, other_vendor_user)
    _mail(vendor_user, first, tracking_number="SF1234567890")
    # when vendor2 enters the same SF tracking number (any case)
    with pytest.raises(ApplicationError) as raised:
        _mail(other_vendor_user, second, invoice_numbers=["04512399"], tracking_number="sf1234567890")
    # then it is refused
    message = "This tracking number was already used for another request with this courier."
    assert raised.value.fields == {"tracking_number": [message]}
    _assert_unchanged(second)


@pytest.mark.parametrize(
    ("tracking_number", "message"),
    [
        ("", "Enter the tracking number."),
        ("   ", "Enter the tracking number."),
        ("SF1", "A tracking number has 6 to 40 letters, digits or dashes."),
    ],
)
def test_an_empty_tracking_number_is_asked_for_not_told_the_format(consumed, vendor_user, tracking_number, message):
    # given a processing request
    request = _processing(consumed, vendor_user)
    # when it is marked mailed without a tracking number (or a malformed one)
    with pytest.raises(ApplicationError) as raised:
        _mail(vendor_user, request, tracking_number=tracking_number)
    # then an empty one is asked for; only a typed one is told the format
    assert raised.value.fields == {"tracking_number": [message]}
    _assert_unchanged(request)


def test_the_same_tracking_number_with_another_courier_is_fine(consumed, vendor_user):
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    _mail(vendor_user, first, courier="sf", tracking_number="1234567890")
    _mail(vendor_user, second, courier="ems", invoice_numbers=["04512346"], tracking_number="1234567890")
    assert _stored(second).status == "mailing"


def test_the_database_refuses_a_tracking_number_twice_for_one_courier(consumed, vendor):
    first, second = submit(consumed, vendor, "10.00"), submit(consumed, vendor, "10.00")
    InvoiceRequest.objects.filter(pk=first.pk).update(courier="sf", tracking_number="SF1")
    InvoiceRequest.objects.filter(pk=second.pk).update(courier="ems", tracking_number="SF1")
    with pytest.raises(IntegrityError, match="invoice_request_tracking_unique_per_courier"), transaction.atomic():
        InvoiceRequest.objects.filter(pk=second.pk).update(courier="sf")


# --- other values ---------------------------------------------------------------------------------------------


def test_every_wrong_value_is_reported_at_once_and_nothing_changes(consumed, vendor_user):
    request = _processing(consumed, vendor_user, "80.00")
    with pytest.raises(ApplicationError) as raised:
        _mail(
            vendor_user,
            request,
            invoice_numbers=[],
            invoice_date=None,
            courier="ups",
            tracking_number="12",
            shipping_payer="recipient",
        )
    assert raised.value.code == "invalid_mailing"
    assert set(raised.value.fields) == {
        "invoice_numbers",
        "invoice_date",
        "courier",
        "tracking_number",
        "shipping_payer",
    }
    assert raised.value.fields["courier"] == ["Choose a courier."]
    _assert_unchanged(request)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "The invoice date cannot be in the future."),
        (-1, "The invoice date cannot be before the request was submitted."),
    ],
)
def test_the_invoice_date_is_between_the_submission_and_today(consumed, vendor_user, days, message):
    request = _processing(consumed, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _mail(vendor_user, request, invoice_date=_today() + dt.timedelta(days=days))
    assert raised.value.fields == {"invoice_date": [message]}


def test_another_courier_needs_its_name(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _mail(vendor_user, request, courier="other", courier_name="  ")
    assert raised.value.fields == {"courier_name": ["Enter the courier's name."]}


# --- the customer is told ------------------------------------------------------------------------------------


def test_the_customer_is_notified_after_commit_and_the_email_has_the_tracking_number(
    vendor_user, monkeypatch, django_capture_on_commit_callbacks
):
    # given a customer with an email address and a processing request
    customer = CustomerUserFactory(email="finance@example.com")
    InvoiceTitleFactory(customer_account=customer.customer_account, is_default=True)
    MailingAddressFactory(customer_account=customer.customer_account, is_default=True)
    consume(customer_account=customer.customer_account, vendor=vendor_user.vendor, amount="100.00")
    request = _processing(customer, vendor_user, "30.00")
    queued = record_queued_notifications(monkeypatch)["customer"]
    # when the vendor marks it mailed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _mail(vendor_user, request, shipping_payer="recipient")
        assert queued == []
    # then the notification is queued once the transaction commits
    for callback in callbacks:
        callback()
    assert queued == [(request.pk,)]
    # and the email tells the submitter the courier and tracking number (in Chinese, the default)
    # (after the earlier "accepted" one)
    assert send_notification_emails(to="customer") == 2
    assert [email.to for email in mail.outbox] == [["finance@example.com"]] * 2
    assert mail.outbox[-1].subject == f"开票申请 {request.number}：邮寄中"
    assert "快递公司：顺丰速运，快递单号：SF1234567890" in mail.outbox[-1].body


def test_a_refused_mailing_queues_nothing(consumed, vendor_user, django_capture_on_commit_callbacks):
    request = _processing(consumed, vendor_user, "80.00")
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ApplicationError):
        _mail(vendor_user, request, shipping_payer="recipient")
    assert callbacks == []
