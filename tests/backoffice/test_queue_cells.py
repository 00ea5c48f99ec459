"""The queue builds its shipping, mail-by and status cells in Python (apps/backoffice/views/rows.py): they must print
exactly what the partials the other pages include print, in both languages."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from apps.backoffice.views.rows import QueueCells, pk_url, submitted_text
from apps.invoices.models import InvoiceRequest, ShippingPayer

DUE = dt.date(2026, 3, 20)

# (is_overdue, overdue_days, days_left) as with_deadlines sets them
DEADLINES = [
    (True, 3, -3),
    (True, 1, -1),
    (True, 0, 0),
    (False, 0, 0),
    (False, 0, 1),
    (False, 0, 2),
    (False, 0, 5),
    (False, 0, None),
]


def _request(*, status: str, amount: str, payer: str, provisional: bool, deadline) -> InvoiceRequest:
    request = InvoiceRequest(
        pk=4321,
        status=status,
        amount=Decimal(amount),
        shipping_payer=payer,
        dispatch_due_date=DUE,
        dispatch_due_date_provisional=provisional,
    )
    request.is_overdue, request.overdue_days, request.days_left = deadline
    return request


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_cells_are_the_partials_byte_for_byte(language):
    with translation.override(language):
        cells = QueueCells()
        for status, amount, payer, provisional, deadline in itertools.product(
            InvoiceRequest.Status.values,
            ["10.00", "49.99", "50.00", "1234.56"],
            ["", *ShippingPayer.values],
            [False, True],
            DEADLINES,
        ):
            record = _request(status=status, amount=amount, payer=payer, provisional=provisional, deadline=deadline)
            assert cells.shipping(record) == render_to_string("backoffice/_shipping.html", {"record": record})
            assert cells.deadline(record) == render_to_string("backoffice/_deadline.html", {"record": record})
            badge = render_to_string(
                "console/_status_badge.html", {"status": record.status, "label": record.get_status_display()}
            )
            assert cells.status_badge(record) == badge


def test_urls_and_times_are_the_templates():
    from django.template import Context, Template

    record = InvoiceRequest(pk=98765, submitted_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC))
    template = Template("{% url 'backoffice:detail' record.pk %}|{{ record.submitted_at|date:'Y-m-d H:i' }}")
    assert f"{pk_url('backoffice:detail')(record.pk)}|{submitted_text(record.submitted_at)}" == template.render(
        Context({"record": record})
    )


FILTER_DATA = [
    None,
    {},
    {"status": "pending"},
    {"status": "bogus", "sort": "-amount", "vendor": "999"},
    {"q": '<b>"抬头" & co</b>', "overdue": "on", "at_risk": "0"},
    {"submitted_from": "2026-03-01", "submitted_to": "2026-02-01", "due_from": "not a date", "due_to": ""},
    {"status": "all", "sort": "due", "overdue": "false", "vendor": "VENDOR"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("data", FILTER_DATA)
@pytest.mark.parametrize("staff", [False, True], ids=["vendor", "staff"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_plain_widget_renderer_writes_what_django_writes(vendor, other_vendor, data, staff, language):
    from django.forms.renderers import get_default_renderer

    from apps.backoffice.forms import QueueFilterForm
    from apps.core.forms_rendering import PLAIN_WIDGETS
    from apps.staffconsole.forms import VendorSlaForm

    if data and data.get("vendor") == "VENDOR":
        data = {**data, "vendor": str(vendor.pk)}
    vendors = [vendor, other_vendor] if staff else None
    with translation.override(language):
        plain = QueueFilterForm(data, vendors=vendors)
        django = QueueFilterForm(data, vendors=vendors, renderer=get_default_renderer())
        assert plain.renderer is PLAIN_WIDGETS
        for name in plain.fields:
            assert str(plain[name]) == str(django[name]), name
        for sort_data in (None, {"sort": (data or {}).get("sort", "-breaches")}):
            plain = VendorSlaForm(sort_data, initial={"sort": "late"}, renderer=PLAIN_WIDGETS)
            django = VendorSlaForm(sort_data, initial={"sort": "late"})
            assert str(plain["sort"]) == str(django["sort"])
            assert str(plain["days"]) == str(django["days"])
