"""Mailing an accepted invoice (processing -> mailing) and the vendors' mailing CSV import.

The lifecycle of a request (check, submit, cancel, accept, reject) is in `services.py`; this module holds what the
vendor records when the paper invoice leaves: invoice numbers, date, courier, tracking number, shipping payer.
"""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from apps.accounts.models import User, Vendor
from apps.core.errors import ApplicationError, ConflictError
from apps.core.money import format_money
from apps.core.workdays import calendar_date

from .models import VENDOR_PAYS_SHIPPING_FROM, Courier, InvoiceEvent, InvoiceRequest, IssuedInvoice, ShippingPayer
from .services import _notify_customer, _vendor_request_for_update

INVOICE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{6,32}$")
TRACKING_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{6,40}$")


@dataclass(frozen=True)
class MailingInfo:
    invoice_numbers: list[str]
    invoice_date: dt.date | None
    courier: str
    tracking_number: str
    shipping_payer: str
    courier_name: str = ""


def split_invoice_numbers(raw) -> list[str]:
    """'12345678, 12345679' or a list -> ['12345678', '12345679'] (commas, semicolons, spaces or new lines)."""
    if isinstance(raw, list | tuple):
        parts = [str(part) for part in raw]
    else:
        parts = re.split(r"[\s,;，；、|]+", str(raw or ""))
    return [part.strip() for part in parts if part and part.strip()]


def shipping_payer_check(*, amount: Decimal, payer: str) -> None:
    """The rule: 50.00 CNY or more ships at the vendor's cost; below that the vendor may choose cash on delivery."""
    if payer not in ShippingPayer.values:
        message = _("Choose who pays shipping: the vendor, or cash on delivery.")
        raise ApplicationError("invalid_shipping_payer", message, {"shipping_payer": [message]})
    if payer == ShippingPayer.RECIPIENT and amount >= VENDOR_PAYS_SHIPPING_FROM:
        message = _(
            "An invoice of ¥%(amount)s must be shipped at the vendor's cost: cash on delivery is only allowed "
            "below ¥50.00."
        ) % {"amount": format_money(amount)}
        raise ApplicationError("cash_on_delivery_not_allowed", message, {"shipping_payer": [message]})


def _check_mailing(*, request: InvoiceRequest, vendor: Vendor, mailing: MailingInfo) -> MailingInfo:
    errors: dict[str, list[str]] = {}
    numbers = split_invoice_numbers(mailing.invoice_numbers)
    if not numbers:
        errors["invoice_numbers"] = [_("Enter the number of the invoice you issued.")]
    elif any(not INVOICE_NUMBER_RE.match(number) for number in numbers):
        errors["invoice_numbers"] = [_("An invoice number has 6 to 32 letters, digits or dashes.")]
    elif len(set(numbers)) != len(numbers):
        errors["invoice_numbers"] = [_("The same invoice number is listed twice.")]
    else:
        taken = list(IssuedInvoice.objects.filter(vendor=vendor, number__in=numbers).values_list("number", flat=True))
        if taken:
            errors["invoice_numbers"] = [
                _("Invoice number %(numbers)s was already used for another request.") % {"numbers": ", ".join(taken)}
            ]
    today = calendar_date(timezone.now())
    if mailing.invoice_date is None:
        errors["invoice_date"] = [_("Enter the invoice date.")]
    elif mailing.invoice_date > today:
        errors["invoice_date"] = [_("The invoice date cannot be in the future.")]
    elif mailing.invoice_date < calendar_date(request.submitted_at):
        errors["invoice_date"] = [_("The invoice date cannot be before the request was submitted.")]
    courier_name = (mailing.courier_name or "").strip()
    if mailing.courier not in Courier.values:
        errors["courier"] = [_("Choose a courier.")]
    elif mailing.courier == Courier.OTHER and not courier_name:
        errors["courier_name"] = [_("Enter the courier's name.")]
    elif len(courier_name) > 50:
        errors["courier_name"] = [_("At most %(limit)d characters.") % {"limit": 50}]
    tracking_number = (mailing.tracking_number or "").strip().upper()
    if not TRACKING_NUMBER_RE.match(tracking_number):
        errors["tracking_number"] = [_("A tracking number has 6 to 40 letters, digits or dashes.")]
    elif (
        "courier" not in errors
        and InvoiceRequest.objects.filter(courier=mailing.courier, tracking_number=tracking_number)
        .exclude(pk=request.pk)
        .exists()
    ):
        errors["tracking_number"] = [_("This tracking number was already used for another request with this courier.")]
    try:
        shipping_payer_check(amount=request.amount, payer=mailing.shipping_payer)
    except ApplicationError as error:
        errors.update(error.fields)
    if errors:
        first = next(iter(errors.values()))[0]
        code = "cash_on_delivery_not_allowed" if list(errors) == ["shipping_payer"] else "invalid_mailing"
        raise ApplicationError(code, first, errors)
    return MailingInfo(
        invoice_numbers=numbers,
        invoice_date=mailing.invoice_date,
        courier=mailing.courier,
        courier_name=courier_name if mailing.courier == Courier.OTHER else "",
        tracking_number=tracking_number,
        shipping_payer=mailing.shipping_payer,
    )


