from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.errors import ApplicationError
from apps.core.models import audit
from apps.core.validators import check_gbk

from .models import InvoiceType, User, Vendor

PROFILE_FIELDS = ("contact_phone", "contact_email", "service_hours", "supported_invoice_types")


@transaction.atomic
def vendor_profile_update(*, actor: User, vendor: Vendor, data: dict) -> Vendor:
    """The contact details and invoice types customers see in their records; edited by the vendor's own users."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    errors: dict[str, list[str]] = {}
    phone = str(data.get("contact_phone", vendor.contact_phone) or "").strip()
    email = str(data.get("contact_email", vendor.contact_email) or "").strip()
    hours = str(data.get("service_hours", vendor.service_hours) or "").strip()
    types = data.get("supported_invoice_types", vendor.supported_invoice_types)
    types = [types] if isinstance(types, str) else list(types or [])
    if not phone:
        errors["contact_phone"] = [_("Customers need a phone number to reach you.")]
    elif len(phone) > 30 or not all(char.isdigit() or char in "+-() " for char in phone):
        errors["contact_phone"] = [_("Enter a phone number such as 400-820-1234 or 010-62668899.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    if len(hours) > 100:
        errors["service_hours"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    if not types or any(value not in InvoiceType.values for value in types):
        errors["supported_invoice_types"] = [_("Choose at least one invoice type you issue.")]
    try:
        check_gbk({"service_hours": hours})
    except ApplicationError as error:
        errors.update(error.fields)
    if errors:
        raise ApplicationError("invalid_profile", next(iter(errors.values()))[0], errors)
    before = {name: getattr(vendor, name) for name in PROFILE_FIELDS}
    vendor.contact_phone, vendor.contact_email, vendor.service_hours = phone, email, hours
    vendor.supported_invoice_types = [value for value in InvoiceType.values if value in types]
    vendor.save()
    after = {name: getattr(vendor, name) for name in PROFILE_FIELDS}
    audit(actor=actor, action="vendor_profile_updated", obj=vendor, changes={"before": before, "after": after})
    return vendor
