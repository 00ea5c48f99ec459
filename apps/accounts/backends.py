"""Authentication backends."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import ngettext

from .user_cache import cached_user


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins that come with a request (the login page, the token endpoint).

    An authentication without a request (the shell, a management command, the test client's `login()`) has no
    client to lock out; axes would refuse it outright, so it is passed on to the next backend unchecked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class CachedUserModelBackend(ModelBackend):
    """Django's username/password backend; the user of each signed-in request comes from the shared cache
    (apps.accounts.user_cache), with its customer account and vendor, instead of a query per request."""

    def get_user(self, user_id):
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def login_locked_out_message() -> str:
    """What the login page and the token endpoint say while django-axes refuses the login."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Too many failed logins for this username or from your network. For your security, logging in is paused "
        "for %(minutes)d minute; please try again later, or ask marketplace staff to unlock your account.",
        "Too many failed logins for this username or from your network. For your security, logging in is paused "
        "for %(minutes)d minutes; please try again later, or ask marketplace staff to unlock your account.",
        minutes,
    ) % {"minutes": minutes}
