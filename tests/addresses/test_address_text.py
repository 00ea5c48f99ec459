"""Every address field refuses control characters: they would end up on the courier's slip and in CSV files."""

import pytest

from apps.addresses.models import MailingAddress
from apps.addresses.services import address_create, address_update
from apps.core.errors import ApplicationError
from tests.factories import CustomerUserFactory

ADDRESS = {
    "recipient": "王五",
    "phone": "13800138000",
    "province": "北京市",
    "city": "北京市",
    "district": "海淀区",
    "street": "中关村大街 1 号",
    "postal_code": "100080",
}


@pytest.fixture
def user(db):
    return CustomerUserFactory()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient", "王\x00五"),
        ("recipient", "王五\x1f"),  # trailing: strip() must not quietly drop it
        ("phone", "13800138000\x00"),
        ("phone", "138\t0013 8000"),
        ("province", "北京\x7f市"),
        ("city", "北京\r市"),
        ("district", "\x0b海淀区"),
        ("street", "中关村大街\n1 号"),
        ("street", "中关村大街 1 号\x1b[2J"),
        ("postal_code", "10008\x000"),
    ],
)
def test_a_control_character_in_any_field_is_refused_on_that_field(user, field, value):
    # given an address with a control character in one field
    # when it is saved
    with pytest.raises(ApplicationError) as raised:
        address_create(customer_account=user.customer_account, actor=user, data={**ADDRESS, field: value})
    # then only that field is reported, with a message saying what to do, and nothing is stored
    assert raised.value.code == "invalid_address"
    assert list(raised.value.fields) == [field]
    assert "control characters" in str(raised.value.fields[field][0])
    assert not MailingAddress.objects.exists()


def test_an_update_with_a_control_character_changes_nothing(user):
    address = address_create(customer_account=user.customer_account, actor=user, data=ADDRESS)
    with pytest.raises(ApplicationError):
        address_update(address=address, actor=user, data={"street": "新地址\x00"})
    assert MailingAddress.objects.get(pk=address.pk).street == ADDRESS["street"]


def test_ordinary_spaces_around_values_are_still_trimmed(user):
    address = address_create(
        customer_account=user.customer_account, actor=user, data={**ADDRESS, "recipient": "  王五 "}
    )
    assert address.recipient == "王五"
