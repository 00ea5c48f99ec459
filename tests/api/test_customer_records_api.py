"""The customer API shows what the customer's record pages show: what was mailed, and why a request was rejected."""

import pytest

from tests.helpers import mail, reach_status, submit

URL = "/api/v1/invoice-requests/"
MAILING_FIELDS = (
    "invoice_numbers",
    "invoice_date",
    "courier",
    "courier_label",
    "tracking_number",
    "shipping_payer",
    "shipping_payer_display",
    "mailed_at",
)


@pytest.mark.django_db
def test_a_mailed_request_shows_invoice_courier_tracking_payer_and_time(customer_api, consumed, vendor, vendor_user):
    # given a ¥20.00 request the vendor mailed cash on delivery
    invoice_request = submit(consumed, vendor, "20.00")
    mailed = mail(invoice_request, vendor_user, invoice="04512345", tracking="AN123456789", payer="recipient")
    # when the customer reads it, in the list and in the detail
    listed = customer_api.get(URL).json()["results"][0]
    detail = customer_api.get(f"{URL}{invoice_request.pk}/").json()
    # then both show what the record page shows
    for body in (listed, detail):
        assert body["invoice_numbers"] == ["04512345"]
        assert body["invoice_date"] == mailed.invoice_date.isoformat()
        assert (body["courier"], body["tracking_number"]) == ("sf", "AN123456789")
        assert body["courier_label"] == mailed.get_courier_label()
        assert (body["shipping_payer"], body["shipping_payer_display"]) == (
            "recipient",
            mailed.get_shipping_payer_display(),
        )
        assert body["mailed_at"] is not None
        assert body["rejection_reason"] is None


@pytest.mark.django_db
def test_a_rejected_request_shows_the_vendors_reason(customer_api, consumed, vendor, vendor_user):
    invoice_request = reach_status(submit(consumed, vendor), "rejected", vendor_user)
    body = customer_api.get(f"{URL}{invoice_request.pk}/").json()
    assert body["rejection_reason"] == "The taxpayer ID does not match."
    assert body["invoice_numbers"] == []


@pytest.mark.django_db
def test_a_cancelled_request_has_no_rejection_reason(customer_api, consumed, vendor):
    invoice_request = submit(consumed, vendor)
    customer_api.post(f"{URL}{invoice_request.pk}/cancel/", {"reason": "抬头填错了"}, format="json")
    body = customer_api.get(f"{URL}{invoice_request.pk}/").json()
    assert (body["status_reason"], body["rejection_reason"]) == ("抬头填错了", None)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "processing"])
def test_a_request_not_yet_mailed_has_empty_mailing_fields(customer_api, consumed, vendor, vendor_user, status):
    invoice_request = reach_status(submit(consumed, vendor), status, vendor_user)
    body = customer_api.get(f"{URL}{invoice_request.pk}/").json()
    assert {field: body[field] for field in MAILING_FIELDS} == {
        "invoice_numbers": [],
        "invoice_date": None,
        "courier": "",
        "courier_label": "",
        "tracking_number": "",
        "shipping_payer": "",
        "shipping_payer_display": "",
        "mailed_at": None,
    }
