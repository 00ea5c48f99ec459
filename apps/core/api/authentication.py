"""API authentication: tokens that expire (settings.TOKEN_TTL_DAYS) and the token endpoint's throttle."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle


def token_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return token.created <= (now or timezone.now()) - dt.timedelta(days=settings.TOKEN_TTL_DAYS)


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's token; an expired one is replaced by a new key (one token per user, as DRF's model allows)."""
    token, _created = Token.objects.select_for_update().get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


def token_expires_at(token: Token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.TOKEN_TTL_DAYS)


def token_revoke(*, user) -> bool:
    """Delete the user's API token (the API's DELETE and the account page both call this); False if there was none."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than settings.TOKEN_TTL_DAYS (401 `token_expired`)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(
                _("This token has expired. Get a new one with your username and password at /api/v1/auth/token/."),
                code="token_expired",
            )
        return user, token


# Token first, so an anonymous request answers 401 with `WWW-Authenticate: Token` instead of a bare 403.
API_AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication]


class AuthTokenThrottle(SimpleRateThrottle):
    """Token requests per client address on the shared cache (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES["auth_token"]).

    Wrong passwords per username and per address are also locked out by django-axes; this caps the request rate.
    """

    scope = "auth_token"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
