from functools import cache

from .selectors import unread_notification_count


def bell(request):
    """The top bar's unread count: one query, run once and only if a page shows it (templates call callables)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def notification_unread_count() -> int:
        return unread_notification_count(user=user)

    return {"notification_unread_count": notification_unread_count}
