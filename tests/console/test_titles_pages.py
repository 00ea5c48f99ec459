"""Invoice title pages: a customer manages whom invoices are made out to."""

import pytest
from django.urls import reverse

from apps.titles.models import InvoiceTitle
from tests.factories import CustomerUserFactory, InvoiceTitleFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
VALID_USCC = "91350200MA2YJ1XR9G"
COMPANY = {
    "kind": "company",
    "name": "厦门示例软件有限公司",
    "taxpayer_id": VALID_USCC,
    "registered_address": "福建省厦门市思明区软件园二期 10 号",
    "registered_phone": "0592-5550000",
    "bank_name": "中国银行厦门分行",
    "bank_account": "4100000000000000",
}


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


def field_block(html: str, name: str) -> str:
    """The HTML of one form field (label, input, help, errors), from templates/_form_field.html."""
    marker = html.index(f'id="field-{name}"')
    start = html.rindex("<div", 0, marker)
    end = html.find('id="field-', marker + 1)
    return html[start : end if end != -1 else None]


def titles_of(user):
    return InvoiceTitle.objects.filter(customer_account=user.customer_account)


@pytest.mark.django_db
def test_list_shows_own_titles_only_with_default_and_verification(customer_client, customer, other_customer):
    mine = titles_of(customer).get()
    legacy = InvoiceTitleFactory(
        customer_account=customer.customer_account,
        name="老税号公司",
        taxpayer_id="110108123456789",
        taxpayer_id_verified=False,
    )
    theirs = titles_of(other_customer).get()

    html = customer_client.get(reverse("console:titles"), **EN).content.decode()

    assert mine.name in html
    assert legacy.name in html
    assert theirs.name not in html
    assert "Default" in html
    assert "Verified" in html
    assert "Unverified (legacy ID)" in html
    assert reverse("console:title_edit", args=[mine.pk]) in html
    assert reverse("console:title_delete", args=[legacy.pk]) in html
    assert reverse("console:title_set_default", args=[legacy.pk]) in html


@pytest.mark.django_db
def test_empty_list_explains_to_add_a_title_first(client):
    client.force_login(CustomerUserFactory())

    html = client.get(reverse("console:titles"), **EN).content.decode()

    assert "Add a title before applying for an invoice" in html
    assert reverse("console:title_add") in html


@pytest.mark.django_db
def test_add_company_title_with_a_valid_uscc(customer_client, customer):
    form = customer_client.get(reverse("console:title_add"), **EN)
    assert form.status_code == 200

    response = customer_client.post(reverse("console:title_add"), COMPANY, follow=True, **EN)

    title = titles_of(customer).get(name=COMPANY["name"])
    assert title.kind == "company"
    assert title.taxpayer_id == VALID_USCC
    assert title.taxpayer_id_verified is True
    assert title.bank_account == COMPANY["bank_account"]
    assert title.is_default is False  # the customer already had a default title
    assert response.redirect_chain[-1][0] == reverse("console:titles")
    assert f"Invoice title “{COMPANY['name']}” added." in response.content.decode()


@pytest.mark.django_db
def test_invalid_uscc_is_shown_next_to_the_field_and_nothing_is_saved(customer_client, customer):
    before = titles_of(customer).count()
    data = {**COMPANY, "taxpayer_id": "91350200MA2YJ1XR9H"}  # wrong check character

    response = customer_client.post(reverse("console:title_add"), data, **EN)

    assert response.status_code == 200
    assert titles_of(customer).count() == before
    html = response.content.decode()
    field = field_block(html, "taxpayer_id")
    assert field.startswith('<div class="field field-error')
    assert "is not valid" in field
    # what the user typed is kept
    assert 'value="91350200MA2YJ1XR9H"' in field
    for value in (COMPANY["name"], COMPANY["registered_address"], COMPANY["bank_name"], COMPANY["bank_account"]):
        assert f'value="{value}"' in html


@pytest.mark.django_db
def test_taxpayer_id_of_a_wrong_length_is_refused_with_a_clear_message(customer_client, customer):
    before = titles_of(customer).count()

    response = customer_client.post(reverse("console:title_add"), {**COMPANY, "taxpayer_id": "12345"}, **EN)

    assert titles_of(customer).count() == before
    assert "Enter the 18-character unified social credit code" in response.content.decode()


