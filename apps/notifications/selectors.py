"""Reads of a user's own notifications."""

from django.db.models import QuerySet

from apps.accounts.models import User

from .models import Notification


def notifications_for_user(*, user: User, unread: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first, with what rendering them needs (index notification_inbox)."""
    notifications = Notification.objects.filter(recipient=user).select_related("recipient", "invoice_request__vendor")
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_notification_count(*, user: User) -> int:
    """One indexed query (the partial index notification_unread)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
