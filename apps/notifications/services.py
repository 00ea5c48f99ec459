"""Notifications: write them inside the change they report, e-mail them after the commit.

`notify` adds one `Notification` row per recipient in the caller's transaction (the rows are the transactional
outbox: if the change rolls back, so do they; if the broker is down, they wait). After the commit a task is queued to
e-mail them at once; the periodic drain (`drain_notification_outbox_task`) sends whatever that task missed.
`(recipient, event_key)` is unique, so a retried service, a second sweep or a redelivered task never adds a second
row, and `notifications_deliver` locks each row while it sends, so no row is e-mailed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount, User, Vendor
from apps.core.scope import get_in_scope_or_not_found

from .models import Notification
from .rendering import render_notification
from .selectors import UNREAD_COUNT_KEY, UNREAD_COUNT_RECOUNT, UNREAD_COUNT_RECOUNT_SECONDS

logger = logging.getLogger(__name__)

# After this many failed attempts a row is marked failed and the drain leaves it alone (it stays in the bell).
MAX_EMAIL_ATTEMPTS = 5


# --- who hears of what ---------------------------------------------------------------------------------------------


def vendor_recipients(vendor: Vendor) -> QuerySet[User]:
    """The vendor's active users."""
    return User.objects.filter(role=User.Role.VENDOR, vendor=vendor, is_active=True)


def customer_recipients(customer_account: CustomerAccount) -> QuerySet[User]:
    """Everyone of the customer account (not only who applied: a colleague may follow up)."""
    return User.objects.filter(role=User.Role.CUSTOMER, customer_account=customer_account, is_active=True)


def staff_recipients() -> QuerySet[User]:
    """Marketplace staff."""
    return User.objects.filter(role=User.Role.STAFF, is_active=True)


# --- writing -------------------------------------------------------------------------------------------------------


def notify(
    *,
    event_key: str,
    kind: str,
    recipients: Iterable[User] | QuerySet[User],
    invoice_request=None,
    params: dict | None = None,
    new_event: bool = False,
) -> int:
    """Record one notification per recipient for one event; e-mail them once the transaction commits.

    Call it inside the transaction of the change it reports. Returns how many rows are new: 0 when every
    recipient already had this event (a retry or a second sweep notifies nobody twice). `new_event=True` says the
    event cannot have been notified before (its request was created in this transaction): the rows are then inserted
    plainly and their IDs come back from the insert, one query instead of two.
    """
    kind = Notification.Kind(kind)
    now = timezone.now()
    recipient_ids = _recipient_ids(recipients)
    rows = [
        Notification(
            recipient_id=recipient_id,
            event_key=event_key,
            kind=kind,
            invoice_request=invoice_request,
            params=params or {},
            created_at=now,
        )
        for recipient_id in recipient_ids
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=not new_event)
    ids = [row.pk for row in rows]
    if None in ids:  # ignore_conflicts sets no primary keys: find the rows this call wrote by their key and time
        ids = list(
            Notification.objects.filter(
                event_key=event_key, recipient_id__in=recipient_ids, created_at=now
            ).values_list("pk", flat=True)
        )
    _after_writing(ids, recipient_ids)
    return len(ids)


def _recipient_ids(recipients: Iterable[User] | QuerySet[User]) -> list[int]:
    """The recipients' IDs, each once (a queryset reads only the IDs)."""
    if isinstance(recipients, QuerySet):
        return list(dict.fromkeys(recipients.values_list("pk", flat=True)))
    return list(dict.fromkeys(user.pk for user in recipients))


def _after_writing(ids: list[int], recipient_ids: Iterable[int]) -> None:
    """The recipients' bells count again (now, and once the rows are committed); the e-mails are queued on commit.
    Nothing when no row was new."""
    if not ids:
        return
    recipient_ids = list(recipient_ids)
    unread_counts_forget(recipient_ids)  # the writer's own reads in this transaction

    def on_commit() -> None:
        unread_counts_forget(recipient_ids)
        _queue_delivery(ids)

    transaction.on_commit(on_commit)


def customer_recipients_by_account(account_ids: Iterable[int]) -> dict[int, list[User]]:
    """`customer_recipients` of many accounts in one query: {account id: users}."""
    users: dict[int, list[User]] = {account_id: [] for account_id in account_ids}
    for user in User.objects.filter(role=User.Role.CUSTOMER, customer_account_id__in=users, is_active=True):
        users[user.customer_account_id].append(user)
    return users


