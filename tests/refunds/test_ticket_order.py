"""Ticket lists put the latest message first for the customer and in the staff queue (the message count's GROUP BY
drops the model's default ordering, so the selectors state it)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.refunds.models import SupportTicket
from apps.refunds.selectors import tickets_for_customer, tickets_for_staff
from apps.refunds.services.tickets import ticket_open, ticket_reply
from tests.helpers import api_client

pytestmark = pytest.mark.django_db


def test_the_ticket_with_the_latest_message_comes_first(consumed, staff_user, staff_client, customer_client):
    account = consumed.customer_account
    tickets = [
        ticket_open(actor=consumed, customer_account=account, subject=f"Ticket {n}", body="Hello") for n in range(3)
    ]
    # Opened in order 0, 1, 2 an hour apart; then staff answer the oldest one.
    base = timezone.now() - dt.timedelta(hours=5)
    for n, ticket in enumerate(tickets):
        SupportTicket.objects.filter(pk=ticket.pk).update(created_at=base, last_message_at=base + dt.timedelta(hours=n))
    ticket_reply(actor=staff_user, ticket_id=tickets[0].pk, body="We are on it.")
    expected = [tickets[0].pk, tickets[2].pk, tickets[1].pk]

    assert [t.pk for t in tickets_for_customer(customer_account=account)] == expected
    assert [t.pk for t in tickets_for_staff()] == expected
    assert [t.pk for t in tickets_for_staff(status="active", assignee=None)] == expected
    assert [t["id"] for t in api_client(consumed).get("/api/v1/tickets/").json()["results"]] == expected
    assert [t["id"] for t in api_client(staff_user).get("/api/v1/staff/tickets/").json()["results"]] == expected
    for client, path in ((customer_client, "/console/tickets/"), (staff_client, "/staff/tickets/")):
        html = client.get(path).content.decode()
        positions = [html.index(f"Ticket {n}") for n in (0, 2, 1)]
        assert positions == sorted(positions), path
