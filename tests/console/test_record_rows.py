"""The records list's rows in each state: the links, words and marks each one carries (built once per row by the
view, apps.console.views.invoices.record_rows)."""

import re

import pytest
from django.urls import reverse

from tests.helpers import cancel, mail, reject, submit
from tests.helpers import page_client as client_for

pytestmark = pytest.mark.django_db


def row_of(html: str, pk: int) -> str:
    return re.search(rf'<tr id="record-{pk}".*?</tr>', html, re.S).group(0)


def test_each_row_links_what_its_state_allows(consumed, vendor, vendor_user):
    pending = submit(consumed, vendor, "10.00")
    cancelled = cancel(submit(consumed, vendor, "11.00"))
    long_reason = "The taxpayer ID does not match the bank account on the title; correct the title and apply again."
    rejected = reject(submit(consumed, vendor, "12.00"), vendor_user, reason=long_reason)
    mailed = mail(submit(consumed, vendor, "13.00"), vendor_user, tracking="SF1234567890")

    html = client_for(consumed).get(reverse("console:records")).content.decode()

    detail = reverse("console:record_detail", args=[pending.pk])
    row = row_of(html, pending.pk)
    assert f'<a href="{detail}" class="mono">{pending.number}</a>' in row
    assert f'href="{detail}" data-testid="record-detail-link">Details</a>' in row
    cancel_url = reverse("console:record_cancel", args=[pending.pk])
    assert f'href="{cancel_url}" data-testid="record-cancel-link">Cancel</a>' in row
    assert 'data-status="pending">Pending</span>' in row and 'data-testid="days-left"' in row
    assert 'data-label="Amount">¥10.00</td>' in row
    for again in (cancelled, rejected):
        row = row_of(html, again.pk)
        url = f"{reverse('console:apply', args=[vendor.pk])}?from={again.pk}"
        assert f'href="{url}" data-testid="record-apply-again-link">Apply again</a>' in row
        assert "record-cancel-link" not in row and "record-due" not in row
    row = row_of(html, rejected.pk)
    assert f'title="{long_reason}">{long_reason[:39]}…</div>' in row
    row = row_of(html, mailed.pk)
    assert 'data-testid="record-tracking">SF Express <span class="mono">SF1234567890</span>' in row
    assert "record-apply-again-link" not in row and "record-cancel-link" not in row and "record-due" not in row


def test_the_rows_speak_the_page_language(consumed, vendor):
    pending = submit(consumed, vendor, "10.00")

    html = client_for(consumed, language="zh-hans").get(reverse("console:records")).content.decode()

    row = row_of(html, pending.pk)
    assert 'data-label="金额">¥10.00</td>' in row and ">撤销</a>" in row and "个工作日" in row
