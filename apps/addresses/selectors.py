from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount
from apps.core.errors import NotFoundError

from .models import MailingAddress


def addresses_for_account(*, customer_account: CustomerAccount) -> QuerySet[MailingAddress]:
    return MailingAddress.objects.filter(customer_account=customer_account).order_by(
        "-is_default", "-created_at", "-id"
    )


def address_for_account(*, customer_account: CustomerAccount, address_id) -> MailingAddress:
    address = (
        addresses_for_account(customer_account=customer_account).filter(pk=address_id).first()
        if str(address_id).isdigit()
        else None
    )
    if address is None:
        raise NotFoundError("not_found", _("No such mailing address."))
    return address