@pytest.mark.django_db
def test_legacy_15_character_id_is_saved_unverified_and_shown_so(customer_client, customer):
    data = {**COMPANY, "name": "旧税号公司", "taxpayer_id": "110108123456788"}

    response = customer_client.post(reverse("console:title_add"), data, follow=True, **EN)

    title = titles_of(customer).get(name="旧税号公司")
    assert title.taxpayer_id == "110108123456788"
    assert title.taxpayer_id_verified is False
    html = response.content.decode()
    row = html[html.index(f'id="title-{title.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Unverified (legacy ID)" in row


@pytest.mark.django_db
def test_individual_title_has_a_name_only(customer_client, customer):
    # Company fields left over in the form (hidden by the page's script) are not kept for an individual.
    data = {**COMPANY, "kind": "individual", "name": "张三"}

    customer_client.post(reverse("console:title_add"), data, **EN)

    title = titles_of(customer).get(name="张三")
    assert title.kind == "individual"
    assert title.taxpayer_id == ""
    assert title.bank_account == ""


@pytest.mark.django_db
def test_company_title_without_taxpayer_id_is_refused(customer_client, customer):
    response = customer_client.post(reverse("console:title_add"), {**COMPANY, "taxpayer_id": ""}, **EN)

    assert not titles_of(customer).filter(name=COMPANY["name"]).exists()
    assert "A company title needs its taxpayer ID." in response.content.decode()


@pytest.mark.django_db
def test_first_title_becomes_the_default(client):
    user = CustomerUserFactory()
    client.force_login(user)

    client.post(reverse("console:title_add"), COMPANY, **EN)

    assert titles_of(user).get().is_default is True


@pytest.mark.django_db
def test_edit_title_shows_current_values_and_saves_changes(customer_client, customer):
    title = titles_of(customer).get()
    url = reverse("console:title_edit", args=[title.pk])

    page = customer_client.get(url, **EN).content.decode()
    assert f'value="{title.name}"' in page
    assert f'value="{title.taxpayer_id}"' in page

    response = customer_client.post(url, {**COMPANY, "name": "改名后的公司"}, follow=True, **EN)

    title = InvoiceTitle.objects.get(pk=title.pk)
    assert title.name == "改名后的公司"
    assert title.taxpayer_id == VALID_USCC
    assert title.is_default is True
    assert response.redirect_chain[-1][0] == reverse("console:titles")
    assert "saved" in response.content.decode()


@pytest.mark.django_db
def test_edit_with_an_error_keeps_the_old_title_unchanged(customer_client, customer):
    title = titles_of(customer).get()

    response = customer_client.post(
        reverse("console:title_edit", args=[title.pk]), {**COMPANY, "name": "", "taxpayer_id": "bad"}, **EN
    )

    assert response.status_code == 200
    assert "Enter the title name." in response.content.decode()
    assert InvoiceTitle.objects.get(pk=title.pk).name == title.name


@pytest.mark.django_db
def test_delete_asks_for_confirmation_then_deletes(customer_client, customer):
    title = InvoiceTitleFactory(customer_account=customer.customer_account, name="要删除的抬头")
    url = reverse("console:title_delete", args=[title.pk])

    # GET only asks
    page = customer_client.get(url, **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "要删除的抬头" in html
    assert "keep their own copy" in html
    assert InvoiceTitle.objects.filter(pk=title.pk).exists()

    # POST deletes
    response = customer_client.post(url, follow=True, **EN)
    assert not InvoiceTitle.objects.filter(pk=title.pk).exists()
    assert response.redirect_chain[-1][0] == reverse("console:titles")
    assert "deleted" in response.content.decode()


@pytest.mark.django_db
def test_deleting_the_default_title_makes_another_the_default(customer_client, customer):
    default = titles_of(customer).get()
    other = InvoiceTitleFactory(customer_account=customer.customer_account)

    page = customer_client.get(reverse("console:title_delete", args=[default.pk]), **EN).content.decode()
    assert "another of your titles becomes the default" in page
    customer_client.post(reverse("console:title_delete", args=[default.pk]))

    assert InvoiceTitle.objects.get(pk=other.pk).is_default is True


@pytest.mark.django_db
def test_deleting_the_only_title_promises_no_other_default(customer_client, customer):
    only = titles_of(customer).get()

    page = customer_client.get(reverse("console:title_delete", args=[only.pk]), **EN).content.decode()

    assert "keep their own copy" in page
    assert "becomes the default" not in page


@pytest.mark.django_db
def test_set_default_moves_the_default(customer_client, customer):
    old = titles_of(customer).get()
    new = InvoiceTitleFactory(customer_account=customer.customer_account)

    response = customer_client.post(reverse("console:title_set_default", args=[new.pk]), follow=True, **EN)

    assert InvoiceTitle.objects.get(pk=new.pk).is_default is True
    assert InvoiceTitle.objects.get(pk=old.pk).is_default is False
    assert "is now the default title" in response.content.decode()


@pytest.mark.django_db
def test_set_default_is_post_only(customer_client, customer):
    title = InvoiceTitleFactory(customer_account=customer.customer_account)

    assert customer_client.get(reverse("console:title_set_default", args=[title.pk])).status_code == 405
    assert InvoiceTitle.objects.get(pk=title.pk).is_default is False


@pytest.mark.django_db
def test_another_accounts_title_answers_404_and_stays_untouched(customer_client, other_customer):
    theirs = titles_of(other_customer).get()

    assert customer_client.get(reverse("console:title_edit", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:title_edit", args=[theirs.pk]), COMPANY).status_code == 404
    assert customer_client.get(reverse("console:title_delete", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:title_delete", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:title_set_default", args=[theirs.pk])).status_code == 404
    unchanged = InvoiceTitle.objects.get(pk=theirs.pk)
    assert unchanged.name == theirs.name
    assert unchanged.is_default is True


@pytest.mark.django_db
def test_add_form_returns_to_a_same_site_next_url(customer_client, customer):
    apply_url = "/console/apply/1/"

    page = customer_client.get(reverse("console:title_add") + f"?next={apply_url}", **EN).content.decode()
    assert f'name="next" value="{apply_url}"' in page

    response = customer_client.post(reverse("console:title_add"), {**COMPANY, "next": apply_url})

    assert response.status_code == 302
    assert response.url == apply_url


@pytest.mark.django_db
@pytest.mark.parametrize("evil", ["https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com"])
def test_add_form_ignores_an_off_site_next_url(customer_client, evil):
    response = customer_client.post(reverse("console:title_add"), {**COMPANY, "next": evil})

    assert response.status_code == 302
    assert response.url == reverse("console:titles")
