"""Logging in with a username no user can have (a pasted page of text): refused next to the field, never a 500."""

import pytest
from django.urls import reverse

from tests.helpers import assert_error, page_client

TOKEN_URL = "/api/v1/auth/token/"


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 300, 100_000])
def test_the_login_page_refuses_an_overlong_username_next_to_the_field(length):
    # when someone submits a username longer than any user's (django-axes failed to record it: a 500)
    response = page_client().post(reverse("login"), {"username": "x" * length, "password": "wrong"})
    # then the login page answers again with the length rule on the username
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        f"Ensure this value has at most 150 characters (it has {length})."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("length", [151, 300, 100_000])
def test_the_token_endpoint_refuses_an_overlong_username_in_the_error_shape(api_client_for, length):
    response = api_client_for().post(TOKEN_URL, {"username": "x" * length, "password": "wrong"}, format="json")
    assert_error(response, 400, "invalid", fields={"username": ["Ensure this field has no more than 150 characters."]})


@pytest.mark.django_db
def test_a_username_of_the_longest_allowed_length_is_an_ordinary_wrong_login(api_client_for):
    response = api_client_for().post(TOKEN_URL, {"username": "x" * 150, "password": "wrong"}, format="json")
    assert_error(response, 400, "invalid_credentials")
