import pytest

from tests import helpers


@pytest.fixture(autouse=True)
def _fresh_login_limits():
    """No throttle count of an earlier test (or run) may answer 429 here; the lockouts are rows rolled back."""
    helpers.clear_token_throttle()
    yield
    helpers.clear_token_throttle()