def notify_many(*, kind: str, events: Iterable[tuple[str, Iterable[User], object]]) -> int:
    """`notify` for many events of one kind at once, `(event_key, recipients, invoice_request)` each: two queries
    whatever the number of events (a batch of the mailing import). Returns how many rows are new."""
    kind = Notification.Kind(kind)
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=recipient_id,
            event_key=event_key,
            kind=kind,
            invoice_request=invoice_request,
            params={},
            created_at=now,
        )
        for event_key, recipients, invoice_request in events
        for recipient_id in _recipient_ids(recipients)
    ]
    if not rows:
        return 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    recipient_ids = {row.recipient_id for row in rows}
    ids = list(
        Notification.objects.filter(
            event_key__in={row.event_key for row in rows},
            recipient_id__in=recipient_ids,
            created_at=now,
        ).values_list("pk", flat=True)
    )
    _after_writing(ids, recipient_ids)
    return len(ids)


def _queue_delivery(ids: list[int]) -> None:
    """Queue the e-mails; with the broker down, log it and leave the rows to the periodic drain."""
    from .tasks import deliver_notifications_task

    try:
        deliver_notifications_task.apply_async(args=[ids], retry=True, retry_policy={"max_retries": 1})
    except Exception:  # noqa: BLE001 - any broker error: the rows are saved, the drain sends them later
        logger.warning("broker unreachable; notifications %s wait for the outbox drain", ids, exc_info=True)


# --- sending -------------------------------------------------------------------------------------------------------


def notifications_deliver(*, ids: list[int] | None = None, batch_size: int = 100) -> int:
    """E-mail pending notifications (the given ids, or any pending one) in batches; returns how many were sent.

    Each batch is locked (`skip_locked`), so two workers or a task and the drain never send the same row; a row is
    marked sent in the same transaction as its e-mail goes out. A failed send counts an attempt and stays pending
    until MAX_EMAIL_ATTEMPTS, then it is marked failed.
    """
    sent = 0
    last_id = 0
    connection = get_connection()
    while True:
        with transaction.atomic():
            pending = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING, pk__gt=last_id)
            if ids is not None:
                pending = pending.filter(pk__in=ids)
            batch = list(
                pending.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient__vendor", "invoice_request__vendor")
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return sent
            for notification in batch:
                sent += _deliver_one(notification, connection)
            last_id = batch[-1].pk


def recipient_email(user: User) -> str:
    """Where a user's notification e-mails go: their own address; for a vendor user without one, the vendor's
    contact e-mail (the address the vendor gave for invoice requests)."""
    if user.email:
        return user.email
    if user.is_vendor:
        return user.vendor.contact_email
    return ""


def _deliver_one(notification: Notification, connection) -> int:
    recipient = notification.recipient
    address = recipient_email(recipient)
    if not address:
        notification.email_status = Notification.EmailStatus.SKIPPED
        notification.save(update_fields=["email_status"])
        return 0
    rendered = render_notification(notification, absolute=True)
    body = rendered.text
    if rendered.url:
        body += "\n\n" + rendered.url
    notification.email_attempts += 1
    try:
        EmailMessage(rendered.subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection).send()
    except Exception:  # noqa: BLE001 - SMTP errors of any kind: count the attempt, try again on the next drain
        logger.warning("e-mail for notification %s failed", notification.pk, exc_info=True)
        if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
            notification.email_status = Notification.EmailStatus.FAILED
        notification.save(update_fields=["email_status", "email_attempts"])
        return 0
    notification.email_status = Notification.EmailStatus.SENT
    notification.email_sent_at = timezone.now()
    notification.save(update_fields=["email_status", "email_attempts", "email_sent_at"])
    return 1


# --- reading them --------------------------------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (another user's answers 404, as if it did not exist)."""
    notification = get_in_scope_or_not_found(
        Notification.objects.filter(recipient=user).select_related("invoice_request"),
        notification_id,
        message=_("Notification not found."),
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_on_commit([user.pk])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        _forget_on_commit([user.pk])
    return marked


# --- the bell's cached count ---------------------------------------------------------------------------------------


def unread_counts_forget(user_ids: Iterable[int]) -> None:
    """These users' unread counts changed: their bells count in PostgreSQL again. Called when the rows are written
    (for reads in the same transaction) and again once they are committed. A short-lived marker replaces the cached
    number, so a count read just before the commit cannot be put back in the cache afterwards
    (apps.notifications.selectors.unread_notification_count)."""
    if not getattr(settings, "SHARED_CACHE", False):
        return
    keys = [UNREAD_COUNT_KEY.format(user_id) for user_id in user_ids]
    if keys:
        cache.set_many(dict.fromkeys(keys, UNREAD_COUNT_RECOUNT), UNREAD_COUNT_RECOUNT_SECONDS)


def _forget_on_commit(user_ids: list[int]) -> None:
    unread_counts_forget(user_ids)
    transaction.on_commit(lambda: unread_counts_forget(user_ids))


# --- the language of a user's notifications ------------------------------------------------------------------------


def user_language_save(*, user: User, language: str) -> bool:
    """Remember the interface language the user chose, for their e-mails and notifications; False if unknown."""
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages or user.language == language:
        return False
    user.language = language
    user.save(update_fields=["language"])  # save(), not update(): whoever caches users hears of it (post_save)
    return True
