from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import CustomerAccount
from apps.core.scope import get_in_scope_or_not_found

from .models import MailingAddress


def addresses_for_account(*, customer_account: CustomerAccount) -> QuerySet[MailingAddress]:
    return MailingAddress.objects.filter(customer_account=customer_account).order_by(
        "-is_default", "-created_at", "-id"
    )


def address_for_account(*, customer_account: CustomerAccount, address_id: int) -> MailingAddress:
    """The account's address, or NotFoundError (also for another account's address: no hint that it exists)."""
    return get_in_scope_or_not_found(
        addresses_for_account(customer_account=customer_account), address_id, message=_("No such mailing address.")
    )
