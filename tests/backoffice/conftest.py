"""Back-office fixtures: two vendors with one user each, and a customer who consumed with both."""

import pytest

from tests.factories import consume


@pytest.fixture
def vendor2_user(other_vendor_user):
    """Alias of `other_vendor_user` (tests/conftest.py): the vendor next door."""
    return other_vendor_user


@pytest.fixture
def shopper(customer, vendor, other_vendor):
    """`customer`, who consumed ¥10,000.00 with each vendor, so tests can submit requests to either."""
    consume(customer_account=customer.customer_account, vendor=vendor, amount="10000.00")
    consume(customer_account=customer.customer_account, vendor=other_vendor, amount="10000.00")
    return customer


@pytest.fixture
def browser_for(page_client_for):
    """Alias of `page_client_for` (tests/conftest.py): `browser_for(user)` is a logged-in client in English."""
    return page_client_for
