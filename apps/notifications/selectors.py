"""Reads of a user's own notifications."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from apps.accounts.models import User

from .models import Notification

# The bell's number per user in the shared cache (apps.core.cache), dropped whenever it changes
# (apps.notifications.services.unread_counts_forget); the timeout only bounds what no service wrote (a deletion).
UNREAD_COUNT_KEY = "notifications:unread:{}"
UNREAD_COUNT_SECONDS = 120
# "Count again": written over the number when it changes. While it lasts nobody caches a number, so a count read
# before the change committed cannot replace it afterwards.
UNREAD_COUNT_RECOUNT = -1
UNREAD_COUNT_RECOUNT_SECONDS = 5


def notifications_for_user(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what rendering them needs (index notification_inbox)."""
    notifications = Notification.objects.filter(recipient=user).select_related("recipient", "invoice_request__vendor")
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_notification_count(*, user: User) -> int:
    """The bell's number: from the shared cache, else one indexed query (the partial index notification_unread).

    Without a shared cache (no Redis: `make run`) or with Redis down it is counted on every call, as before.
    """
    if not getattr(settings, "SHARED_CACHE", False):
        return _unread_count(user)
    key = UNREAD_COUNT_KEY.format(user.pk)
    cached = cache.get(key)
    if cached is not None and cached >= 0:
        return cached
    count = _unread_count(user)
    if cached is None:  # not while the "count again" marker lasts; `add`: never over a marker written meanwhile
        cache.add(key, count, UNREAD_COUNT_SECONDS)
    return count


def _unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
