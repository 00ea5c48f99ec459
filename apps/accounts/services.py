from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.models import audit
from apps.core.validators import check_gbk, check_no_control_characters, normalize_contact_phone

from .models import InvoiceType, User, Vendor

PROFILE_FIELDS = ("contact_phone", "contact_email", "service_hours", "supported_invoice_types")


def vendor_profile_clean(*, data: dict, current: Vendor | None = None) -> dict:
    """Check the profile fields (missing ones keep `current`'s value); every problem at once, by field."""
    errors: dict[str, list[str]] = {}
    raw = {
        name: str(data.get(name, getattr(current, name, "")) or "")
        for name in ("contact_phone", "contact_email", "service_hours")
    }
    try:
        check_no_control_characters(raw)
    except ApplicationError as error:
        errors.update(error.fields)
    phone, email, hours = (raw[name].strip() for name in ("contact_phone", "contact_email", "service_hours"))
    types = data.get("supported_invoice_types", getattr(current, "supported_invoice_types", []))
    types = [types] if isinstance(types, str) else list(types or [])
    if not phone and "contact_phone" not in errors:
        errors["contact_phone"] = [_("Customers need a phone number to reach you.")]
    elif phone and "contact_phone" not in errors:
        phone = normalize_contact_phone(phone) if len(phone) <= 30 else ""
        if not phone:
            errors["contact_phone"] = [
                _(
                    "Enter a phone number customers can call: a mobile (13800138000), a landline with its area "
                    "code (0571-88886666) or a 400/800 number (400-800-8888); an extension may follow (-801)."
                )
            ]
    if email and "contact_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    if len(hours) > 100 and "service_hours" not in errors:
        errors["service_hours"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    if not types or any(value not in InvoiceType.values for value in types):
        errors["supported_invoice_types"] = [_("Choose at least one invoice type you issue.")]
    try:
        check_gbk({"service_hours": hours} if "service_hours" not in errors else {})
    except ApplicationError as error:
        errors.update(error.fields)
    if errors:
        raise ApplicationError("invalid_profile", next(iter(errors.values()))[0], errors)
    return {
        "contact_phone": phone,
        "contact_email": email,
        "service_hours": hours,
        "supported_invoice_types": [value for value in InvoiceType.values if value in types],
    }


def _vendor_name_clean(*, name: str, vendor_id: int | None = None) -> str:
    check_no_control_characters({"name": name or ""})
    name = (name or "").strip()
    message = None
    if not name:
        message = _("Enter the vendor's name.")
    elif len(name) > Vendor._meta.get_field("name").max_length:
        message = _("At most %(limit)d characters.") % {"limit": Vendor._meta.get_field("name").max_length}
    elif Vendor.objects.filter(name=name).exclude(pk=vendor_id).exists():
        message = _("Another vendor already has this name.")
    if message is None:
        check_gbk({"name": name})
        return name
    raise ApplicationError("invalid_vendor_name", message, {"name": [message]})


@transaction.atomic
def vendor_profile_update(*, actor: User, vendor: Vendor, data: dict) -> Vendor:
    """The contact details and invoice types customers see in their records; edited by the vendor's own users."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    cleaned = vendor_profile_clean(data=data, current=vendor)
    before = {name: getattr(vendor, name) for name in PROFILE_FIELDS}
    for name, value in cleaned.items():
        setattr(vendor, name, value)
    vendor.save()
    audit(actor=actor, action="vendor_profile_updated", obj=vendor, changes={"before": before, "after": cleaned})
    return vendor


@transaction.atomic
def vendor_create(*, actor: User, name: str, data: dict) -> Vendor:
    """A new vendor on the marketplace (staff, in the admin), with the profile its customers will see."""
    cleaned = vendor_profile_clean(data=data)
    vendor = Vendor.objects.create(name=_vendor_name_clean(name=name), **cleaned)
    audit(actor=actor, action="vendor_created", obj=vendor, changes={"name": vendor.name, **cleaned})
    return vendor


@transaction.atomic
def vendor_rename(*, actor: User, vendor: Vendor, name: str) -> Vendor:
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    name = _vendor_name_clean(name=name, vendor_id=vendor.pk)
    if name != vendor.name:
        before, vendor.name = vendor.name, name
        vendor.save(update_fields=["name", "updated_at"])
        audit(actor=actor, action="vendor_renamed", obj=vendor, changes={"before": before, "after": name})
    return vendor
