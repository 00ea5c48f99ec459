"""Helpers for the back-office page tests: submit and move requests through the real services, read pages."""

import datetime as dt
import re

from django.utils import timezone

from apps.core.workdays import calendar_date
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_accept
from tests.invoices.helpers import submit  # noqa: F401 - re-exported for the tests here


def accept(request: InvoiceRequest, vendor_user) -> InvoiceRequest:
    return invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, request_id=request.pk)


def mail(request: InvoiceRequest, vendor_user, *, tracking: str, invoice: str, payer: str = "vendor") -> InvoiceRequest:
    accept(request, vendor_user)
    return invoice_request_mail(
        actor=vendor_user,
        vendor=vendor_user.vendor,
        request_id=request.pk,
        mailing=MailingInfo(
            invoice_numbers=[invoice],
            invoice_date=calendar_date(timezone.now()),
            courier="sf",
            tracking_number=tracking,
            shipping_payer=payer,
        ),
    )


def make_overdue(request: InvoiceRequest, working_days: int = 3) -> InvoiceRequest:
    """Move the mail-by date into the past (the date is a plain column; the status is not touched)."""
    due = calendar_date(timezone.now()) - dt.timedelta(days=working_days + 4)
    InvoiceRequest.objects.filter(pk=request.pk).update(dispatch_due_date=due)
    return InvoiceRequest.objects.get(pk=request.pk)


def fresh(request: InvoiceRequest) -> InvoiceRequest:
    """Re-read a request (refresh_from_db() is refused on its protected status field)."""
    return InvoiceRequest.objects.get(pk=request.pk)


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="queue-row" data-request-id="(\d+)"', html)]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
