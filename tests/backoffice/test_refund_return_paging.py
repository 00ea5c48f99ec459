"""The vendor's refund and return queues page like the request queue: every row reachable, the page links keep the
tab, and a stale ?page= (past the end after deciding the last row) shows the last page instead of an error."""

import re
from decimal import Decimal

import pytest

from apps.refunds.services.refunds import refund_request
from apps.refunds.services.returns import invoice_return_request
from tests.helpers import mail, submit

pytestmark = pytest.mark.django_db


def _ids(html: str, attribute: str) -> list[int]:
    return [int(value) for value in re.findall(rf'{attribute}="(\d+)"', html)]


def test_every_refund_is_reachable_page_by_page(monkeypatch, consumed, vendor, vendor_client):
    monkeypatch.setattr("apps.backoffice.views.refunds.PAGE_SIZE", 2)
    refunds = [
        refund_request(
            actor=consumed,
            customer_account=consumed.customer_account,
            vendor=vendor,
            amount=Decimal("10.00"),
            reason=f"Refund {n}",
        )
        for n in range(5)
    ]

    seen = []
    for page in (1, 2, 3):
        html = vendor_client.get(f"/backoffice/refunds/?status=requested&page={page}").content.decode()
        seen += _ids(html, "data-refund-id")
        assert 'class="pagination"' in html
        assert "status=requested" in html  # the page links keep the tab
    assert seen == [refund.pk for refund in refunds]  # oldest waiting first, each once

    stale = vendor_client.get("/backoffice/refunds/?status=requested&page=99")
    assert stale.status_code == 200
    assert _ids(stale.content.decode(), "data-refund-id") == [refunds[-1].pk]
    assert vendor_client.get("/backoffice/refunds/?page=abc").status_code == 200


def test_every_return_is_reachable_page_by_page(monkeypatch, consumed, vendor, vendor_user, vendor_client):
    monkeypatch.setattr("apps.backoffice.views.returns.PAGE_SIZE", 2)
    returns = [
        invoice_return_request(
            actor=consumed,
            customer_account=consumed.customer_account,
            invoice_request_id=mail(submit(consumed, vendor, "20.00"), vendor_user).pk,
            purpose="reissue",
            reason="Wrong title",
        )
        for _ in range(3)
    ]

    first = vendor_client.get("/backoffice/returns/").content.decode()
    second = vendor_client.get("/backoffice/returns/?page=2").content.decode()
    stale = vendor_client.get("/backoffice/returns/?page=99").content.decode()

    assert _ids(first, "data-return-id") + _ids(second, "data-return-id") == [r.pk for r in returns]
    assert 'class="pagination"' in first
    assert _ids(stale, "data-return-id") == [returns[-1].pk]


def test_one_page_of_rows_shows_no_page_links(consumed, vendor, vendor_client):
    refund_request(
        actor=consumed, customer_account=consumed.customer_account, vendor=vendor, amount=Decimal("1.00"), reason="r"
    )

    assert 'class="pagination"' not in vendor_client.get("/backoffice/refunds/").content.decode()