@transaction.atomic
def invoice_request_mail(*, actor: User, vendor: Vendor, request_id, mailing: MailingInfo) -> InvoiceRequest:
    """processing -> mailing with the invoice number(s), invoice date, courier, tracking number and payer."""
    request = _vendor_request_for_update(vendor=vendor, request_id=request_id)
    if not can_proceed(request.mail):
        if request.status == InvoiceRequest.Status.PENDING:
            message = _("Accept request %(number)s before marking it mailed.") % {"number": request.number}
        else:
            message = _("Request %(number)s is %(status)s; only a processing request can be marked mailed.") % {
                "number": request.number,
                "status": request.get_status_display(),
            }
        raise ConflictError("cannot_mail", message)
    mailing = _check_mailing(request=request, vendor=vendor, mailing=mailing)
    from_status = request.status
    request.mail()
    request.invoice_date = mailing.invoice_date
    request.courier = mailing.courier
    request.courier_name = mailing.courier_name
    request.tracking_number = mailing.tracking_number
    request.shipping_payer = mailing.shipping_payer
    request.mailed_at = timezone.now()
    try:
        # The unique constraints are the last word when two requests race for the same numbers.
        with transaction.atomic():
            request.save()
            IssuedInvoice.objects.bulk_create(
                [IssuedInvoice(request=request, vendor=vendor, number=number) for number in mailing.invoice_numbers]
            )
    except IntegrityError as error:
        # Name the field whose unique constraint lost the race, so the form marks the right input.
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
        field_name = "tracking_number" if "tracking" in constraint else "invoice_numbers"
        message = _("That invoice or tracking number was just used for another request.")
        raise ConflictError("duplicate_number", message, {field_name: [message]}) from error
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status)
    _notify_customer(request)
    return request


# --- Mailing information from a CSV file ---------------------------------------------------------------------

MAILING_CSV_COLUMNS = (
    "request_number",
    "invoice_numbers",
    "invoice_date",
    "courier",
    "tracking_number",
    "shipping_payer",
)
SHIPPING_PAYER_WORDS = {
    "vendor": ShippingPayer.VENDOR,
    "寄付": ShippingPayer.VENDOR,
    "服务商": ShippingPayer.VENDOR,
    "recipient": ShippingPayer.RECIPIENT,
    "到付": ShippingPayer.RECIPIENT,
    "cod": ShippingPayer.RECIPIENT,
}


MAILING_IMPORT_MAX_BYTES = 2 * 1024 * 1024
# Tried in this order: UTF-8 (Excel's "CSV UTF-8" adds a BOM), then GB18030, the superset of the GBK that Excel
# saves by default on Chinese Windows.
MAILING_IMPORT_ENCODINGS = ("utf-8-sig", "gb18030")


def mailing_csv_text(raw: bytes) -> str:
    """An uploaded mailing file as text, for `mailing_import_csv`; the page and the API both call this."""
    if len(raw) > MAILING_IMPORT_MAX_BYTES:
        message = _("The file is larger than %(limit)d MB; split it into smaller files.") % {
            "limit": MAILING_IMPORT_MAX_BYTES // (1024 * 1024)
        }
        raise ApplicationError("file_too_large", message, {"file": [message]})
    for encoding in MAILING_IMPORT_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.strip():
            return text
        message = _("Upload a CSV file in UTF-8 with a header row and one row per request.")
        raise ApplicationError("invalid_file", message, {"file": [message]})
    message = _("The file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) and upload again.")
    raise ApplicationError("invalid_file", message, {"file": [message]})


