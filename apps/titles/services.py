import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import CustomerAccount, User
from apps.core.defaults import lock_account, make_default, promote_successor
from apps.core.errors import ApplicationError, NotFoundError
from apps.core.models import audit
from apps.core.validators import check_gbk, check_no_control_characters, check_taxpayer_id

from .models import InvoiceTitle
from .selectors import titles_with_taxpayer_id

COMPANY_ONLY_FIELDS = ("taxpayer_id", "registered_address", "registered_phone", "bank_name", "bank_account")
TEXT_FIELDS = ("name", *COMPANY_ONLY_FIELDS)
EDITABLE_FIELDS = ("kind", *TEXT_FIELDS)


def _clean(data: dict) -> dict:
    """Validate a title's fields; collect every problem so the form can show them all at once."""
    raw = {field: str(data.get(field) or "") for field in TEXT_FIELDS}
    cleaned = {field: value.strip() for field, value in raw.items()}
    cleaned["kind"] = data.get("kind") or InvoiceTitle.Kind.COMPANY
    errors: dict[str, list[str]] = {}
    try:
        # Before anything else reads the text: strip() would quietly drop a trailing one, the ID parser misread it.
        check_no_control_characters(raw)
    except ApplicationError as error:
        errors.update(error.fields)
    if cleaned["kind"] not in InvoiceTitle.Kind.values:
        errors["kind"] = [_("Choose company or individual.")]
    if cleaned["kind"] == InvoiceTitle.Kind.INDIVIDUAL:
        # An individual title is a name only: company fields are dropped before they are checked.
        for field in COMPANY_ONLY_FIELDS:
            cleaned[field] = ""
            errors.pop(field, None)
    if not cleaned["name"]:
        errors["name"] = [_("Enter the title name.")]
    for field in TEXT_FIELDS:
        limit = InvoiceTitle._meta.get_field(field).max_length
        if len(cleaned[field]) > limit and field != "taxpayer_id":
            errors.setdefault(field, []).append(_("At most %(limit)d characters.") % {"limit": limit})
    cleaned["taxpayer_id_verified"] = False
    if cleaned["kind"] == InvoiceTitle.Kind.COMPANY and "taxpayer_id" not in errors:
        if not cleaned["taxpayer_id"]:
            errors["taxpayer_id"] = [_("A company title needs its taxpayer ID.")]
        else:
            try:
                cleaned["taxpayer_id"], cleaned["taxpayer_id_verified"] = check_taxpayer_id(cleaned["taxpayer_id"])
            except ApplicationError as error:
                errors.update(error.fields)
    try:
        check_gbk({field: cleaned[field] for field in TEXT_FIELDS if field not in errors})
    except ApplicationError as error:
        errors.update(error.fields)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError("invalid_title", first, errors)
    return cleaned


def _name_key(name: str) -> str:
    # "示例（北京）有限公司" and "示例(北京)有限公司 " are the same name typed twice, not another company.
    return unicodedata.normalize("NFKC", name).casefold().replace(" ", "")


def title_warnings(*, title: InvoiceTitle) -> list[str]:
    """Non-blocking notes about a saved title, for the page (messages.warning) and the API ("warnings").

    A taxpayer ID belongs to one company: when another title of the account has the same ID under another name,
    one of the two is probably wrong. Saving is still allowed (a company may have been renamed).
    """
    if title.kind != InvoiceTitle.Kind.COMPANY or not title.taxpayer_id:
        return []
    others = titles_with_taxpayer_id(
        customer_account=title.customer_account, taxpayer_id=title.taxpayer_id, exclude_id=title.pk
    )
    names = sorted({other.name for other in others if _name_key(other.name) != _name_key(title.name)})
    if not names:
        return []
    return [
        ngettext(
            "Taxpayer ID %(taxpayer_id)s is also used by your title “%(others)s” under another company name. "
            "A taxpayer ID belongs to one company: check that this name and ID are right.",
            "Taxpayer ID %(taxpayer_id)s is also used by your titles “%(others)s” under other company names. "
            "A taxpayer ID belongs to one company: check that this name and ID are right.",
            len(names),
        )
        % {"taxpayer_id": title.taxpayer_id, "others": "”, “".join(names)}
    ]


@transaction.atomic
def title_create(*, customer_account: CustomerAccount, actor: User, data: dict) -> InvoiceTitle:
    """Add a title (the account's first becomes its default). Show `title_warnings(title=...)` after saving."""
    cleaned = _clean(data)
    lock_account(customer_account.pk)
    first = not InvoiceTitle.objects.filter(customer_account=customer_account).exists()
    title = InvoiceTitle.objects.create(customer_account=customer_account, is_default=False, **cleaned)
    if data.get("is_default") or first:
        make_default(title)
    audit(actor=actor, action="title_created", obj=title, changes=title.snapshot())
    return title


def _relock(title: InvoiceTitle) -> InvoiceTitle:
    """Lock the account, then re-read the title: the caller's copy may be stale (another tab changed it)."""
    lock_account(title.customer_account_id)
    fresh = InvoiceTitle.objects.filter(pk=title.pk, customer_account_id=title.customer_account_id).first()
    if fresh is None:
        raise NotFoundError("not_found", _("No such invoice title."))
    return fresh


@transaction.atomic
def title_update(*, title: InvoiceTitle, actor: User, data: dict) -> InvoiceTitle:
    """Change a title's fields (missing ones keep their value). Show `title_warnings(title=...)` after saving."""
    title = _relock(title)
    merged = {field: data.get(field, getattr(title, field)) for field in EDITABLE_FIELDS}
    cleaned = _clean(merged)
    before = title.snapshot()
    for field, value in cleaned.items():
        setattr(title, field, value)
    title.save()
    if data.get("is_default") and not title.is_default:
        make_default(title)
    audit(actor=actor, action="title_updated", obj=title, changes={"before": before, "after": title.snapshot()})
    return title


@transaction.atomic
def title_set_default(*, title: InvoiceTitle, actor: User) -> InvoiceTitle:
    title = _relock(title)
    make_default(title)
    audit(actor=actor, action="title_set_default", obj=title)
    return title


@transaction.atomic
def title_delete(*, title: InvoiceTitle, actor: User) -> None:
    """Requests that used the title keep their snapshot; the next title becomes the default."""
    title = _relock(title)  # a stale copy could say "not the default" and leave the account with none
    audit(actor=actor, action="title_deleted", obj=title, changes=title.snapshot())
    was_default = title.is_default
    account_id = title.customer_account_id
    title.delete()
    if was_default:
        promote_successor(InvoiceTitle, account_id)
