"""Invoice titles through the API: CRUD, default, validation by the service, scoping."""

import pytest

from apps.core.models import AuditLog
from apps.titles.models import InvoiceTitle
from tests.factories import InvoiceTitleFactory
from tests.helpers import assert_error, submit

URL = "/api/v1/titles/"
COMPANY = {
    "kind": "company",
    "name": "深圳示例科技有限公司",
    "taxpayer_id": "9144030071526726XG",
    "registered_address": "深圳市南山区科技园 1 号",
    "registered_phone": "0755-88886666",
    "bank_name": "招商银行深圳分行",
    "bank_account": "755900000000001",
}


def title_json(title: InvoiceTitle) -> dict:
    return {
        "id": title.pk,
        "kind": title.kind,
        "name": title.name,
        "taxpayer_id": title.taxpayer_id,
        "registered_address": title.registered_address,
        "registered_phone": title.registered_phone,
        "bank_name": title.bank_name,
        "bank_account": title.bank_account,
        "is_default": title.is_default,
        "taxpayer_id_verified": title.taxpayer_id_verified,
    }


@pytest.fixture
def second_title(customer):
    return InvoiceTitleFactory(customer_account=customer.customer_account, name="乙公司", kind="company")


@pytest.mark.django_db
def test_list_shows_the_accounts_titles_default_first_and_no_one_elses(client_for, customer, other_customer):
    # given
    default = customer.customer_account.titles.get()
    other = InvoiceTitleFactory(customer_account=customer.customer_account, name="甲公司")
    # when
    response = client_for(customer).get(URL)
    # then
    assert response.status_code == 200
    assert response.json() == [title_json(default), title_json(other)]


@pytest.mark.django_db
def test_create_a_company_title_with_a_valid_uscc(client_for, customer):
    response = client_for(customer).post(URL, COMPANY, format="json")
    assert response.status_code == 201
    title = InvoiceTitle.objects.get(pk=response.json()["id"])
    assert response.json() == {
        **COMPANY,
        "id": title.pk,
        "is_default": False,
        "taxpayer_id_verified": True,
        "warnings": [],
    }
    assert title.customer_account == customer.customer_account
    assert AuditLog.objects.filter(action="title_created", object_id=str(title.pk), actor=customer).exists()


@pytest.mark.django_db
def test_create_normalises_the_taxpayer_id_and_can_make_the_title_the_default(client_for, customer):
    old_default = customer.customer_account.titles.get()
    payload = {**COMPANY, "taxpayer_id": " 91350200ma2yj1xr9g ", "is_default": True}
    response = client_for(customer).post(URL, payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["taxpayer_id"], body["taxpayer_id_verified"], body["is_default"]) == ("91350200MA2YJ1XR9G", True, True)
    old_default.refresh_from_db()
    assert old_default.is_default is False


@pytest.mark.django_db
def test_a_legacy_taxpayer_id_is_accepted_but_unverified_whatever_the_client_claims(client_for, customer):
    payload = {**COMPANY, "taxpayer_id": "110108123456788", "taxpayer_id_verified": True}
    response = client_for(customer).post(URL, payload, format="json")
    assert response.status_code == 201
    assert (response.json()["taxpayer_id"], response.json()["taxpayer_id_verified"]) == ("110108123456788", False)


@pytest.mark.django_db
def test_an_individual_title_keeps_only_the_name(client_for, customer):
    response = client_for(customer).post(
        URL, {"kind": "individual", "name": "张三", "taxpayer_id": "91110000600037341L"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "kind": "individual",
        "name": "张三",
        "taxpayer_id": "",
        "registered_address": "",
        "registered_phone": "",
        "bank_name": "",
        "bank_account": "",
        "is_default": False,
        "taxpayer_id_verified": False,
        "warnings": [],
    }


@pytest.mark.django_db
def test_the_first_title_of_an_account_becomes_the_default(client_for, customer):
    customer.customer_account.titles.all().delete()
    response = client_for(customer).post(URL, {"kind": "individual", "name": "张三"}, format="json")
    assert response.status_code == 201
    assert response.json()["is_default"] is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {**COMPANY, "taxpayer_id": "91110000600037341A"},
            {
                "taxpayer_id": [
                    "This 18-character unified social credit code is not valid: check every character "
                    "(I, O, S, V and Z are never used) and the last one, which is a check character."
                ]
            },
        ),
        (
            {**COMPANY, "taxpayer_id": "12345"},
            {
                "taxpayer_id": [
                    "Enter the 18-character unified social credit code (or a 15, 17 or 20-character legacy "
                    "taxpayer ID)."
                ]
            },
        ),
        ({**COMPANY, "taxpayer_id": ""}, {"taxpayer_id": ["A company title needs its taxpayer ID."]}),
        ({"kind": "company", "taxpayer_id": "91110000600037341L"}, {"name": ["Enter the title name."]}),
        ({"kind": "partnership", "name": "甲"}, {"kind": ["Choose company or individual."]}),
        ({**COMPANY, "name": "甲" * 101}, {"name": ["At most 100 characters."]}),
        (
            {**COMPANY, "name": "示例😀公司"},
            {"name": ["Contains characters the invoice printer cannot print (GBK); please remove them."]},
        ),
    ],
    ids=["uscc-check", "bad-length", "company-without-id", "no-name", "bad-kind", "too-long", "not-gbk"],
)
def test_create_refuses_what_the_service_refuses(client_for, customer, payload, fields):
    response = client_for(customer).post(URL, payload, format="json")
    assert_error(response, 400, "invalid_title", next(iter(fields.values()))[0], fields)
    assert customer.customer_account.titles.count() == 1


