import pytest

from apps.addresses.selectors import address_for_account, addresses_for_account
from apps.core.errors import NotFoundError
from tests.factories import MailingAddressFactory


def test_addresses_for_account_lists_only_that_accounts_addresses_default_first(customer, other_customer):
    # given customer1 with its default address and a newer one, and customer2 with its own address
    own_default = customer.customer_account.addresses.get()
    newer = MailingAddressFactory(customer_account=customer.customer_account, recipient="赵六")
    # when customer1's addresses are listed
    addresses = list(addresses_for_account(customer_account=customer.customer_account))
    # then only its two addresses appear, the default first
    assert addresses == [own_default, newer]


def test_another_accounts_address_is_not_found(customer, other_customer):
    # given an address of customer2
    foreign = other_customer.customer_account.addresses.get()
    # when customer1 asks for it
    # then it is not found
    with pytest.raises(NotFoundError):
        address_for_account(customer_account=customer.customer_account, address_id=foreign.pk)
    # and customer2's list never contains customer1's addresses
    own = customer.customer_account.addresses.get()
    assert own not in addresses_for_account(customer_account=other_customer.customer_account)


@pytest.mark.parametrize("bad_id", [0, -1, 999_999_999, 2**63 - 1, 2**70])
def test_malformed_or_unknown_address_ids_are_not_found(customer, bad_id):
    # given an id (an int from the URL or parse_id) that no address has, even one beyond the database's range
    # when it is looked up
    # then it is not found instead of failing
    with pytest.raises(NotFoundError):
        address_for_account(customer_account=customer.customer_account, address_id=bad_id)
