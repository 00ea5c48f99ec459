"""The one set of fixtures for the whole suite: people per role, their clients, English, submit and races.

Plain helper functions (submit, accept, mail, reach_status, run_together, assert_error, ...) are in tests/helpers.py;
the fixtures below hand them out so a test names what it needs.
"""

import pytest
import redis
from django.conf import settings
from django.utils import translation
from kombu import Connection

from tests import helpers
from tests.factories import (
    CustomerUserFactory,
    InvoiceTitleFactory,
    MailingAddressFactory,
    StaffUserFactory,
    VendorFactory,
    VendorUserFactory,
    consume,
)

# --- the suite's Celery queue ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _leave_redis_clean():
    """Tasks queued after a commit (transactional and browser tests) go to this run's own queue, and cache entries
    (throttle counts) carry this run's own prefix (settings_test); delete both at the end so that no run leaves
    messages or counts behind in Redis."""
    yield
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with Connection(settings.CELERY_BROKER_URL) as connection:
        channel = connection.default_channel
        channel.queue_purge(queue)
        channel.queue_delete(queue)
        # The exchange of the same name keeps its binding list in Redis; remove it too.
        channel.client.delete(f"_kombu.binding.{queue}")
    cache_settings = settings.CACHES["default"]
    if cache_settings["BACKEND"] in {
        "django.core.cache.backends.redis.RedisCache",
        "apps.core.cache.ResilientRedisCache",
    }:
        client = redis.Redis.from_url(cache_settings["LOCATION"])
        for key in client.scan_iter(match=f"{cache_settings['KEY_PREFIX']}:*"):
            client.delete(key)
        client.close()


# --- the working-day calendar's process cache -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_working_day_calendar():
    """Each test reads the calendar overrides it wrote: an override rolled back with a test bumps no version, so the
    process's cached calendar (apps.core.workdays) is forgotten before and after every test."""
    from apps.core.workdays import calendar_cache_clear

    calendar_cache_clear()
    yield
    calendar_cache_clear()


# --- language ----------------------------------------------------------------------------------------------------

# The domain tests compare service messages in English; page and API tests ask for English per client instead, and
# the browser and catalog tests need the default language (Chinese).
ENGLISH_TEST_FOLDERS = {"accounts", "addresses", "admin", "billing", "core", "invoices", "titles"}


@pytest.fixture
def english():
    """Assertions that compare messages read them in English (the default interface language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english_in_domain_tests(request):
    folder = request.path.parent
    if folder.name in ENGLISH_TEST_FOLDERS and folder.parent.name == "tests":
        with translation.override("en"):
            yield
    else:
        yield


# --- people ------------------------------------------------------------------------------------------------------


@pytest.fixture
def vendor(db):
    return VendorFactory()


@pytest.fixture
def other_vendor(db):
    return VendorFactory()


@pytest.fixture
def customer(db):
    """A customer user with a default company title and a default address."""
    user = CustomerUserFactory()
    InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
    MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    return user


@pytest.fixture
def other_customer(db):
    user = CustomerUserFactory()
    InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
    MailingAddressFactory(customer_account=user.customer_account, is_default=True)
    return user


@pytest.fixture
def vendor_user(db, vendor):
    return VendorUserFactory(vendor=vendor)


@pytest.fixture
def other_vendor_user(db, other_vendor):
    """A user of the vendor next door, who must never see `vendor`'s requests."""
    return VendorUserFactory(vendor=other_vendor)


@pytest.fixture
def staff_user(db):
    """Marketplace staff, who also run the Django admin (like seed_demo's staff1)."""
    return StaffUserFactory(is_superuser=True)


@pytest.fixture
def consumed(customer, vendor):
    """customer consumed ¥1000.00 with vendor."""
    consume(customer_account=customer.customer_account, vendor=vendor, amount="1000.00")
    return customer


# --- clients per role --------------------------------------------------------------------------------------------


@pytest.fixture
def api_client_for():
    """`api_client_for(user=None, language="en")`: an API client with the user's token."""
    return helpers.api_client


@pytest.fixture
def page_client_for():
    """`page_client_for(user=None, language="en")`: a logged-in Django test client for the pages."""
    return helpers.page_client


@pytest.fixture
def customer_api(customer):
    return helpers.api_client(customer)


@pytest.fixture
def vendor_api(vendor_user):
    return helpers.api_client(vendor_user)


@pytest.fixture
def staff_api(staff_user):
    return helpers.api_client(staff_user)


@pytest.fixture
def customer_client(customer):
    return helpers.page_client(customer)


@pytest.fixture
def vendor_client(vendor_user):
    return helpers.page_client(vendor_user)


@pytest.fixture
def staff_client(staff_user):
    return helpers.page_client(staff_user)


# --- doing things through the real services ------------------------------------------------------------------------


@pytest.fixture
def submit():
    """`submit(customer, vendor, amount="100.00", **overrides)` through the real service."""
    return helpers.submit


@pytest.fixture
def run_together():
    """`run_together(fn, n, timeout=60)`: `fn(index)` in n threads released together (see tests/helpers.py)."""
    return helpers.run_together
