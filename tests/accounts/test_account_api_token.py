"""The account page shows the user's API token's dates and revokes it: the token stops working at once."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.helpers import api_client, page_client


@pytest.mark.django_db
def test_the_account_page_shows_when_the_token_expires_and_revoking_it_stops_the_api(customer, settings):
    settings.TOKEN_TTL_DAYS = 30
    client = api_client(customer)  # issues the customer's token
    assert client.get("/api/v1/titles/").status_code == 200
    token = Token.objects.get(user=customer)
    browser = page_client(customer)

    page = browser.get(reverse("account")).content.decode()
    assert 'data-testid="revoke-token"' in page
    assert f"{token.created:%Y}" in page

    response = browser.post(reverse("api_token_revoke"), follow=True)
    assert "Your API token is revoked" in response.content.decode()
    assert not Token.objects.filter(user=customer).exists()
    assert client.get("/api/v1/titles/").status_code == 401


@pytest.mark.django_db
def test_without_a_token_the_page_says_how_to_get_one_and_revoking_changes_nothing(customer):
    browser = page_client(customer)
    page = browser.get(reverse("account")).content.decode()
    assert "POST /api/v1/auth/token/" in page
    response = browser.post(reverse("api_token_revoke"), follow=True)
    assert "You have no API token to revoke." in response.content.decode()


@pytest.mark.django_db
def test_revoking_needs_a_post_from_a_signed_in_user(client):
    assert client.post(reverse("api_token_revoke")).status_code == 302  # to the login page
