"""The vendor keeps the contact details customers are sent to after pending, and the invoice types it issues."""

import pytest

from apps.accounts.models import Vendor
from apps.accounts.services import vendor_profile_update
from apps.core.errors import ApplicationError
from apps.core.models import AuditLog
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import cannot_cancel_message
from tests.factories import VendorFactory, VendorUserFactory, consume
from tests.helpers import reach_status, submit


@pytest.fixture
def vendor_user(db):
    vendor = VendorFactory(
        contact_phone="400-800-0000",
        contact_email="old@example.com",
        service_hours="工作日 09:00-18:00",
        supported_invoice_types=["general"],
    )
    return VendorUserFactory(vendor=vendor)


def _update(vendor_user, **data) -> Vendor:
    return vendor_profile_update(actor=vendor_user, vendor=vendor_user.vendor, data=data)


def _stored(vendor_user) -> Vendor:
    return Vendor.objects.get(pk=vendor_user.vendor.pk)


def _profile(vendor: Vendor) -> tuple:
    return (vendor.contact_phone, vendor.contact_email, vendor.service_hours, vendor.supported_invoice_types)


def test_the_vendor_updates_its_contact_and_invoice_types_and_the_change_is_audited(vendor_user):
    # when the vendor changes everything
    updated = _update(
        vendor_user,
        contact_phone=" 010-62668899 ",
        contact_email="invoice@example.com",
        service_hours="周一至周五 09:00-17:30",
        supported_invoice_types=["special", "general"],
    )
    # then it is saved, trimmed, with the invoice types in their usual order
    expected = ("010-62668899", "invoice@example.com", "周一至周五 09:00-17:30", ["general", "special"])
    assert _profile(updated) == _profile(_stored(vendor_user)) == expected
    # and the audit log says who changed what
    log = AuditLog.objects.get(action="vendor_profile_updated")
    assert (log.actor, log.object_id) == (vendor_user, str(vendor_user.vendor.pk))
    assert log.changes["before"]["contact_phone"] == "400-800-0000"
    assert log.changes["after"]["contact_phone"] == "010-62668899"


def test_fields_left_out_keep_their_value(vendor_user):
    _update(vendor_user, service_hours="7×24 小时")
    assert _profile(_stored(vendor_user)) == ("400-800-0000", "old@example.com", "7×24 小时", ["general"])


def test_customers_are_sent_to_the_new_contact(vendor_user, consumed):
    # given a request the vendor is processing (the customer can no longer cancel it)
    consume(customer_account=consumed.customer_account, vendor=vendor_user.vendor, amount="100.00")
    request = reach_status(submit(consumed, vendor_user.vendor, "10.00"), "processing")
    # when the vendor changes its phone
    _update(vendor_user, contact_phone="010-62668899", contact_email="")
    # then the customer's message names the new phone
    assert cannot_cancel_message(InvoiceRequest.objects.get(pk=request.pk)).endswith(
        f"contact {vendor_user.vendor.name}: 010-62668899."
    )


PHONE_SHAPE = (
    "Enter a phone number customers can call: a mobile (13800138000), a landline with its area code "
    "(0571-88886666) or a 400/800 number (400-800-8888); an extension may follow (-801)."
)
CONTROL = (
    "Contains invisible control characters (for example a tab or line break copied with the text); please retype it."
)


@pytest.mark.parametrize(
    "phone",
    [
        "400-820-1234",
        "400-800-8888",
        "010-62668899",
        "0571-88886666",
        "0571-88886666-801",
        "0571-88886666转801",
        "+86 138 0013 8000",
        "13800138000",
        "(0755) 8888 6666",
    ],
)
def test_phone_numbers_as_companies_write_them(vendor_user, phone):
    assert _update(vendor_user, contact_phone=phone).contact_phone == phone


def test_a_full_width_phone_is_stored_in_ascii(vendor_user):
    assert _update(vendor_user, contact_phone="０５７１－８８８８６６６６").contact_phone == "0571-88886666"


@pytest.mark.parametrize("email", ["", "invoice@example.com"])
def test_the_email_is_optional(vendor_user, email):
    assert _update(vendor_user, contact_email=email).contact_email == email


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"contact_phone": ""}, "contact_phone", "Customers need a phone number to reach you."),
        ({"contact_phone": "   "}, "contact_phone", "Customers need a phone number to reach you."),
        ({"contact_phone": "call us"}, "contact_phone", PHONE_SHAPE),
        ({"contact_phone": "1" * 31}, "contact_phone", PHONE_SHAPE),
        ({"contact_phone": "12345"}, "contact_phone", PHONE_SHAPE),
        ({"contact_phone": "88886666"}, "contact_phone", PHONE_SHAPE),  # a landline needs its area code
        ({"contact_phone": "+()- 1"}, "contact_phone", PHONE_SHAPE),
        ({"contact_phone": "400-820-1234\x00"}, "contact_phone", CONTROL),
        ({"contact_email": "invoice@example.com\n"}, "contact_email", CONTROL),
        ({"service_hours": "工作日\x0709:00-18:00"}, "service_hours", CONTROL),
        ({"service_hours": "工作日\n09:00-18:00"}, "service_hours", CONTROL),
        ({"contact_email": "invoice@"}, "contact_email", "Enter a valid email address."),
        ({"service_hours": "x" * 101}, "service_hours", "At most 100 characters."),
        (
            {"service_hours": "随时 😀"},
            "service_hours",
            "Contains characters the invoice printer cannot print (GBK); please remove them.",
        ),
        ({"supported_invoice_types": []}, "supported_invoice_types", "Choose at least one invoice type you issue."),
        (
            {"supported_invoice_types": ["general", "electronic"]},
            "supported_invoice_types",
            "Choose at least one invoice type you issue.",
        ),
    ],
)
def test_wrong_values_are_refused_and_nothing_changes(vendor_user, data, field, message):
    before = _profile(_stored(vendor_user))
    with pytest.raises(ApplicationError) as raised:
        _update(vendor_user, **data)
    assert (raised.value.code, raised.value.fields) == ("invalid_profile", {field: [message]})
    assert _profile(_stored(vendor_user)) == before
    assert not AuditLog.objects.filter(action="vendor_profile_updated").exists()


def test_every_wrong_value_is_reported_at_once(vendor_user):
    with pytest.raises(ApplicationError) as raised:
        _update(vendor_user, contact_phone="", contact_email="x", service_hours="x" * 101, supported_invoice_types=[])
    assert set(raised.value.fields) == {"contact_phone", "contact_email", "service_hours", "supported_invoice_types"}


@pytest.mark.parametrize(
    ("types", "stored"),
    [
        ("special", ["special"]),
        (["special", "general", "special"], ["general", "special"]),
    ],
)
def test_invoice_types_are_stored_once_each_in_their_usual_order(vendor_user, types, stored):
    assert _update(vendor_user, supported_invoice_types=types).supported_invoice_types == stored
