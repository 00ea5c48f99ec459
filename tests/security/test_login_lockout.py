"""The login page locks a username and an address out after repeated wrong passwords (django-axes)."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CustomerUserFactory
from tests.helpers import page_client

LOCKED = (
    "Too many failed logins for this username or from your network. For your security, logging in is paused "
    "for 15 minutes; please try again later, or ask marketplace staff to unlock your account."
)


def log_in(client, username: str, password: str = PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_out_with_a_clear_message(customer):
    client = page_client()
    for _attempt in range(4):
        response = log_in(client, customer.username, "wrong")
        assert response.status_code == 200
        assert "Wrong username or password." in response.content.decode()
    # the fifth wrong password locks the username
    response = log_in(client, customer.username, "wrong")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    # and then even the right password is refused, on the same page, without logging in
    response = log_in(client, customer.username)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert 'name="username"' in page and customer.username in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lockout_of_a_username_holds_from_another_address_and_at_the_token_endpoint(api_client_for, customer):
    client = page_client()
    for _attempt in range(5):
        log_in(client, customer.username, "wrong", REMOTE_ADDR="10.1.1.1")
    assert log_in(page_client(), customer.username, REMOTE_ADDR="10.2.2.2").status_code == 429
    response = api_client_for().post(
        "/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD}, REMOTE_ADDR="10.2.2.3"
    )
    assert (response.status_code, response.json()["code"]) == (429, "login_locked_out")


@pytest.mark.django_db
def test_an_address_guessing_many_usernames_is_locked_out(customer):
    client = page_client()
    for index in range(5):
        log_in(client, f"guess{index}", "wrong", REMOTE_ADDR="10.9.9.9")
    user = CustomerUserFactory()
    assert log_in(client, user.username, REMOTE_ADDR="10.9.9.9").status_code == 429
    # someone else, elsewhere, logs in as usual
    assert log_in(page_client(), user.username, REMOTE_ADDR="10.8.8.8").status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_is_in_the_users_language(customer):
    client = page_client(language="zh-hans")
    for _attempt in range(6):
        response = log_in(client, customer.username, "wrong")
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_address_lockout(customer):
    # given an address locked out
    client = page_client()
    for index in range(5):
        log_in(client, f"guess{index}", "wrong", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"1.2.3.{index}")
    # then claiming to be someone else in X-Forwarded-For changes nothing (no trusted proxy is configured)
    response = log_in(client, customer.username, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(customer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = page_client()
    for index in range(5):
        log_in(client, f"guess{index}", "wrong", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="forged, 203.0.113.7")
    # the attacker's address is locked out; another client behind the same proxy is not
    locked = log_in(client, customer.username, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    other = log_in(page_client(), customer.username, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert other.status_code == 302
