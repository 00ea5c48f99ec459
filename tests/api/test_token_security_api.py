"""Tokens expire and can be revoked; wrong passwords lock the username and the address out; requests are throttled."""

import datetime as dt

import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from apps.core.api import AuthTokenThrottle
from tests.factories import PASSWORD, CustomerUserFactory
from tests.helpers import api_client, assert_error

TOKEN_URL = "/api/v1/auth/token/"
LOCKED = (
    "Too many failed logins for this username or from your network. For your security, logging in is paused "
    "for 15 minutes; please try again later, or ask marketplace staff to unlock your account."
)


def obtain(client, username: str, password: str = PASSWORD, **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


@pytest.mark.django_db
@override_settings(TOKEN_TTL_DAYS=30)
def test_an_expired_token_answers_401_and_asking_again_issues_a_new_one(anonymous_client, customer):
    # given a token issued 31 days ago
    old = obtain(anonymous_client, customer.username).json()["token"]
    Token.objects.filter(key=old).update(created=Token.objects.get(key=old).created - dt.timedelta(days=31))
    # when it is used
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    response = client.get("/api/v1/titles/")
    # then it is refused, saying why
    assert_error(
        response,
        401,
        "token_expired",
        "This token has expired. Get a new one with your username and password at /api/v1/auth/token/.",
        {},
    )
    # and the password gives a new token that works
    new = obtain(anonymous_client, customer.username).json()["token"]
    assert new != old
    client.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert client.get("/api/v1/titles/").status_code == 200


@pytest.mark.django_db
@override_settings(TOKEN_TTL_DAYS=30)
def test_a_token_younger_than_the_ttl_still_works(customer):
    client = api_client(customer)
    Token.objects.filter(user=customer).update(created=Token.objects.get(user=customer).created - dt.timedelta(days=29))
    assert client.get("/api/v1/titles/").status_code == 200


@pytest.mark.django_db
def test_delete_revokes_the_token_it_is_sent_with(anonymous_client, customer):
    key = obtain(anonymous_client, customer.username).json()["token"]
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    # when
    response = client.delete(TOKEN_URL)
    # then
    assert response.status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert_error(client.get("/api/v1/titles/"), 401, "authentication_failed", "Invalid token.", {})


@pytest.mark.django_db
def test_delete_without_a_token_answers_401(anonymous_client, customer):
    assert_error(anonymous_client.delete(TOKEN_URL), 401, "not_authenticated", fields={})
    # a browser session is not a token to revoke either
    anonymous_client.force_login(customer)
    assert_error(anonymous_client.delete(TOKEN_URL), 401, "not_authenticated", fields={})


@pytest.mark.django_db
def test_wrong_passwords_lock_the_username_out_even_with_the_right_password(anonymous_client, customer):
    # given five wrong passwords
    for _attempt in range(5):
        response = obtain(anonymous_client, customer.username, "wrong")
    assert response.status_code in (400, 429)
    # when the right password comes next
    response = obtain(anonymous_client, customer.username)
    # then the login is refused with 429, and no token is issued
    assert_error(response, 429, "login_locked_out", LOCKED, {})
    assert response["Retry-After"] == "900"  # the 15-minute cool-off, so a client knows when to try again
    assert not Token.objects.filter(user=customer).exists()


@pytest.mark.django_db
def test_the_lockout_holds_from_another_address(anonymous_client, customer):
    for _attempt in range(5):
        obtain(anonymous_client, customer.username, "wrong", REMOTE_ADDR="10.1.1.1")
    response = obtain(anonymous_client, customer.username, REMOTE_ADDR="10.2.2.2")
    assert_error(response, 429, "login_locked_out")


@pytest.mark.django_db
def test_wrong_passwords_from_one_address_lock_that_address_out_for_every_username(anonymous_client):
    # given wrong passwords for five different usernames from one address
    for index in range(5):
        obtain(anonymous_client, f"guess{index}", "wrong", REMOTE_ADDR="10.9.9.9")
    user = CustomerUserFactory()
    # then a sixth username is refused from that address, and let in from another
    assert_error(obtain(anonymous_client, user.username, REMOTE_ADDR="10.9.9.9"), 429, "login_locked_out")
    assert obtain(anonymous_client, user.username, REMOTE_ADDR="10.8.8.8").status_code == 200


@pytest.mark.django_db
def test_a_few_wrong_passwords_do_not_lock_anyone_out(anonymous_client, customer):
    for _attempt in range(4):
        assert_error(obtain(anonymous_client, customer.username, "wrong"), 400, "invalid_credentials")
    assert obtain(anonymous_client, customer.username).status_code == 200


@pytest.mark.django_db
def test_token_requests_are_throttled_per_address(anonymous_client, customer, monkeypatch):
    monkeypatch.setattr(AuthTokenThrottle, "rate", "3/minute", raising=False)
    statuses = [obtain(anonymous_client, customer.username).status_code for _attempt in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = obtain(anonymous_client, customer.username)
    body = assert_error(response, 429, "throttled", fields={})
    assert body["message"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0
    # another address is not affected
    assert obtain(anonymous_client, customer.username, REMOTE_ADDR="10.3.3.3").status_code == 200
