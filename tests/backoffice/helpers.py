"""Helpers for the back-office page tests: submit and move requests through the real services, read pages."""

import datetime as dt
import re

from django.utils import timezone

from apps.core.workdays import calendar_date
from apps.invoices.models import InvoiceRequest
from tests.helpers import accept, fresh, mail, submit

__all__ = ["accept", "fresh", "mail", "make_overdue", "messages_of", "row_ids", "submit"]


def make_overdue(request: InvoiceRequest, working_days: int = 3) -> InvoiceRequest:
    """Move the mail-by date into the past (the date is a plain column; the status is not touched)."""
    due = calendar_date(timezone.now()) - dt.timedelta(days=working_days + 4)
    InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=due)
    return InvoiceRequest.objects.get(pk=request.pk)


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="queue-row" data-request-id="(\d+)"', html)]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
