"""API authentication: tokens that expire (settings.TOKEN_TTL_DAYS) and the token endpoint's throttle.

A token is looked up in the shared cache first (token key's hash -> user id and issue time), its user through
`apps.accounts.user_cache`, so an API request reads nothing from PostgreSQL to know who asks. The cache is on with
the signed-in user's (settings.AUTH_USER_CACHE_SECONDS, i.e. only with Redis) and is never trusted beyond what it
cannot get wrong:

- expiry is computed from the issue time on every request, so an expired token is refused the second it expires;
- revoking (`token_revoke`: the API's DELETE and the account page), replacing an expired token (`token_issue`) and
  any other deletion of a token (admin, a deleted user; the signal receivers below) put a tombstone in its place,
  now and again after the commit. A request that read the token from PostgreSQL before the revocation committed
  only `add`s its entry, which never replaces a tombstone, so a revoked token is refused on the very next request;
- the user comes from `cached_user`, which is dropped whenever the user is saved: a deactivated user is refused.

Writes that bypass the ORM's signals (`Token.objects.filter(...).update(created=...)`, raw SQL) are not seen until
the entry times out; the application makes none.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from apps.accounts import user_cache

TOKEN_CACHE_KEY = "api-token:{}"
TOKEN_REVOKED = "revoked"  # the tombstone: never a (user id, issued at) pair

# Token key hash -> user id, in this process: what a key belongs to never changes (a key is random and is its
# token's primary key), so the token's entry and its user's are read in one round trip. Whether the token still
# counts is always the shared cache's (or PostgreSQL's) answer, never this hint's.
_TOKEN_USER_HINTS: dict[str, int] = {}
_TOKEN_USER_HINTS_MAX = 10_000


def token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return token.created <= (now or timezone.now()) - dt.timedelta(days=settings.TOKEN_TTL_DAYS)


def _token_cache_seconds() -> int:
    # The same lifetime as the cached user, and off where that is off (no Redis: a per-process memory cache would
    # keep a token another process has revoked).
    return getattr(settings, "AUTH_USER_CACHE_SECONDS", 0) or 0


def _token_cache_key(key: str) -> str:
    # A hash: the cache never holds a usable token, and any header value makes a valid cache key.
    return TOKEN_CACHE_KEY.format(hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest())


def tokens_forget(keys) -> None:
    """Tombstone these token keys in the cache, now and again once the current transaction commits."""
    seconds = _token_cache_seconds()
    entries = {_token_cache_key(key): TOKEN_REVOKED for key in keys}
    if not seconds or not entries:
        return
    cache.set_many(entries, seconds)
    transaction.on_commit(lambda: cache.set_many(entries, seconds))


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's token; an expired one is replaced by a new key (one token per user, as DRF's model allows)."""
    token, _created = Token.objects.select_for_update().get_or_create(user=user)
    if token_expired(token):
        token.delete()  # tombstoned by the post_delete receiver
        token = Token.objects.create(user=user)
    return token


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.TOKEN_TTL_DAYS)


def token_revoke(*, user) -> bool:
    """Delete the user's API token (the API's DELETE and the account page both call this); False if there was none.

    The token is refused from the next request on, the cache included (`tokens_forget`)."""
    tokens = Token.objects.filter(user=user)
    keys = list(tokens.values_list("key", flat=True))
    deleted, _rows = tokens.delete()
    tokens_forget(keys)  # also done by the post_delete receiver; explicit, as this is what revoking means
    return bool(deleted)


def _token_deleted_receiver(sender, instance, **kwargs) -> None:
    tokens_forget([instance.key])


def _token_saved_receiver(sender, instance, created, **kwargs) -> None:
    if not created:  # a changed issue time (admin): read it again
        tokens_forget([instance.key])


def connect_token_cache_signals() -> None:
    """Tombstone a token however it is deleted or changed (admin, a deleted user's cascade). Idempotent."""
    post_delete.connect(_token_deleted_receiver, sender=Token, dispatch_uid="api_token_cache_deleted")
    post_save.connect(_token_saved_receiver, sender=Token, dispatch_uid="api_token_cache_saved")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than settings.TOKEN_TTL_DAYS (401 `token_expired`).

    The same answers as DRF's (`Invalid token.`, `User inactive or deleted.`), from the cache when it has them."""

    def authenticate_credentials(self, key):
        user, token = self._lookup(key)
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        if token_expired(token):
            raise AuthenticationFailed(
                _("This token has expired. Get a new one with your username and password at /api/v1/auth/token/."),
                code="token_expired",
            )
        return user, token

    def _lookup(self, key: str):
        seconds = _token_cache_seconds()
        cache_key = _token_cache_key(key) if seconds else None
        entry = self._cached_entry(cache_key) if cache_key else None
        if entry is not None and entry[0] != TOKEN_REVOKED:
            user_id, created, user = entry
            if getattr(user, "pk", None) != user_id:  # not read along (no hint yet): the user cache's own way
                user = user_cache.cached_user(user_id)
            if user is not None:
                _remember_user_of(cache_key, user_id)
                token = Token.from_db("default", ["key", "user_id", "created"], [key, user_id, created])
                token.user = user
                return user, token
        if not cache_key:  # no cache: the token with its user, customer account and vendor in one query
            token = Token.objects.select_related("user__customer_account", "user__vendor").filter(key=key).first()
            if token is None:
                raise AuthenticationFailed(_("Invalid token."))
            return token.user, token
        token = Token.objects.filter(key=key).first()
        user = None if token is None else user_cache.cached_user(token.user_id)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        token.user = user
        if entry is None:
            # `add`: never over a tombstone written meanwhile by a revocation.
            cache.add(cache_key, (token.user_id, token.created), seconds)
            _remember_user_of(cache_key, token.user_id)
        return user, token

    @staticmethod
    def _cached_entry(cache_key: str):
        """(user id, issued at, the cached user or None), (TOKEN_REVOKED, None, None), or None when not cached."""
        hint = _TOKEN_USER_HINTS.get(cache_key)
        user_key = user_cache.KEY.format(hint) if hint is not None else None
        found = cache.get_many([cache_key, user_key] if user_key else [cache_key])
        entry = found.get(cache_key)
        if entry == TOKEN_REVOKED:
            return TOKEN_REVOKED, None, None
        if not isinstance(entry, tuple):
            return None
        return entry[0], entry[1], found.get(user_key) if user_key else None


def _remember_user_of(cache_key: str, user_id: int) -> None:
    if len(_TOKEN_USER_HINTS) >= _TOKEN_USER_HINTS_MAX:
        _TOKEN_USER_HINTS.clear()
    _TOKEN_USER_HINTS[cache_key] = user_id


# Token first, so an anonymous request answers 401 with `WWW-Authenticate: Token` instead of a bare 403.
API_AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication]


class AuthTokenThrottle(SimpleRateThrottle):
    """Token requests per client address on the shared cache (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES["auth_token"]).

    Wrong passwords per username and per address are also locked out by django-axes; this caps the request rate.
    """

    scope = "auth_token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
