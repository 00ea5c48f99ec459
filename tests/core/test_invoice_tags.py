"""The badge and deadline phrases shared by the pages' templates and the views that build rows in Python."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from apps.core.templatetags.invoice_tags import days_left_text, overdue_text, status_badge, status_label
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import Deadline


def _render(source: str, **context) -> str:
    return engines["django"].from_string("{% load invoice_tags %}" + source).render(context)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_status_labels_are_the_models_display_in_the_page_language(language):
    with translation.override(language):
        for status in InvoiceRequest.Status.values:
            assert status_label(status) == InvoiceRequest(status=status).get_status_display()
        assert status_label("unknown") == "unknown"


def test_the_badge_tag_prints_the_badge_of_the_partial():
    with translation.override("en"):
        html = _render('{% include "console/_status_badge.html" with status="rejected" label=text %}', text="<b>x</b>")
        assert html.strip() == (
            '<span class="badge badge-rejected" data-testid="status-badge" data-status="rejected">'
            "&lt;b&gt;x&lt;/b&gt;</span>"
        )
        assert str(status_badge("pending")) == (
            '<span class="badge badge-pending" data-testid="status-badge" data-status="pending">Pending</span>'
        )


def _deadline(**kwargs) -> Deadline:
    facts = {"due": dt.date(2025, 1, 6), "provisional": False, "days_left": -1, "overdue": True, "days_late": 0}
    return Deadline(**{**facts, **kwargs})


@pytest.mark.parametrize(
    ("language", "days_late", "text"),
    [
        ("en", 0, "The vendor has missed the mail-by date"),
        ("en", 1, "The vendor is 1 working day late"),
        ("en", 3, "The vendor is 3 working days late"),
        ("zh-hans", 3, "服务商已逾期 3 个工作日"),
        ("zh-hans", 0, "服务商已错过最晚寄出日期"),
    ],
)
def test_overdue_words(language, days_late, text):
    with translation.override(language):
        assert overdue_text(_deadline(days_late=days_late)) == text
        assert (
            _render('{% include "console/_overdue_line.html" %}', deadline=_deadline(days_late=days_late)).strip()
            == text
        )


@pytest.mark.parametrize(
    ("language", "days", "text"),
    [("en", 1, "1 working day left"), ("en", 7, "7 working days left"), ("zh-hans", 7, "剩余 7 个工作日")],
)
def test_days_left_words(language, days, text):
    with translation.override(language):
        assert days_left_text(days) == text