@dataclass
class MailingImportReport:
    applied: list[str] = field(default_factory=list)  # request numbers marked mailed now
    unchanged: list[str] = field(default_factory=list)  # already mailed with the same tracking number
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, request number, message)


# The short names vendors actually type; without them "顺丰" became courier "other", which also let the same
# SF tracking number be used twice (the uniqueness is per courier).
COURIER_ALIASES = {
    "顺丰": Courier.SF,
    "顺丰快递": Courier.SF,
    "邮政": Courier.EMS,
    "中国邮政": Courier.EMS,
    "邮政ems": Courier.EMS,
    "京东": Courier.JD,
    "京东快递": Courier.JD,
    "中通": Courier.ZTO,
    "圆通": Courier.YTO,
    "圆通快递": Courier.YTO,
    "申通": Courier.STO,
    "韵达": Courier.YUNDA,
    "韵达速递": Courier.YUNDA,
    "极兔": Courier.JT,
    "极兔快递": Courier.JT,
    "j&t": Courier.JT,
    "德邦": Courier.DEPPON,
    "德邦物流": Courier.DEPPON,
}


def _courier_key(text: str) -> str:
    return "".join(str(text).split()).lower()


def _courier_from_text(raw: str) -> tuple[str, str]:
    """A courier code, English or Chinese name or common short name -> (code, ""); anything else is "other"."""
    text = (raw or "").strip()
    key = _courier_key(text)
    names = {value: value for value in Courier.values}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.update({_courier_key(label): value for value, label in Courier.choices})
    names.update(COURIER_ALIASES)
    value = names.get(key)
    if value:  # "other" alone, without a name, is then asked for the courier's name
        return value, ""
    return (Courier.OTHER, text) if text else ("", "")


def _date_from_text(raw: str) -> dt.date:
    """2025-03-06, and 2025/3/6 as Excel shows dates in Chinese; ValueError otherwise."""
    return dt.datetime.strptime(raw.replace("/", "-"), "%Y-%m-%d").date()


def mailing_import_csv(*, actor: User, vendor: Vendor, text: str) -> MailingImportReport:
    """Apply mailing information row by row: good rows are applied, bad rows are reported and left unchanged,
    and a row already applied (same request, courier and tracking number) is reported as unchanged."""
    report = MailingImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = headers
    missing = [column for column in MAILING_CSV_COLUMNS if column not in headers]
    if missing:
        report.errors.append((1, "", _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}))
        return report
    for row in reader:
        line = reader.line_num
        number = (row.get("request_number") or "").strip()
        request = InvoiceRequest.objects.filter(vendor=vendor, number=number).first() if number else None
        if request is None:
            report.errors.append((line, number, _("No request %(number)s for your company.") % {"number": number}))
            continue
        courier, courier_name = _courier_from_text(row.get("courier"))
        tracking = (row.get("tracking_number") or "").strip().upper()
        if request.status == InvoiceRequest.Status.MAILING and (request.courier, request.tracking_number) == (
            courier,
            tracking,
        ):
            report.unchanged.append(number)
            continue
        raw_date = (row.get("invoice_date") or "").strip()
        try:
            invoice_date = _date_from_text(raw_date) if raw_date else None
        except ValueError:
            report.errors.append(
                (line, number, _("Invoice date %(value)s is not a date (YYYY-MM-DD).") % {"value": raw_date})
            )
            continue
        payer_text = (row.get("shipping_payer") or "").strip()
        mailing = MailingInfo(
            invoice_numbers=split_invoice_numbers(row.get("invoice_numbers")),
            invoice_date=invoice_date,
            courier=courier,
            courier_name=courier_name,
            tracking_number=tracking,
            shipping_payer=SHIPPING_PAYER_WORDS.get(payer_text.lower(), payer_text),
        )
        try:
            invoice_request_mail(actor=actor, vendor=vendor, request_id=request.pk, mailing=mailing)
        except ApplicationError as error:
            details = "; ".join(str(message) for messages in error.fields.values() for message in messages)
            report.errors.append((line, number, details or str(error.message)))
        else:
            report.applied.append(number)
    return report
