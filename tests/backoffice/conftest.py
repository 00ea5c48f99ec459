"""Back-office fixtures: two vendors with one user each, and a customer who consumed with both."""

import pytest
from django.test import Client

from tests.factories import VendorUserFactory, consume


@pytest.fixture
def vendor2_user(db, other_vendor):
    """A user of the other vendor: the vendor next door, who must never see `vendor`'s requests."""
    return VendorUserFactory(vendor=other_vendor)


@pytest.fixture
def shopper(customer, vendor, other_vendor):
    """`customer`, who consumed ¥10,000.00 with each vendor, so tests can submit requests to either."""
    consume(customer_account=customer.customer_account, vendor=vendor, amount="10000.00")
    consume(customer_account=customer.customer_account, vendor=other_vendor, amount="10000.00")
    return customer


@pytest.fixture
def browser_for():
    """`browser_for(user)`: a logged-in Django test client asking for English pages."""

    def make(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make
