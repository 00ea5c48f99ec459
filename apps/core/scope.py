"""Scope: one object of the actor's own data, or "not found"; and who may read or change vendors' requests."""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import NotFoundError
from .validators import parse_id

NOT_FOUND_MESSAGE = _("Not found.")
M = TypeVar("M", bound=Model)


def get_in_scope_or_not_found(queryset: QuerySet[M], pk: int, *, message=NOT_FOUND_MESSAGE) -> M:
    """The object with `pk` in an already scoped queryset, else NotFoundError (a 404: no hint that it exists).

    `pk` is an int parsed at the edge; the scope (account, vendor) is in the queryset, never added here.
    """
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFoundError("not_found", message)
    return found


def find_in_scope(queryset: QuerySet[M], raw_id) -> M | None:
    """For forms and serializers: the object a submitted ID names in a scoped queryset, or None.

    None (a missing, malformed or foreign ID) lets the service say what is wrong next to the field, in its words.
    """
    pk = parse_id(raw_id)
    return queryset.filter(pk=pk).first() if pk is not None else None


# Marketplace staff read every vendor's requests but change none of them; vendor users act on their own.
STAFF_READ_ONLY_MESSAGE = _("Marketplace staff may view vendors' requests but not change them.")


def may_read_vendor_requests(user) -> bool:
    """Vendor users (their own vendor's requests) and marketplace staff (every vendor's, read-only)."""
    return bool(user and user.is_authenticated and (user.is_vendor or user.is_marketplace_staff))


def may_change_vendor_requests(user) -> bool:
    """Only vendor users accept, reject and mail; staff look but do not touch."""
    return bool(user and user.is_authenticated and user.is_vendor)
