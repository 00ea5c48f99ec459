import pytest

from apps.core.errors import NotFoundError
from apps.titles.selectors import title_for_account, titles_for_account
from tests.factories import InvoiceTitleFactory


def test_titles_for_account_lists_only_that_accounts_titles_default_first(customer, other_customer):
    # given customer1 with its default title and one more, and customer2 with its own title
    own_default = customer.customer_account.titles.get()
    own_other = InvoiceTitleFactory(customer_account=customer.customer_account, name="AAA 第二个抬头")
    # when customer1's titles are listed
    titles = list(titles_for_account(customer_account=customer.customer_account))
    # then only its two titles appear, the default first
    assert titles == [own_default, own_other]


def test_another_accounts_title_is_not_found(customer, other_customer):
    # given a title of customer2
    foreign = other_customer.customer_account.titles.get()
    # when customer1 asks for it
    # then it is simply not found (404, no hint it exists)
    with pytest.raises(NotFoundError) as raised:
        title_for_account(customer_account=customer.customer_account, title_id=foreign.pk)
    assert raised.value.status_code == 404
    # and customer2's list never contains customer1's titles
    own = customer.customer_account.titles.get()
    assert own not in titles_for_account(customer_account=other_customer.customer_account)


@pytest.mark.parametrize("bad_id", [0, -1, 999_999_999, 2**63 - 1, 2**70])
def test_unknown_or_out_of_range_title_ids_are_not_found(customer, bad_id):
    # given an id (an int from the URL or parse_id) that no title has, even one beyond the database's range
    # when it is looked up
    # then it is not found instead of failing
    with pytest.raises(NotFoundError):
        title_for_account(customer_account=customer.customer_account, title_id=bad_id)


def test_own_title_is_found(customer):
    # given customer1's title
    own = customer.customer_account.titles.get()
    # when it is looked up by id
    # then it is returned
    assert title_for_account(customer_account=customer.customer_account, title_id=own.pk) == own
