"""People with e-mail addresses (the factories leave them empty) for the notification tests."""

import pytest

from tests.factories import CustomerUserFactory, VendorUserFactory, consume


@pytest.fixture
def people(consumed, vendor, vendor_user):
    """customer (with a colleague of the same account) consumed ¥5,000.00 more with vendor; e-mail addresses set."""
    consume(customer_account=consumed.customer_account, vendor=vendor, amount="5000.00")
    consumed.email = "buyer@example.com"
    consumed.save(update_fields=["email"])
    colleague = CustomerUserFactory(customer_account=consumed.customer_account, email="colleague@example.com")
    vendor_user.email = "ops@vendor.example.com"
    vendor_user.save(update_fields=["email"])
    second_vendor_user = VendorUserFactory(vendor=vendor)  # no address of their own: the vendor's contact e-mail
    return {
        "customer": consumed,
        "colleague": colleague,
        "vendor_user": vendor_user,
        "second_vendor_user": second_vendor_user,
        "vendor": vendor,
    }
