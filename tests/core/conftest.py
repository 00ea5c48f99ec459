import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Assertions compare English messages; the default language is Chinese once its catalog exists."""
    with translation.override("en"):
        yield
