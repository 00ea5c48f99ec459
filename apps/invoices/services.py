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

from apps.accounts.models import CustomerAccount, InvoiceType, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.services import balance_lock
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.money import format_money, parse_amount
from apps.core.queue import enqueue_on_commit
from apps.core.workdays import DISPATCH_WORKING_DAYS, add_working_days, calendar_date
from apps.titles.models import InvoiceTitle

from .models import VENDOR_PAYS_SHIPPING_FROM, Courier, InvoiceEvent, InvoiceRequest, IssuedInvoice, ShippingPayer


def dispatch_due_date_for(submitted_at: dt.datetime) -> dt.date:
    """The date by which the vendor must mail the invoice: 10 working days after the submission date."""
    return add_working_days(calendar_date(submitted_at), DISPATCH_WORKING_DAYS)


def _field_error(code: str, field: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, {field: [message]})


def invoice_request_check(
    *,
    customer_account: CustomerAccount,
    vendor_id,
    amount,
    title_id,
    address_id,
    invoice_type: str | None = None,
) -> dict:
    """Validate an application without writing anything; the confirmation page and submit both use it.

    Returns the resolved vendor, amount, title, address and invoice type. The amount is checked against the
    invoiceable amount here for a friendly early message, and again under the balance lock on submit.
    """
    errors: dict[str, list[str]] = {}
    vendor = Vendor.objects.filter(pk=vendor_id).first() if str(vendor_id or "").isdigit() else None
    if vendor is None:
        errors["vendor"] = [_("Choose a vendor you consumed with.")]
    try:
        amount = parse_amount(amount)
    except ApplicationError as error:
        errors.update(error.fields)
        amount = None
    title = (
        InvoiceTitle.objects.filter(pk=title_id, customer_account=customer_account).first()
        if str(title_id or "").isdigit()
        else None
    )
    if title is None:
        errors["title"] = [_("Choose one of your invoice titles.")]
    address = (
        MailingAddress.objects.filter(pk=address_id, customer_account=customer_account).first()
        if str(address_id or "").isdigit()
        else None
    )
    if address is None:
        errors["address"] = [_("Choose one of your mailing addresses.")]
    if vendor is not None:
        invoice_type = invoice_type or (
            InvoiceType.GENERAL
            if InvoiceType.GENERAL in vendor.supported_invoice_types
            else (vendor.supported_invoice_types or [InvoiceType.GENERAL])[0]
        )
        if invoice_type not in InvoiceType.values or invoice_type not in vendor.supported_invoice_types:
            errors["invoice_type"] = [
                _("%(vendor)s issues only: %(types)s.")
                % {"vendor": vendor.name, "types": "、".join(vendor.supported_invoice_type_labels())}
            ]
        elif title is not None and invoice_type == InvoiceType.SPECIAL:
            if title.kind == InvoiceTitle.Kind.INDIVIDUAL:
                errors["title"] = [_("An individual title can only receive a general invoice.")]
            elif not title.has_special_invoice_details:
                errors["title"] = [
                    _(
                        "A VAT special invoice needs the title's registered address, phone, bank and account: "
                        "complete the title first."
                    )
                ]
    if vendor is not None:
        from apps.billing.selectors import invoiceable_row

        row = invoiceable_row(customer_account=customer_account, vendor_id=vendor.pk)
        if row is None:
            # Nothing was ever consumed with this vendor: the vendor is the mistake, not the amount.
            errors["vendor"] = [_("Choose a vendor you consumed with.")]
        elif amount is not None and "amount" not in errors and amount > row.invoiceable:
            errors["amount"] = [_exceeds_message(row.invoiceable)]
    if errors:
        first = next(iter(errors.values()))[0]
        code = "amount_exceeds_invoiceable" if list(errors) == ["amount"] and amount else "invalid_application"
        raise ApplicationError(code, first, errors)
    return {"vendor": vendor, "amount": amount, "title": title, "address": address, "invoice_type": invoice_type}


def _exceeds_message(available: Decimal) -> str:
    return _("The amount is more than you can invoice with this vendor: at most ¥%(available)s.") % {
        "available": format_money(available)
    }


