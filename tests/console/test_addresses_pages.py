"""Mailing address pages: a customer manages where vendors mail paper invoices."""

import pytest
from django.urls import reverse

from apps.addresses.models import MailingAddress
from tests.factories import CustomerUserFactory, MailingAddressFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ADDRESS = {
    "recipient": "赵六",
    "phone": "+86 139 1234 5678",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "street": "科技园南区 3 栋 501",
    "postal_code": "518057",
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


def addresses_of(user):
    return MailingAddress.objects.filter(customer_account=user.customer_account)


@pytest.mark.django_db
def test_list_shows_own_addresses_only_with_the_default_marked(customer_client, customer, other_customer):
    mine = addresses_of(customer).get()
    second = MailingAddressFactory(customer_account=customer.customer_account, recipient="第二收件人")
    theirs = addresses_of(other_customer).get()
    MailingAddress.objects.filter(pk=theirs.pk).update(recipient="别人家的收件人")

    html = customer_client.get(reverse("console:addresses"), **EN).content.decode()

    assert mine.recipient in html
    assert "第二收件人" in html
    assert "别人家的收件人" not in html
    card = html[html.index(f'id="address-{mine.pk}"') : html.index(f'id="address-{second.pk}"')]
    assert "Default" in card
    assert reverse("console:address_set_default", args=[second.pk]) in html
    assert reverse("console:address_set_default", args=[mine.pk]) not in html


@pytest.mark.django_db
def test_empty_list_explains_to_add_an_address_first(client):
    client.force_login(CustomerUserFactory())

    html = client.get(reverse("console:addresses"), **EN).content.decode()

    assert "Add an address before applying for an invoice" in html
    assert reverse("console:address_add") in html


@pytest.mark.django_db
def test_add_address_normalises_the_mobile(customer_client, customer):
    assert customer_client.get(reverse("console:address_add"), **EN).status_code == 200

    response = customer_client.post(reverse("console:address_add"), ADDRESS, follow=True, **EN)

    address = addresses_of(customer).get(recipient="赵六")
    assert address.phone == "13912345678"
    assert address.postal_code == "518057"
    assert address.street == ADDRESS["street"]
    assert address.is_default is False
    assert response.redirect_chain[-1][0] == reverse("console:addresses")
    assert "Mailing address of 赵六 added." in response.content.decode()


@pytest.mark.django_db
def test_add_address_as_the_new_default(customer_client, customer):
    old = addresses_of(customer).get()

    customer_client.post(reverse("console:address_add"), {**ADDRESS, "is_default": "on"})

    assert addresses_of(customer).get(recipient="赵六").is_default is True
    assert MailingAddress.objects.get(pk=old.pk).is_default is False


@pytest.mark.django_db
def test_bad_mobile_is_shown_next_to_the_field_and_nothing_is_saved(customer_client, customer):
    before = addresses_of(customer).count()

    response = customer_client.post(reverse("console:address_add"), {**ADDRESS, "phone": "12345678901"}, **EN)

    assert response.status_code == 200
    assert addresses_of(customer).count() == before
    html = response.content.decode()
    field = field_block(html, "phone")
    assert field.startswith('<div class="field field-error')
    assert "Enter a mainland mobile number" in field
    assert 'value="12345678901"' in field
    for name in ("recipient", "province", "city", "district", "street", "postal_code"):
        assert f'value="{ADDRESS[name]}"' in field_block(html, name)
        assert "field-error" not in field_block(html, name)[:40]


@pytest.mark.django_db
def test_bad_postal_code_is_shown_next_to_the_field_and_nothing_is_saved(customer_client, customer):
    before = addresses_of(customer).count()

    response = customer_client.post(reverse("console:address_add"), {**ADDRESS, "postal_code": "51805"}, **EN)

    assert addresses_of(customer).count() == before
    field = field_block(response.content.decode(), "postal_code")
    assert field.startswith('<div class="field field-error')
    assert "A postal code is 6 digits." in field
    assert 'value="51805"' in field


@pytest.mark.django_db
def test_every_missing_field_is_reported(customer_client, customer):
    before = addresses_of(customer).count()

    response = customer_client.post(reverse("console:address_add"), {"recipient": "", "phone": ""}, **EN)

    assert addresses_of(customer).count() == before
    html = response.content.decode()
    assert "Enter the recipient&#x27;s name." in field_block(html, "recipient")
    assert "Enter the street address." in field_block(html, "street")
    assert "Enter the postal code." in field_block(html, "postal_code")


@pytest.mark.django_db
def test_edit_address_shows_current_values_and_saves_changes(customer_client, customer):
    address = addresses_of(customer).get()
    url = reverse("console:address_edit", args=[address.pk])

    page = customer_client.get(url, **EN).content.decode()
    assert f'value="{address.recipient}"' in page
    assert f'value="{address.postal_code}"' in page

    response = customer_client.post(url, {**ADDRESS, "street": "新的街道 8 号"}, follow=True, **EN)

    address = MailingAddress.objects.get(pk=address.pk)
    assert address.street == "新的街道 8 号"
    assert address.recipient == "赵六"
    assert address.is_default is True
    assert response.redirect_chain[-1][0] == reverse("console:addresses")
    assert "saved" in response.content.decode()


@pytest.mark.django_db
def test_delete_asks_for_confirmation_then_deletes(customer_client, customer):
    address = MailingAddressFactory(customer_account=customer.customer_account, recipient="要删除的收件人")
    url = reverse("console:address_delete", args=[address.pk])

    page = customer_client.get(url, **EN)
    assert page.status_code == 200
    assert "要删除的收件人" in page.content.decode()
    assert "keep their own copy" in page.content.decode()
    assert MailingAddress.objects.filter(pk=address.pk).exists()

    response = customer_client.post(url, follow=True, **EN)

    assert not MailingAddress.objects.filter(pk=address.pk).exists()
    assert response.redirect_chain[-1][0] == reverse("console:addresses")
    assert "deleted" in response.content.decode()


@pytest.mark.django_db
def test_deleting_the_default_address_says_which_becomes_the_default_only_if_there_is_another(
    customer_client, customer
):
    only = addresses_of(customer).get()
    url = reverse("console:address_delete", args=[only.pk])
    assert "another of your addresses becomes the default" not in customer_client.get(url, **EN).content.decode()

    MailingAddressFactory(customer_account=customer.customer_account)

    assert "another of your addresses becomes the default" in customer_client.get(url, **EN).content.decode()


@pytest.mark.django_db
def test_set_default_moves_the_default(customer_client, customer):
    old = addresses_of(customer).get()
    new = MailingAddressFactory(customer_account=customer.customer_account)

    response = customer_client.post(reverse("console:address_set_default", args=[new.pk]), follow=True, **EN)

    assert MailingAddress.objects.get(pk=new.pk).is_default is True
    assert MailingAddress.objects.get(pk=old.pk).is_default is False
    assert "is now the default" in response.content.decode()


@pytest.mark.django_db
def test_another_accounts_address_answers_404_and_stays_untouched(customer_client, other_customer):
    theirs = addresses_of(other_customer).get()

    assert customer_client.get(reverse("console:address_edit", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:address_edit", args=[theirs.pk]), ADDRESS).status_code == 404
    assert customer_client.get(reverse("console:address_delete", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:address_delete", args=[theirs.pk])).status_code == 404
    assert customer_client.post(reverse("console:address_set_default", args=[theirs.pk])).status_code == 404
    unchanged = MailingAddress.objects.get(pk=theirs.pk)
    assert unchanged.recipient == theirs.recipient
    assert unchanged.is_default is True


@pytest.mark.django_db
def test_add_form_returns_to_a_same_site_next_url(customer_client):
    apply_url = "/console/apply/7/"

    page = customer_client.get(reverse("console:address_add") + f"?next={apply_url}", **EN).content.decode()
    assert f'name="next" value="{apply_url}"' in page
    assert f'href="{apply_url}"' in page  # "Cancel" goes back there too

    response = customer_client.post(reverse("console:address_add"), {**ADDRESS, "next": apply_url})

    assert response.url == apply_url
