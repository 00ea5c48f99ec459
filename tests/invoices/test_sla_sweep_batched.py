"""The sweep writes a batch's timeline lines in one INSERT and reads the customers of all its accounts in one query:
the same lines `InvoiceEvent.record_note` writes, and every account's own users told of their own request."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.sla import sla_sweep
from apps.notifications.models import Notification
from tests.factories import CustomerUserFactory, InvoiceTitleFactory, MailingAddressFactory, consume
from tests.helpers import accept, fresh

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 11, 10, 0, tzinfo=SHANGHAI)  # Wednesday; March 2026 has no holiday
TUE, THU = dt.date(2026, 3, 10), dt.date(2026, 3, 12)


@pytest.fixture
def customers(vendor):
    """Three customer users of three accounts, each with ¥1000.00 consumed with `vendor`."""
    users = []
    for _ in range(3):
        user = CustomerUserFactory()
        InvoiceTitleFactory(customer_account=user.customer_account, is_default=True)
        MailingAddressFactory(customer_account=user.customer_account, is_default=True)
        consume(customer_account=user.customer_account, vendor=vendor, amount="1000.00")
        users.append(user)
    return users


def _due_on(request: InvoiceRequest, day: dt.date) -> InvoiceRequest:
    InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=day)
    return fresh(request)


def _note_fields(event: InvoiceEvent) -> tuple:
    return (event.kind, event.actor_id, event.from_status, event.to_status, event.params, event.reason)


def test_each_account_is_told_of_its_own_breach_and_the_lines_are_those_record_note_writes(
    customers, vendor, vendor_user, staff_user, submit
):
    # given an overdue request of each of three accounts (one processing), and one at risk
    late = [_due_on(submit(user, vendor, "10.00"), TUE) for user in customers]
    late[1] = accept(late[1])
    at_risk = _due_on(submit(customers[0], vendor, "20.00"), THU)

    # when the sweep runs
    result = sla_sweep(now=NOW)

    # then every overdue request's own customer (and the vendor) is told, nobody else's
    assert (result.breached, result.reminded) == (3, 1)
    for request, user in zip(late, customers, strict=True):
        told = Notification.objects.filter(invoice_request=request, kind=Notification.Kind.BREACHED)
        assert sorted(told.values_list("recipient_id", flat=True)) == sorted([user.pk, vendor_user.pk])
        assert list(
            Notification.objects.filter(invoice_request=request, kind=Notification.Kind.ESCALATED).values_list(
                "recipient_id", flat=True
            )
        ) == [staff_user.pk]
    # and each timeline line is the one InvoiceEvent.record_note writes for the same facts
    written = [
        *(InvoiceEvent.objects.get(request=request, kind=InvoiceEvent.Kind.BREACHED) for request in late),
        InvoiceEvent.objects.get(request=at_risk, kind=InvoiceEvent.Kind.VENDOR_REMINDED),
    ]
    for event in written:
        expected = InvoiceEvent.record_note(
            request=fresh(event.request), actor=None, kind=event.kind, params=event.params
        )
        assert _note_fields(event) == _note_fields(expected)
    assert written[1].from_status == InvoiceRequest.Status.PROCESSING
    assert written[-1].params == {"due": "2026-03-12", "working_days_left": 1}


def test_more_overdue_accounts_cost_no_more_queries_but_their_notifications(
    customers, vendor, vendor_user, staff_user, submit
):
    # given one overdue request of one account, then of three accounts
    def sweep_counting(users) -> int:
        for user in users:
            _due_on(submit(user, vendor, "10.00"), TUE)
        with CaptureQueriesContext(connection) as queries:
            assert sla_sweep(now=NOW).breached == len(users)
        return len([query for query in queries if Notification._meta.db_table not in query["sql"]])

    # when each is swept
    # then, apart from writing their notifications, three requests cost what one does: the timeline lines and the
    # accounts' users are written and read once per batch
    assert sweep_counting(customers[:1]) == sweep_counting(customers)