@transaction.atomic
def invoice_request_submit(
    *,
    actor: User,
    customer_account: CustomerAccount,
    vendor_id,
    amount,
    title_id,
    address_id,
    invoice_type: str | None = None,
    idempotency_key: str = "",
) -> tuple[InvoiceRequest, bool]:
    """Record an application. Returns (request, created); repeating an idempotency key returns the first one.

    The per-account-per-vendor balance row is locked while the amount is checked and recorded, so no number of
    simultaneous submissions can take the requests above consumed - refunded.
    """
    idempotency_key = (idempotency_key or "").strip()[:64]
    existing = _existing(customer_account, idempotency_key)
    if existing is not None:
        return existing, False
    checked = invoice_request_check(
        customer_account=customer_account,
        vendor_id=vendor_id,
        amount=amount,
        title_id=title_id,
        address_id=address_id,
        invoice_type=invoice_type,
    )
    vendor, amount, title, address = checked["vendor"], checked["amount"], checked["title"], checked["address"]

    balance = balance_lock(customer_account_id=customer_account.pk, vendor_id=vendor.pk)
    if idempotency_key:
        existing = _existing(customer_account, idempotency_key)
        if existing is not None:  # the same submission arrived twice; the first one won the lock
            return existing, False
    available = balance.consumed - balance.refunded - balance.invoiced
    if amount > available:
        message = _exceeds_message(max(available, Decimal("0")))
        raise ApplicationError("amount_exceeds_invoiceable", message, {"amount": [message]})

    submitted_at = timezone.now()
    try:
        with transaction.atomic():
            request = InvoiceRequest.objects.create(
                customer_account=customer_account,
                vendor=vendor,
                submitted_by=actor,
                amount=amount,
                invoice_type=checked["invoice_type"],
                title=title,
                address=address,
                title_snapshot=title.snapshot(),
                address_snapshot=address.snapshot(),
                submitted_at=submitted_at,
                dispatch_due_date=dispatch_due_date_for(submitted_at),
                idempotency_key=idempotency_key,
            )
    except IntegrityError:
        # The same idempotency key won a race under another vendor's balance lock: answer with that request.
        existing = _existing(customer_account, idempotency_key)
        if existing is None:
            raise
        return existing, False
    balance.invoiced += amount
    balance.save(update_fields=["invoiced", "updated_at"])
    request.number = f"IR{calendar_date(submitted_at):%Y%m%d}{request.pk:06d}"
    request.save(update_fields=["number"])
    InvoiceEvent.record(request=request, actor=actor, from_status="")
    from .tasks import notify_vendor_request_submitted

    enqueue_on_commit(notify_vendor_request_submitted, request.pk)
    return request, True


def _existing(customer_account: CustomerAccount, idempotency_key: str) -> InvoiceRequest | None:
    if not idempotency_key:
        return None
    return InvoiceRequest.objects.filter(customer_account=customer_account, idempotency_key=idempotency_key).first()


def cannot_cancel_message(request: InvoiceRequest) -> str:
    vendor = request.vendor
    contact = " / ".join(part for part in [vendor.contact_phone, vendor.contact_email] if part)
    if request.status in (InvoiceRequest.Status.PROCESSING, InvoiceRequest.Status.MAILING):
        return _(
            "This request is %(status)s, so it can no longer be cancelled here. To have the invoice reissued or "
            "returned, contact %(vendor)s: %(contact)s."
        ) % {"status": request.get_status_display(), "vendor": vendor.name, "contact": contact or "-"}
    return _("Only a pending request can be cancelled; this one is %(status)s.") % {
        "status": request.get_status_display()
    }


