"""A taxpayer ID used under two company names warns (without blocking); control characters are refused."""

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.titles.models import InvoiceTitle
from apps.titles.services import title_create, title_update, title_warnings
from tests.factories import CustomerUserFactory

USCC = "91110000600037341L"
COMPANY = {"kind": "company", "name": "北京示例科技有限公司", "taxpayer_id": USCC}


@pytest.fixture
def user(db):
    """A customer with one company title."""
    user = CustomerUserFactory()
    title_create(customer_account=user.customer_account, actor=user, data=COMPANY)
    return user


def _create(user, **overrides) -> InvoiceTitle:
    return title_create(customer_account=user.customer_account, actor=user, data={**COMPANY, **overrides})


# --- the service --------------------------------------------------------------------------------------------------


def test_a_second_title_with_the_same_taxpayer_id_under_another_name_is_saved_with_a_warning(user):
    # given the account's title 北京示例科技有限公司 with 91110000600037341L
    # when a title of another name is saved with the same ID (lowercase: it is the same ID once normalized)
    title = _create(user, name="上海另一家有限公司", taxpayer_id=USCC.lower())
    # then it is saved, and the warning names the ID and the other title
    assert InvoiceTitle.objects.filter(customer_account=user.customer_account).count() == 2
    [warning] = title_warnings(title=title)
    assert "91110000600037341L" in warning and "“北京示例科技有限公司”" in warning
    assert "check that this name and ID are right" in warning


@pytest.mark.parametrize("same_name", ["北京示例科技有限公司", " 北京示例 科技有限公司 ", "北京示例科技有限公司"])
def test_the_same_company_saved_twice_does_not_warn(user, same_name):
    # given the same company name (spaces or full-width characters aside)
    # when a second title with the same ID is saved (e.g. with other bank details)
    title = _create(user, name=same_name, bank_name="中国银行")
    # then nothing is said
    assert title_warnings(title=title) == []


def test_a_taxpayer_id_of_another_account_does_not_warn(user):
    # given another account using the same taxpayer ID under another name
    other = CustomerUserFactory()
    title = title_create(
        customer_account=other.customer_account, actor=other, data={**COMPANY, "name": "别的账号的公司"}
    )
    # then the first account's title is none of its business
    assert title_warnings(title=title) == []


def test_changing_a_titles_id_to_one_used_by_another_name_warns(user):
    # given a second title with another ID
    second = _create(user, name="深圳示例科技有限公司", taxpayer_id="9144030071526726XG")
    assert title_warnings(title=second) == []
    # when its ID is changed to the first title's
    updated = title_update(title=second, actor=user, data={"taxpayer_id": USCC})
    # then it is saved with a warning
    assert InvoiceTitle.objects.get(pk=second.pk).taxpayer_id == USCC
    assert len(title_warnings(title=updated)) == 1


def test_every_other_name_is_listed_once(user):
    _create(user, name="第二家公司")
    third = _create(user, name="第三家公司")
    [warning] = title_warnings(title=third)
    assert "your titles “北京示例科技有限公司”, “第二家公司” under" in warning


def test_individual_titles_never_warn(user):
    title = _create(user, kind="individual", name="张三")
    assert title_warnings(title=title) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "北京示例\x00科技有限公司"),
        ("name", "北京示例\n科技有限公司"),
        ("name", "北京示例科技有限公司\x1f"),  # trailing: strip() must not quietly drop it
        ("name", "\t北京示例科技有限公司"),
        ("registered_address", "北京市海淀区\x1b[31m中关村"),
        ("bank_account", "0200000000\x7f000000"),
        ("taxpayer_id", "91110000600037341L\x00"),
    ],
)
def test_control_characters_are_refused_in_every_title_field(user, field, value):
    # given a title with a control character in one field
    # when it is saved
    with pytest.raises(ApplicationError) as raised:
        _create(user, **{"name": "另一家公司", field: value})
    # then that field says so and nothing is stored
    assert raised.value.code == "invalid_title"
    assert "control characters" in str(raised.value.fields[field][0])
    assert InvoiceTitle.objects.filter(customer_account=user.customer_account).count() == 1


def test_control_characters_in_the_company_fields_of_an_individual_title_do_not_matter(user):
    # given an individual title sent with junk in a company field, which is dropped anyway
    title = _create(user, kind="individual", name="张三", bank_name="银行\x00")
    # then it is saved with the name only
    assert (title.kind, title.name, title.bank_name) == ("individual", "张三", "")


# --- the page and the API show the warning --------------------------------------------------------------------------


def test_the_page_saves_the_title_and_shows_the_warning(user, page_client_for):
    # given the customer's title page
    client = page_client_for(user)
    # when it adds a title with the same ID under another name
    response = client.post(reverse("console:title_add"), {**COMPANY, "name": "上海另一家有限公司"}, follow=True)
    # then it lands on the list with the success and the warning
    assert response.status_code == 200
    html = response.content.decode()
    assert "上海另一家有限公司" in html
    warning = html[html.index('class="notice notice-warning"') :]
    assert warning.index("Taxpayer ID 91110000600037341L is also used by your title “北京示例科技有限公司”") < 200
    assert InvoiceTitle.objects.filter(customer_account=user.customer_account).count() == 2


def test_the_api_answers_the_saved_title_with_its_warnings(user, api_client_for):
    client = api_client_for(user)
    # when a title with the same ID under another name is created
    response = client.post("/api/v1/titles/", {**COMPANY, "name": "上海另一家有限公司"}, format="json")
    # then it is created and the answer lists the warning
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "上海另一家有限公司"
    assert len(body["warnings"]) == 1
    assert "“北京示例科技有限公司”" in body["warnings"][0]
    # and a change that does not conflict answers no warnings
    response = client.patch(f"/api/v1/titles/{body['id']}/", {"name": "北京示例科技有限公司"}, format="json")
    assert response.status_code == 200
    assert response.json()["warnings"] == []
