"""The vendor profile: contact details and invoice types, which customers see next to their requests."""

import pytest
from django.urls import reverse

from apps.accounts.models import Vendor
from apps.core.models import AuditLog

from .helpers import submit

pytestmark = pytest.mark.django_db


def test_the_vendor_edits_its_contact_and_customers_see_it(browser_for, shopper, vendor, vendor_user):
    request = submit(shopper, vendor, "100.00")
    browser = browser_for(vendor_user)
    page = browser.get(reverse("backoffice:profile")).content.decode()
    assert f'value="{vendor.contact_phone}"' in page

    response = browser.post(
        reverse("backoffice:profile"),
        {
            "contact_phone": "021-5555 6666",
            "contact_email": "fapiao@vendor.example.com",
            "service_hours": "周一至周五 09:30–17:30",
            "supported_invoice_types": ["general"],
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("backoffice:profile")
    stored = Vendor.objects.get(pk=vendor.pk)
    assert (stored.contact_phone, stored.contact_email, stored.service_hours) == (
        "021-5555 6666",
        "fapiao@vendor.example.com",
        "周一至周五 09:30–17:30",
    )
    assert stored.supported_invoice_types == ["general"]
    assert AuditLog.objects.filter(action="vendor_profile_updated").exists()
    # the customer sees the new contact in the records list and on the request
    customer = browser_for(shopper)
    for url in (reverse("console:records"), reverse("console:record_detail", args=[request.pk])):
        html = customer.get(url).content.decode()
        assert "021-5555 6666" in html and "fapiao@vendor.example.com" in html, url


def test_profile_errors_are_shown_next_to_the_fields_and_nothing_is_saved(browser_for, vendor, vendor_user):
    before = Vendor.objects.get(pk=vendor.pk)

    response = browser_for(vendor_user).post(
        reverse("backoffice:profile"),
        {"contact_phone": "", "contact_email": "not-an-email", "service_hours": "工作日"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Customers need a phone number to reach you." in html
    assert "Enter a valid email address." in html
    assert "Choose at least one invoice type you issue." in html
    assert 'value="not-an-email"' in html
    after = Vendor.objects.get(pk=vendor.pk)
    assert (after.contact_phone, after.contact_email) == (before.contact_phone, before.contact_email)
