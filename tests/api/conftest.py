import pytest
from rest_framework.test import APIClient


@pytest.fixture
def client_for(api_client_for):
    """`api_client_for(user)` asking for English, so tests can read the messages."""

    def make(user) -> APIClient:
        client = api_client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return make


@pytest.fixture
def anonymous_client() -> APIClient:
    client = APIClient()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