@transaction.atomic
def invoice_request_cancel(
    *, actor: User, customer_account: CustomerAccount, request_id: int, reason: str = ""
) -> InvoiceRequest:
    """Cancel a pending request; its amount becomes invoiceable again.

    Locks in the same order as submit (balance row, then request row) so the two can never deadlock, and
    locks only the request row (`of=("self",)`), not the vendor row joined for the message.
    """
    found = (
        InvoiceRequest.objects.filter(pk=request_id, customer_account=customer_account)
        .values("customer_account_id", "vendor_id")
        .first()
        if str(request_id).isdigit()
        else None
    )
    if found is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .get(pk=request_id, customer_account=customer_account)
    )
    if not can_proceed(request.cancel):
        raise ConflictError("cannot_cancel", cannot_cancel_message(request))
    from_status = request.status
    request.cancel()
    request.status_reason = reason
    request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status, reason=reason)
    return request


# --- Vendor back-office: accept, reject, mail ------------------------------------------------------------------


def _vendor_request_for_update(*, vendor: Vendor, request_id) -> InvoiceRequest:
    request = (
        InvoiceRequest.objects.select_for_update(of=("self",))
        .select_related("vendor")
        .filter(pk=request_id, vendor=vendor)
        .first()
        if str(request_id).isdigit()
        else None
    )
    if request is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    return request


def _not_pending_message(request: InvoiceRequest) -> str:
    if request.status == InvoiceRequest.Status.CANCELLED:
        return _(
            "The customer cancelled request %(number)s a moment ago; it can no longer be accepted or rejected."
        ) % {"number": request.number}
    return _("Request %(number)s is already %(status)s; only a pending request can be accepted or rejected.") % {
        "number": request.number,
        "status": request.get_status_display(),
    }


@transaction.atomic
def invoice_request_accept(*, actor: User, vendor: Vendor, request_id) -> InvoiceRequest:
    """pending -> processing. A request the customer cancelled a moment earlier answers a clear conflict."""
    request = _vendor_request_for_update(vendor=vendor, request_id=request_id)
    if not can_proceed(request.accept):
        raise ConflictError("cannot_accept", _not_pending_message(request))
    from_status = request.status
    request.accept()
    request.save(update_fields=["status", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status)
    _notify_customer(request)
    return request


@dataclass
class BulkResult:
    accepted: list[InvoiceRequest] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (request id or number, message)


def invoice_requests_accept_bulk(*, actor: User, vendor: Vendor, request_ids: list) -> BulkResult:
    """Accept several pending requests; each one on its own, so one that was cancelled meanwhile fails alone."""
    result = BulkResult()
    for request_id in dict.fromkeys(request_ids):
        try:
            result.accepted.append(invoice_request_accept(actor=actor, vendor=vendor, request_id=request_id))
        except ApplicationError as error:
            result.failed.append((str(request_id), str(error.message)))
    return result


REJECT_REASON_MAX_LENGTH = 500


@transaction.atomic
def invoice_request_reject(*, actor: User, vendor: Vendor, request_id, reason: str) -> InvoiceRequest:
    """pending -> rejected with a reason the customer sees; the amount becomes invoiceable again."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Tell the customer why the request is rejected, for example that the title is wrong.")
        raise ApplicationError("reason_required", message, {"reason": [message]})
    if len(reason) > REJECT_REASON_MAX_LENGTH:
        message = _("At most %(limit)d characters.") % {"limit": REJECT_REASON_MAX_LENGTH}
        raise ApplicationError("invalid_reason", message, {"reason": [message]})
    found = (
        InvoiceRequest.objects.filter(pk=request_id, vendor=vendor).values("customer_account_id", "vendor_id").first()
        if str(request_id).isdigit()
        else None
    )
    if found is None:
        raise NotFoundError("not_found", _("No such invoice request."))
    # Same lock order as submit and cancel: balance row, then request row.
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    request = _vendor_request_for_update(vendor=vendor, request_id=request_id)
    if not can_proceed(request.reject):
        raise ConflictError("cannot_reject", _not_pending_message(request))
    from_status = request.status
    request.reject()
    request.status_reason = reason
    request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=request, actor=actor, from_status=from_status, reason=reason)
    _notify_customer(request)
    return request


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


def _notify_customer(request: InvoiceRequest) -> None:
    from .tasks import notify_customer_request_changed

    enqueue_on_commit(notify_customer_request_changed, request.pk)


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
