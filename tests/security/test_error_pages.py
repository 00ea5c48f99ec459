"""Branded 400, 403, 404 and 500 pages in both languages; the 403 says which role the page is for."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.helpers import page_client


def raise_server_error(monkeypatch, target: str) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(target, broken)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url", "says"),
    [
        ("vendor_user", "/console/", "This page is for customer users."),
        ("staff_user", "/console/titles/", "This page is for customer users."),
        ("customer", "/backoffice/", "This page is for vendor users and marketplace staff."),
    ],
)
def test_a_403_page_says_which_role_the_page_is_for(request, role, url, says):
    user = request.getfixturevalue(role)
    response = page_client(user).get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert says in page
    assert f"You are signed in as {user.get_username()}" in page
    assert 'class="topbar"' in page  # the product's layout, with its menu
    assert reverse("home") in page


@pytest.mark.django_db
def test_staff_on_a_vendor_action_page_are_told_it_is_for_vendor_users(staff_user, vendor, consumed, submit):
    invoice_request = submit(consumed, vendor)
    response = page_client(staff_user).get(reverse("backoffice:reject", args=[invoice_request.pk]))
    assert response.status_code == 403
    assert "This page is for vendor users: marketplace staff may look but not change." in response.content.decode()


@pytest.mark.django_db
def test_the_403_page_is_in_chinese_by_default(vendor_user):
    response = page_client(vendor_user, language="zh-hans").get("/console/")
    page = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="zh-hans">' in page
    assert "发票" in page  # the product's name and menu, in Chinese


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("en", "Page not found"), ("zh-hans", "<title>")])
def test_a_404_page_uses_the_product_layout(customer, language, title):
    response = page_client(customer, language=language).get("/console/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert title in page
    assert 'data-status="404"' in page
    assert 'class="topbar"' in page


@pytest.mark.django_db
def test_a_404_for_something_outside_the_account_is_the_same_page(customer, other_customer):
    title = other_customer.customer_account.titles.get()
    response = page_client(customer).get(reverse("console:title_edit", args=[title.pk]))
    assert response.status_code == 404
    assert "This page does not exist, or what it shows is not in your account." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "html_lang"), [("en", "en"), ("zh-hans", "zh-hans")])
def test_a_500_page_is_branded_and_needs_no_request_context(customer, monkeypatch, language, html_lang):
    raise_server_error(monkeypatch, "apps.accounts.views.AccountView.get_context_data")
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(customer)
    response = client.get(reverse("account"))
    assert response.status_code == 500
    page = response.content.decode()
    assert f'<html lang="{html_lang}">' in page
    assert 'data-status="500"' in page
    assert "/static/css/app.css" in page
    assert "fire" not in page  # nothing of the failure leaks
    if language == "en":
        assert "Something went wrong on our side" in page


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
def test_an_oversized_form_post_on_a_page_answers_a_400_page(customer):
    response = page_client().post(reverse("login"), {"username": customer.username, "password": "x" * 20_000})
    assert response.status_code == 400
    page = response.content.decode()
    assert "What you sent is too large. Send a smaller file or fewer items at a time." in page
    assert 'class="topbar"' in page


@pytest.mark.django_db
def test_a_form_posted_without_its_security_token_gets_our_403_page_saying_what_to_do(customer):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(customer)
    response = client.post(reverse("console:title_add"), {"name": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form has expired" in page
    assert 'class="topbar"' in page
