"""The vendor edits the contact details and invoice types customers see; only vendor users may."""

import pytest

from apps.accounts.models import Vendor
from apps.core.models import AuditLog
from tests.helpers import assert_error, submit

URL = "/api/v1/vendor/profile/"


def profile(vendor: Vendor) -> dict:
    return {
        "id": vendor.pk,
        "name": vendor.name,
        "contact_phone": vendor.contact_phone,
        "contact_email": vendor.contact_email,
        "service_hours": vendor.service_hours,
        "supported_invoice_types": vendor.supported_invoice_types,
        "supported_invoice_types_display": vendor.supported_invoice_type_labels(),
    }


@pytest.mark.django_db
def test_get_shows_the_vendors_own_profile(client_for, vendor_user, other_vendor):
    response = client_for(vendor_user).get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "id": vendor_user.vendor.pk,
        "name": vendor_user.vendor.name,
        "contact_phone": "400-800-0000",
        "contact_email": vendor_user.vendor.contact_email,
        "service_hours": "工作日 09:00–18:00",
        "supported_invoice_types": ["general", "special"],
        "supported_invoice_types_display": ["VAT general invoice (paper)", "VAT special invoice (paper)"],
    }


@pytest.mark.django_db
def test_patch_changes_only_the_fields_sent_and_customers_see_the_new_contact(
    client_for, vendor_user, consumed, vendor
):
    # given a request of a customer to the vendor
    submit(consumed, vendor, "10.00")
    # when the vendor changes its phone and invoice types
    response = client_for(vendor_user).patch(
        URL, {"contact_phone": "010-62668899", "supported_invoice_types": ["special"]}, format="json"
    )
    # then those change, the rest stays, and the change is audited
    assert response.status_code == 200, response.json()
    vendor = Vendor.objects.get(pk=vendor.pk)
    assert response.json() == profile(vendor)
    assert (vendor.contact_phone, vendor.supported_invoice_types) == ("010-62668899", ["special"])
    assert vendor.service_hours == "工作日 09:00–18:00"
    assert AuditLog.objects.filter(action="vendor_profile_updated").count() == 1
    # and the customer's records show the new phone
    row = client_for(consumed).get("/api/v1/invoice-requests/").json()["results"][0]
    assert row["vendor_contact_phone"] == "010-62668899"


@pytest.mark.django_db
def test_patch_reports_every_wrong_value_and_changes_nothing(client_for, vendor_user):
    before = profile(vendor_user.vendor)
    response = client_for(vendor_user).patch(
        URL,
        {
            "contact_phone": "call me",
            "contact_email": "not-an-email",
            "service_hours": "x" * 101,
            "supported_invoice_types": ["electronic"],
        },
        format="json",
    )
    assert_error(
        response,
        400,
        "invalid_profile",
        fields={
            "contact_phone": [
                "Enter a phone number customers can call: a mobile (13800138000), a landline with its area code "
                "(0571-88886666) or a 400/800 number (400-800-8888); an extension may follow (-801)."
            ],
            "contact_email": ["Enter a valid email address."],
            "service_hours": ["At most 100 characters."],
            "supported_invoice_types": ["Choose at least one invoice type you issue."],
        },
    )
    assert profile(Vendor.objects.get(pk=vendor_user.vendor.pk)) == before


@pytest.mark.django_db
def test_a_vendor_keeps_a_phone_and_an_invoice_type(client_for, vendor_user):
    response = client_for(vendor_user).patch(URL, {"contact_phone": "", "supported_invoice_types": []}, format="json")
    assert_error(
        response,
        400,
        "invalid_profile",
        fields={
            "contact_phone": ["Customers need a phone number to reach you."],
            "supported_invoice_types": ["Choose at least one invoice type you issue."],
        },
    )


@pytest.mark.django_db
def test_put_is_not_allowed(client_for, vendor_user):
    response = client_for(vendor_user).put(URL, {"contact_phone": "010-62668899"}, format="json")
    assert_error(response, 405, "method_not_allowed")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "patch"])
def test_customers_and_staff_may_not_use_the_vendor_profile(client_for, customer, staff_user, method):
    for user in (customer, staff_user):
        response = getattr(client_for(user), method)(URL, {"contact_phone": "010-62668899"}, format="json")
        assert_error(response, 403, "permission_denied", "Only vendor users may use this endpoint.", {})
