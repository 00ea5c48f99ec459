"""Aliases kept for the API tests' fixture names; the clients themselves are in tests/conftest.py."""

import pytest

from tests import helpers


@pytest.fixture
def client_for(api_client_for):
    """`client_for(user)`: an API client with the user's token, asking for English."""
    return api_client_for


@pytest.fixture
def anonymous_client():
    return helpers.api_client()


@pytest.fixture(autouse=True)
def _fresh_login_limits():
    """No throttle count of an earlier test (or run) may answer 429 here; the lockouts are rows rolled back."""
    helpers.clear_token_throttle()
    yield
    helpers.clear_token_throttle()
