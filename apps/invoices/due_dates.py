"""Recompute open requests' mail-by dates after staff changed the working-day calendar.

Runs in the background (`due_dates_recompute_task`, queued when an override is saved or deleted). Each request whose
date or provisional flag changes is updated under its row lock, gets a DUE_DATE_CHANGED line on its timeline, and
its vendor and customer are notified. A request already right is left alone, so running it twice changes nothing
the second time.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core.workdays import CALENDAR_TIME_ZONE, DISPATCH_WORKING_DAYS, WorkingCalendar, calendar_date
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, vendor_recipients

from .models import InvoiceEvent, InvoiceRequest
from .selectors import OPEN_STATUSES

logger = logging.getLogger(__name__)


def _candidates(year: int | None) -> QuerySet[InvoiceRequest]:
    """Open requests whose mail-by date may change with the calendar of `year` (every open one without a year):
    those counted over that year (submitted before its end, due on or after its start) and every provisional one."""
    requests = InvoiceRequest.objects.filter(status__in=OPEN_STATUSES)
    if year is None:
        return requests
    first_day = dt.date(year, 1, 1)
    end = dt.datetime(year + 1, 1, 1, tzinfo=CALENDAR_TIME_ZONE)
    return requests.filter(
        Q(dispatch_due_date_provisional=True) | Q(dispatch_due_date__gte=first_day, submitted_at__lt=end)
    )


def _recompute_batch(ids: list[int], calendar: WorkingCalendar, *, skip_locked: bool) -> tuple[int, list[int]]:
    """Recompute the requests of `ids` still open; returns (how many changed, ids skipped because locked)."""
    changed = 0
    with transaction.atomic():
        locked = list(
            InvoiceRequest.objects.select_for_update(skip_locked=skip_locked, of=("self",))
            .select_related("vendor", "customer_account")
            .filter(pk__in=ids, status__in=OPEN_STATUSES)
            .order_by("pk")
        )
        seen = {invoice_request.pk for invoice_request in locked}
        today = calendar_date(timezone.now())
        recipients: dict[tuple[str, int], list] = {}
        for invoice_request in locked:
            due = calendar.due_date_after(calendar_date(invoice_request.submitted_at), DISPATCH_WORKING_DAYS)
            old, old_provisional = invoice_request.dispatch_due_date, invoice_request.dispatch_due_date_provisional
            if (due.date, due.provisional) == (old, old_provisional):
                continue
            invoice_request.dispatch_due_date = due.date
            invoice_request.dispatch_due_date_provisional = due.provisional
            fields = ["dispatch_due_date", "dispatch_due_date_provisional", "updated_at"]
            if due.date > old:
                # A later date: the reminder is owed again before it, and a breach of the old date is none while the
                # new one is still ahead (the SLA sweep marks it again if it passes).
                invoice_request.at_risk_notified_at = None
                fields.append("at_risk_notified_at")
                if due.date >= today:
                    invoice_request.breached_at = None
                    fields.append("breached_at")
            invoice_request.save(update_fields=fields)
            event = InvoiceEvent.record_note(
                request=invoice_request,
                actor=None,
                kind=InvoiceEvent.Kind.DUE_DATE_CHANGED,
                params={
                    "old": old.isoformat(),
                    "old_provisional": old_provisional,
                    "new": due.date.isoformat(),
                    "new_provisional": due.provisional,
                },
            )
            vendor_key = ("vendor", invoice_request.vendor_id)
            if vendor_key not in recipients:
                recipients[vendor_key] = list(vendor_recipients(invoice_request.vendor))
            customer_key = ("customer", invoice_request.customer_account_id)
            if customer_key not in recipients:
                recipients[customer_key] = list(customer_recipients(invoice_request.customer_account))
            notify(
                event_key=f"due_date_changed:{event.pk}",
                kind=Notification.Kind.DUE_DATE_CHANGED,
                recipients=[*recipients[vendor_key], *recipients[customer_key]],
                invoice_request=invoice_request,
                params={"old": old.isoformat(), "new": due.date.isoformat(), "provisional": due.provisional},
            )
            changed += 1
    skipped = [pk for pk in ids if pk not in seen] if skip_locked else []
    return changed, skipped


def invoice_request_due_dates_recompute(*, year: int | None = None, batch_size: int = 500) -> int:
    """Bring open requests' mail-by dates in line with the current calendar; returns how many changed.

    Ids are read in keyset batches (memory stays bounded), each batch is locked with SKIP LOCKED so a vendor working
    on a request is not blocked; the requests skipped that way are done at the end, waiting for their lock.
    """
    calendar = WorkingCalendar.load()  # the overrides as committed now, not a process's cached copy
    candidates = _candidates(year)
    changed = 0
    skipped: list[int] = []
    last_id = 0
    while True:
        ids = list(candidates.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        last_id = ids[-1]
        done, locked_out = _recompute_batch(ids, calendar, skip_locked=True)
        changed += done
        skipped.extend(locked_out)
    for start in range(0, len(skipped), batch_size):
        done, _skipped = _recompute_batch(skipped[start : start + batch_size], calendar, skip_locked=False)
        changed += done
    if changed:
        logger.info("recomputed %d mail-by dates (year %s)", changed, year)
    return changed