@pytest.mark.django_db
def test_create_refuses_a_value_of_the_wrong_type(client_for, customer):
    response = client_for(customer).post(URL, {**COMPANY, "name": ["a"], "is_default": "perhaps"}, format="json")
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {"name": ["Not a valid string."], "is_default": ["Must be a valid boolean."]},
    )


@pytest.mark.django_db
def test_retrieve_one_title(client_for, customer):
    title = customer.customer_account.titles.get()
    response = client_for(customer).get(f"{URL}{title.pk}/")
    assert response.status_code == 200
    assert response.json() == title_json(title)


@pytest.mark.django_db
def test_partial_update_changes_only_the_fields_sent(client_for, customer):
    title = customer.customer_account.titles.get()
    response = client_for(customer).patch(f"{URL}{title.pk}/", {"bank_name": "中国银行"}, format="json")
    assert response.status_code == 200
    title.refresh_from_db()
    assert title.bank_name == "中国银行"
    assert response.json() == {**title_json(title), "warnings": []}
    assert title.taxpayer_id == "91110000600037341L"


@pytest.mark.django_db
def test_partial_update_is_checked_by_the_service(client_for, customer):
    title = customer.customer_account.titles.get()
    response = client_for(customer).patch(f"{URL}{title.pk}/", {"taxpayer_id": "91110000600037341A"}, format="json")
    body = assert_error(response, 400, "invalid_title")
    assert list(body["fields"]) == ["taxpayer_id"]
    title.refresh_from_db()
    assert title.taxpayer_id == "91110000600037341L"


@pytest.mark.django_db
def test_put_replaces_the_whole_title(client_for, customer):
    title = customer.customer_account.titles.get()
    response = client_for(customer).put(f"{URL}{title.pk}/", {"kind": "individual", "name": "李四"}, format="json")
    assert response.status_code == 200
    title.refresh_from_db()
    assert (title.kind, title.name, title.taxpayer_id, title.bank_account) == ("individual", "李四", "", "")
    assert response.json() == {**title_json(title), "warnings": []}


@pytest.mark.django_db
def test_put_empties_what_is_left_out_and_the_service_says_what_is_missing(client_for, customer):
    title = customer.customer_account.titles.get()
    response = client_for(customer).put(f"{URL}{title.pk}/", {"name": "李四有限公司"}, format="json")
    assert_error(
        response,
        400,
        "invalid_title",
        "A company title needs its taxpayer ID.",
        {"taxpayer_id": ["A company title needs its taxpayer ID."]},
    )


@pytest.mark.django_db
def test_set_default_moves_the_default(client_for, customer, second_title):
    old_default = customer.customer_account.titles.get(is_default=True)
    response = client_for(customer).post(f"{URL}{second_title.pk}/set-default/")
    assert response.status_code == 200
    second_title.refresh_from_db()
    old_default.refresh_from_db()
    assert response.json() == title_json(second_title)
    assert (second_title.is_default, old_default.is_default) == (True, False)


@pytest.mark.django_db
def test_delete_the_default_promotes_another_and_requests_keep_their_snapshot(
    client_for, consumed, vendor, second_title
):
    # given a request that used the default title
    customer = consumed
    default = customer.customer_account.titles.get(is_default=True)
    request = submit(customer, vendor)
    # when
    response = client_for(customer).delete(f"{URL}{default.pk}/")
    # then
    assert response.status_code == 204
    assert response.content == b""
    assert not InvoiceTitle.objects.filter(pk=default.pk).exists()
    second_title.refresh_from_db()
    assert second_title.is_default is True
    detail = client_for(customer).get(f"/api/v1/invoice-requests/{request.pk}/").json()
    assert detail["title_snapshot"]["name"] == default.name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"name": "偷改"}),
        ("put", "", {"kind": "individual", "name": "偷改"}),
        ("delete", "", None),
        ("post", "set-default/", None),
    ],
)
def test_another_accounts_title_is_not_found(client_for, customer, other_customer, method, suffix, payload):
    # given a title of customer1 that is not its default
    title = InvoiceTitleFactory(customer_account=customer.customer_account, name="甲公司")
    # when customer2 tries it
    response = getattr(client_for(other_customer), method)(f"{URL}{title.pk}/{suffix}", payload, format="json")
    # then
    assert_error(response, 404, "not_found", "Not found.", {})
    title.refresh_from_db()
    assert (title.name, title.kind, title.is_default) == ("甲公司", "company", False)


@pytest.mark.django_db
def test_an_id_that_is_not_a_number_is_not_found(client_for, customer):
    assert_error(client_for(customer).get(f"{URL}abc/"), 404, "not_found", "Not found.", {})
