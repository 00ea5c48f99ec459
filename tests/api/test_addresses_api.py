"""Mailing addresses through the API: CRUD, default, validation by the service, scoping."""

import pytest

from apps.addresses.models import MailingAddress
from apps.core.models import AuditLog
from tests.factories import MailingAddressFactory
from tests.helpers import assert_error, submit

URL = "/api/v1/addresses/"
ADDRESS = {
    "recipient": "赵六",
    "phone": "13912345678",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "street": "科技园南路 2 号",
    "postal_code": "518057",
}


def address_json(address: MailingAddress) -> dict:
    return {
        "id": address.pk,
        "recipient": address.recipient,
        "phone": address.phone,
        "province": address.province,
        "city": address.city,
        "district": address.district,
        "street": address.street,
        "postal_code": address.postal_code,
        "is_default": address.is_default,
    }


@pytest.fixture
def second_address(customer):
    return MailingAddressFactory(customer_account=customer.customer_account, recipient="钱七")


@pytest.mark.django_db
def test_list_shows_the_accounts_addresses_default_first_and_no_one_elses(
    client_for, customer, other_customer, second_address
):
    default = customer.customer_account.addresses.get(is_default=True)
    response = client_for(customer).get(URL)
    assert response.status_code == 200
    assert response.json() == [address_json(default), address_json(second_address)]


@pytest.mark.django_db
def test_create_an_address(client_for, customer):
    response = client_for(customer).post(URL, ADDRESS, format="json")
    assert response.status_code == 201
    address = MailingAddress.objects.get(pk=response.json()["id"])
    assert response.json() == {**ADDRESS, "id": address.pk, "is_default": False}
    assert address.customer_account == customer.customer_account
    assert AuditLog.objects.filter(action="address_created", object_id=str(address.pk), actor=customer).exists()


@pytest.mark.django_db
def test_create_normalises_the_mobile_and_can_make_the_address_the_default(client_for, customer):
    old_default = customer.customer_account.addresses.get()
    response = client_for(customer).post(
        URL, {**ADDRESS, "phone": "+86 139-1234-5678", "is_default": True}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["phone"], response.json()["is_default"]) == ("13912345678", True)
    old_default.refresh_from_db()
    assert old_default.is_default is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {**ADDRESS, "phone": "12345678901"},
            {"phone": ["Enter a mainland mobile number: 11 digits starting with 13–19, +86 optional."]},
        ),
        ({**ADDRESS, "postal_code": "51805"}, {"postal_code": ["A postal code is 6 digits."]}),
        ({**ADDRESS, "recipient": "  "}, {"recipient": ["Enter the recipient's name."]}),
        ({**ADDRESS, "street": "路" * 201}, {"street": ["At most 200 characters."]}),
        (
            {**ADDRESS, "street": "科技园😀"},
            {"street": ["Contains characters the invoice printer cannot print (GBK); please remove them."]},
        ),
    ],
    ids=["bad-mobile", "bad-postal-code", "no-recipient", "too-long", "not-gbk"],
)
def test_create_refuses_what_the_service_refuses(client_for, customer, payload, fields):
    response = client_for(customer).post(URL, payload, format="json")
    assert_error(response, 400, "invalid_address", next(iter(fields.values()))[0], fields)
    assert customer.customer_account.addresses.count() == 1


@pytest.mark.django_db
def test_create_with_nothing_lists_every_missing_field(client_for, customer):
    response = client_for(customer).post(URL, {}, format="json")
    assert_error(
        response,
        400,
        "invalid_address",
        "Enter the recipient's name.",
        {
            "recipient": ["Enter the recipient's name."],
            "phone": ["Enter the recipient's mobile number."],
            "province": ["Enter the province."],
            "city": ["Enter the city."],
            "district": ["Enter the district."],
            "street": ["Enter the street address."],
            "postal_code": ["Enter the postal code."],
        },
    )


@pytest.mark.django_db
def test_retrieve_one_address(client_for, customer):
    address = customer.customer_account.addresses.get()
    response = client_for(customer).get(f"{URL}{address.pk}/")
    assert response.status_code == 200
    assert response.json() == address_json(address)


@pytest.mark.django_db
def test_partial_update_changes_only_the_fields_sent(client_for, customer):
    address = customer.customer_account.addresses.get()
    response = client_for(customer).patch(f"{URL}{address.pk}/", {"recipient": "孙八"}, format="json")
    assert response.status_code == 200
    address.refresh_from_db()
    assert (address.recipient, address.phone) == ("孙八", "13800138000")
    assert response.json() == address_json(address)


@pytest.mark.django_db
def test_put_replaces_the_whole_address(client_for, customer):
    address = customer.customer_account.addresses.get()
    response = client_for(customer).put(f"{URL}{address.pk}/", ADDRESS, format="json")
    assert response.status_code == 200
    address.refresh_from_db()
    assert response.json() == {**ADDRESS, "id": address.pk, "is_default": True}
    assert address_json(address) == response.json()


@pytest.mark.django_db
def test_put_without_every_field_says_what_is_missing(client_for, customer):
    address = customer.customer_account.addresses.get()
    response = client_for(customer).put(f"{URL}{address.pk}/", {**ADDRESS, "postal_code": None}, format="json")
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {"postal_code": ["This field may not be null."]},
    )
    payload = {key: value for key, value in ADDRESS.items() if key != "city"}
    response = client_for(customer).put(f"{URL}{address.pk}/", payload, format="json")
    assert_error(response, 400, "invalid_address", "Enter the city.", {"city": ["Enter the city."]})
    address.refresh_from_db()
    assert address.city == "北京市"


@pytest.mark.django_db
def test_set_default_moves_the_default(client_for, customer, second_address):
    old_default = customer.customer_account.addresses.get(is_default=True)
    response = client_for(customer).post(f"{URL}{second_address.pk}/set-default/")
    assert response.status_code == 200
    second_address.refresh_from_db()
    old_default.refresh_from_db()
    assert response.json() == address_json(second_address)
    assert (second_address.is_default, old_default.is_default) == (True, False)


@pytest.mark.django_db
def test_delete_the_default_promotes_another_and_requests_keep_their_snapshot(
    client_for, consumed, vendor, second_address
):
    customer = consumed
    default = customer.customer_account.addresses.get(is_default=True)
    request = submit(customer, vendor)
    response = client_for(customer).delete(f"{URL}{default.pk}/")
    assert response.status_code == 204
    assert not MailingAddress.objects.filter(pk=default.pk).exists()
    second_address.refresh_from_db()
    assert second_address.is_default is True
    detail = client_for(customer).get(f"/api/v1/invoice-requests/{request.pk}/").json()
    assert detail["address_snapshot"]["street"] == default.street


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"recipient": "偷改"}),
        ("put", "", {**ADDRESS, "recipient": "偷改"}),
        ("delete", "", None),
        ("post", "set-default/", None),
    ],
)
def test_another_accounts_address_is_not_found(
    client_for, customer, other_customer, second_address, method, suffix, payload
):
    response = getattr(client_for(other_customer), method)(f"{URL}{second_address.pk}/{suffix}", payload, format="json")
    assert_error(response, 404, "not_found", "Not found.", {})
    second_address.refresh_from_db()
    assert (second_address.recipient, second_address.is_default) == ("钱七", False)
