"""A 403 or a 404 is one line in the log, not a traceback; a 500 keeps its traceback."""

import io
import logging

import pytest
from django.test import Client

from apps.core.log_filters import ClientErrorsOnOneLine
from tests.helpers import page_client


@pytest.fixture
def console_log():
    """What the configured console handler (settings.LOGGING) writes."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, ClientErrorsOnOneLine) for f in getattr(h, "filters", []))
    )
    stream = io.StringIO()
    old = handler.setStream(stream)
    yield stream
    handler.setStream(old)


@pytest.mark.django_db
def test_a_403_and_a_404_are_one_line_each(console_log, vendor_user, customer):
    page_client(vendor_user).get("/console/")
    page_client(customer).get("/console/titles/999999/edit/")
    page_client(customer).get("/api/v1/nowhere/")
    lines = [line for line in console_log.getvalue().splitlines() if line.strip()]
    assert "Forbidden (Permission denied): /console/" in lines
    assert "Not Found: /console/titles/999999/edit/" in lines
    assert "Not Found: /api/v1/nowhere/" in lines
    assert "Traceback" not in console_log.getvalue()


@pytest.mark.django_db
def test_a_500_keeps_its_traceback(console_log, customer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("apps.accounts.views.AccountView.get_context_data", broken)
    client = Client(raise_request_exception=False)
    client.force_login(customer)
    assert client.get("/accounts/").status_code == 500
    assert "Traceback" in console_log.getvalue()
    assert "RuntimeError: database on fire" in console_log.getvalue()
