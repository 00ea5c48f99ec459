from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import CustomerAccount, User
from apps.core.defaults import lock_account, make_default, promote_successor
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import audit
from apps.core.validators import POSTAL_CODE_RE, check_gbk, check_no_control_characters, normalize_mobile

from .models import MailingAddress

FIELDS = ("recipient", "phone", "province", "city", "district", "street", "postal_code")
REQUIRED_MESSAGES = {
    "recipient": gettext_lazy("Enter the recipient's name."),
    "phone": gettext_lazy("Enter the recipient's mobile number."),
    "province": gettext_lazy("Enter the province."),
    "city": gettext_lazy("Enter the city."),
    "district": gettext_lazy("Enter the district."),
    "street": gettext_lazy("Enter the street address."),
    "postal_code": gettext_lazy("Enter the postal code."),
}


def _clean(data: dict) -> dict:
    raw = {field: str(data.get(field) or "") for field in FIELDS}
    cleaned = {field: value.strip() for field, value in raw.items()}
    errors: dict[str, list[str]] = {}
    try:
        # Before strip() could quietly drop a trailing one: every control character is refused, not cleaned.
        check_no_control_characters(raw)
    except ApplicationError as error:
        errors.update(error.fields)
    for field in FIELDS:
        if field in errors:
            continue
        if not cleaned[field]:
            errors[field] = [str(REQUIRED_MESSAGES[field])]
            continue
        limit = MailingAddress._meta.get_field(field).max_length
        if field not in ("phone", "postal_code") and len(cleaned[field]) > limit:
            errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    if cleaned["phone"] and "phone" not in errors:
        mobile = normalize_mobile(cleaned["phone"])
        if not mobile:
            errors["phone"] = [_("Enter a mainland mobile number: 11 digits starting with 13–19, +86 optional.")]
        cleaned["phone"] = mobile or cleaned["phone"]
    if cleaned["postal_code"] and "postal_code" not in errors and not POSTAL_CODE_RE.match(cleaned["postal_code"]):
        errors["postal_code"] = [_("A postal code is 6 digits.")]
    try:
        check_gbk({field: cleaned[field] for field in FIELDS if field not in errors})
    except ApplicationError as error:
        errors.update(error.fields)
    if errors:
        raise ApplicationError("invalid_address", next(iter(errors.values()))[0], errors)
    return cleaned


@transaction.atomic
def address_create(*, customer_account: CustomerAccount, actor: User, data: dict) -> MailingAddress:
    cleaned = _clean(data)
    lock_account(customer_account.pk)
    first = not MailingAddress.objects.filter(customer_account=customer_account).exists()
    address = MailingAddress.objects.create(customer_account=customer_account, is_default=False, **cleaned)
    if data.get("is_default") or first:
        make_default(address)
    audit(actor=actor, action="address_created", obj=address, changes=address.snapshot())
    return address


def _relock(address: MailingAddress) -> MailingAddress:
    """Lock the account, then re-read the address: the caller's copy may be stale (another tab changed it)."""
    lock_account(address.customer_account_id)
    fresh = MailingAddress.objects.filter(pk=address.pk, customer_account_id=address.customer_account_id).first()
    if fresh is None:
        raise NotFoundError("not_found", _("No such mailing address."))
    return fresh


@transaction.atomic
def address_update(*, address: MailingAddress, actor: User, data: dict) -> MailingAddress:
    address = _relock(address)
    cleaned = _clean({field: data.get(field, getattr(address, field)) for field in FIELDS})
    before = address.snapshot()
    for field, value in cleaned.items():
        setattr(address, field, value)
    address.save()
    if data.get("is_default") and not address.is_default:
        make_default(address)
    audit(actor=actor, action="address_updated", obj=address, changes={"before": before, "after": address.snapshot()})
    return address


@transaction.atomic
def address_set_default(*, address: MailingAddress, actor: User) -> MailingAddress:
    address = _relock(address)
    make_default(address)
    audit(actor=actor, action="address_set_default", obj=address)
    return address


@transaction.atomic
def address_delete(*, address: MailingAddress, actor: User) -> None:
    """Requests that used the address keep their snapshot; another address becomes the default."""
    address = _relock(address)  # a stale copy could say "not the default" and leave the account with none
    audit(actor=actor, action="address_deleted", obj=address, changes=address.snapshot())
    was_default, account_id = address.is_default, address.customer_account_id
    address.delete()
    if was_default:
        promote_successor(MailingAddress, account_id)
