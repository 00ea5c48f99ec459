from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import CustomerAccount
from apps.core.errors import NotFoundError

from .models import InvoiceTitle


def titles_for_account(*, customer_account: CustomerAccount) -> QuerySet[InvoiceTitle]:
    return InvoiceTitle.objects.filter(customer_account=customer_account).order_by("-is_default", "name", "id")


def title_for_account(*, customer_account: CustomerAccount, title_id) -> InvoiceTitle:
    title = (
        titles_for_account(customer_account=customer_account).filter(pk=title_id).first()
        if str(title_id).isdigit()
        else None
    )
    if title is None:
        raise NotFoundError("not_found", _("No such invoice title."))
    return title
