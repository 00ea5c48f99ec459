from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount
from apps.core.scope import get_in_scope_or_not_found

from .models import InvoiceTitle


def titles_for_account(*, customer_account: CustomerAccount) -> QuerySet[InvoiceTitle]:
    return InvoiceTitle.objects.filter(customer_account=customer_account).order_by("-is_default", "name", "id")


def title_for_account(*, customer_account: CustomerAccount, title_id: int) -> InvoiceTitle:
    """The account's title, or NotFoundError (also for another account's title: no hint that it exists).

    `title_id` is an int from the URL converter or `apps.core.validators.parse_id`.
    """
    return get_in_scope_or_not_found(
        titles_for_account(customer_account=customer_account), title_id, message=_("No such invoice title.")
    )


def titles_with_taxpayer_id(
    *, customer_account: CustomerAccount, taxpayer_id: str, exclude_id: int | None = None
) -> QuerySet[InvoiceTitle]:
    """The account's titles carrying this (normalized) taxpayer ID, except `exclude_id`."""
    return titles_for_account(customer_account=customer_account).filter(taxpayer_id=taxpayer_id).exclude(pk=exclude_id)
