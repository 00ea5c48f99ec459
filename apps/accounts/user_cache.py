"""The signed-in user of each request, kept in the shared cache instead of read from PostgreSQL every time.

Every page and API call needs `request.user` with its customer account or vendor (the role decides what it may
see): one query per request that returns the same row nearly every time. The user is cached with both relations
for AUTH_USER_CACHE_SECONDS (settings; 0, no cache, without Redis) and dropped as soon as the user, its vendor or
its customer account is saved or deleted (now and again after the commit, so a concurrent request cannot put back
the old row in between: a FORGOTTEN marker keeps anyone from caching it for a few seconds). A password change, a
deactivation or a role change therefore takes effect on the next request. Writes that bypass `save()`
(`QuerySet.update()`) call `forget_users()` themselves; the timeout bounds anything missed (an invalidation lost
to a Redis timeout included).

The cache is fail-soft (apps.core.cache): with Redis down every request reads the row, as before.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

KEY = "auth-user:{}"
# Written in place of a changed user, now and after the commit: until it expires no request may cache the user
# (`add` does not write over it), so one that read the old row just before the commit cannot put it back.
FORGOTTEN = "forgotten"
FORGOTTEN_SECONDS = 10


def _load(user_id):
    from .models import User

    return User.objects.select_related("customer_account", "vendor").filter(pk=user_id).first()


def cached_user(user_id):
    """The user with this primary key (customer account and vendor selected), or None when there is none."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    seconds = settings.AUTH_USER_CACHE_SECONDS
    if not seconds:
        return _load(user_id)
    key = KEY.format(user_id)
    user = cache.get(key)
    if user is None or user == FORGOTTEN:
        forgotten = user is not None
        user = _load(user_id)
        if user is not None and not forgotten:
            cache.add(key, user, seconds)
    return user


def forget_users(user_ids: Iterable[int]) -> None:
    """Drop these users from the cache, now and again once the current transaction commits (see FORGOTTEN)."""
    markers = {KEY.format(user_id): FORGOTTEN for user_id in user_ids}
    if not markers:
        return
    cache.set_many(markers, FORGOTTEN_SECONDS)
    transaction.on_commit(lambda: cache.set_many(markers, FORGOTTEN_SECONDS))


def user_changed_receiver(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a User."""
    forget_users([instance.pk])


def owner_changed_receiver(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a Vendor or CustomerAccount: its users carry it in the cache."""
    forget_users(list(instance.users.values_list("pk", flat=True)) if instance.pk else [])
