"""The client's address, for the login lockout (django-axes) and the API throttle alike."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind settings.TRUSTED_PROXY_COUNT reverse proxies, the address the outermost one saw.

    X-Forwarded-For is read from the right (the entries our own proxies appended); its left end is whatever the
    client chose to send, so it is never trusted. DRF's throttles use the same rule (REST_FRAMEWORK NUM_PROXIES).
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr
