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

from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from apps.accounts.models import User, Vendor
from apps.core.errors import ApplicationError, ConflictError
from apps.core.money import format_cny
from apps.core.validators import CONTROL_CHARACTERS_RE, check_gbk, check_no_control_characters
from apps.core.workdays import calendar_date
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients_by_account, notify_many

from .models import (
    VENDOR_PAYS_SHIPPING_FROM,
    Courier,
    InvoiceEvent,
    InvoiceRequest,
    IssuedInvoice,
    ShippingPayer,
    vendor_pays_shipping,
)
from .services import notify_status_change, vendor_request_for_update

INVOICE_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{6,32}$")
# What may separate several invoice numbers, the same in the mailing form, the API string and the CSV cell:
# white space (new lines included), commas, semicolons (ASCII or full-width), the Chinese list comma 、 and |.
INVOICE_NUMBER_SEPARATORS_RE = re.compile(r"[\s,;，；、|]+")
INVOICE_NUMBER_SEPARATORS_HELP = gettext_lazy(
    "Separate several invoice numbers with commas, semicolons, spaces or new lines."
)
TRACKING_NUMBER_RE = re.compile(r"^[0-9A-Za-z-]{6,40}$")
COURIER_NAME_MAX_LENGTH = InvoiceRequest._meta.get_field("courier_name").max_length


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
        parts = INVOICE_NUMBER_SEPARATORS_RE.split(str(raw or ""))
    return [part.strip() for part in parts if part and part.strip()]


def shipping_payer_check(*, amount: Decimal, payer: str) -> None:
    """The rule: 50.00 CNY or more ships at the vendor's cost; below that the vendor may choose cash on delivery."""
    if payer not in ShippingPayer.values:
        message = _("Choose who pays shipping: the vendor, or cash on delivery.")
        raise ApplicationError("invalid_shipping_payer", message, {"shipping_payer": [message]})
    if payer == ShippingPayer.RECIPIENT and vendor_pays_shipping(amount):
        message = _(
            "An invoice of %(amount)s must be shipped at the vendor's cost: cash on delivery is only allowed "
            "below %(threshold)s."
        ) % {"amount": format_cny(amount), "threshold": format_cny(VENDOR_PAYS_SHIPPING_FROM)}
        raise ApplicationError("cash_on_delivery_not_allowed", message, {"shipping_payer": [message]})


class _TakenInDatabase:
    """Which invoice numbers and parcels are already used, asked of the database (one request mailed at a time)."""

    def __init__(self, vendor: Vendor) -> None:
        self.vendor = vendor

    def invoice_numbers(self, numbers: list[str]) -> list[str]:
        return list(
            IssuedInvoice.objects.filter(vendor=self.vendor, number__in=numbers).values_list("number", flat=True)
        )

    def parcel_used(self, *, courier: str, tracking_number: str, invoice_request_id: int) -> bool:
        return (
            InvoiceRequest.objects.filter(courier=courier, tracking_number=tracking_number)
            .exclude(pk=invoice_request_id)
            .exists()
        )


class _TakenInBatch:
    """The same answers for a batch of the mailing import, read in two queries before the batch's rows are checked,
    then kept up to date as rows are applied (a later row of the file sees what an earlier one took)."""

    def __init__(self, *, vendor: Vendor, mailings: list[MailingInfo]) -> None:
        numbers = {number for mailing in mailings for number in split_invoice_numbers(mailing.invoice_numbers)}
        trackings = {(mailing.tracking_number or "").strip().upper() for mailing in mailings} - {""}
        # IssuedInvoice is ordered by id: a message naming several taken numbers lists them in that order.
        self._numbers: dict[str, int] = dict(
            IssuedInvoice.objects.filter(vendor=vendor, number__in=numbers).values_list("number", "pk")
        )
        self._next_order = max(self._numbers.values(), default=0) + 1
        self._parcels: dict[tuple[str, str], int] = {
            (courier, tracking): pk
            for courier, tracking, pk in InvoiceRequest.objects.filter(tracking_number__in=trackings).values_list(
                "courier", "tracking_number", "pk"
            )
        }

    def invoice_numbers(self, numbers: list[str]) -> list[str]:
        return sorted((number for number in numbers if number in self._numbers), key=self._numbers.__getitem__)

    def parcel_used(self, *, courier: str, tracking_number: str, invoice_request_id: int) -> bool:
        return self._parcels.get((courier, tracking_number), invoice_request_id) != invoice_request_id

    def take(self, *, invoice_request: InvoiceRequest, mailing: MailingInfo) -> None:
        for number in mailing.invoice_numbers:
            self._numbers[number] = self._next_order
            self._next_order += 1
        self._parcels[(mailing.courier, mailing.tracking_number)] = invoice_request.pk


def parcel_errors(*, courier: str, courier_name: str, tracking_number: str) -> tuple[dict[str, list[str]], str, str]:
    """The courier and tracking-number rules, shared by the vendor's mailing and the customer's return parcel
    (apps.refunds.services.returns): (errors by field, the stripped courier name, the normalised tracking number)."""
    errors: dict[str, list[str]] = {}
    raw_courier_name = courier_name or ""
    courier_name = raw_courier_name.strip()
    if courier not in Courier.values:
        errors["courier"] = [_("Choose a courier.")]
    elif courier == Courier.OTHER and not courier_name:
        errors["courier_name"] = [_("Enter the courier's name.")]
    elif len(courier_name) > COURIER_NAME_MAX_LENGTH:
        errors["courier_name"] = [_("At most %(limit)d characters.") % {"limit": COURIER_NAME_MAX_LENGTH}]
    else:
        # The courier's name is printed on the mailing slip like any other text: GBK, no control characters.
        try:
            check_no_control_characters({"courier_name": raw_courier_name})
            check_gbk({"courier_name": courier_name})
        except ApplicationError as error:
            errors.update(error.fields)
    tracking_number = (tracking_number or "").strip().upper()
    if not tracking_number:
        errors["tracking_number"] = [_("Enter the tracking number.")]
    elif not TRACKING_NUMBER_RE.match(tracking_number):
        errors["tracking_number"] = [_("A tracking number has 6 to 40 letters, digits or dashes.")]
    return errors, courier_name, tracking_number


def _check_mailing(
    *,
    invoice_request: InvoiceRequest,
    vendor: Vendor,
    mailing: MailingInfo,
    taken: _TakenInDatabase | _TakenInBatch | None = None,
) -> MailingInfo:
    taken = taken or _TakenInDatabase(vendor)
    errors: dict[str, list[str]] = {}
    numbers = split_invoice_numbers(mailing.invoice_numbers)
    if not numbers:
        errors["invoice_numbers"] = [_("Enter the number of the invoice you issued.")]
    elif any(not INVOICE_NUMBER_RE.match(number) for number in numbers):
        errors["invoice_numbers"] = [_("An invoice number has 6 to 32 letters, digits or dashes.")]
    elif len(set(numbers)) != len(numbers):
        errors["invoice_numbers"] = [_("The same invoice number is listed twice.")]
    else:
        used = taken.invoice_numbers(numbers)
        if used:
            errors["invoice_numbers"] = [
                _("Invoice number %(numbers)s was already used for another request.") % {"numbers": ", ".join(used)}
            ]
    today = calendar_date(timezone.now())
    if mailing.invoice_date is None:
        errors["invoice_date"] = [_("Enter the invoice date.")]
    elif mailing.invoice_date > today:
        errors["invoice_date"] = [_("The invoice date cannot be in the future.")]
    elif mailing.invoice_date < calendar_date(invoice_request.submitted_at):
        errors["invoice_date"] = [_("The invoice date cannot be before the request was submitted.")]
    parcel, courier_name, tracking_number = parcel_errors(
        courier=mailing.courier, courier_name=mailing.courier_name, tracking_number=mailing.tracking_number
    )
    errors.update(parcel)
    if not parcel.keys() & {"courier", "tracking_number"} and taken.parcel_used(
        courier=mailing.courier, tracking_number=tracking_number, invoice_request_id=invoice_request.pk
    ):
        errors["tracking_number"] = [_("This tracking number was already used for another request with this courier.")]
    payer_code = ""
    try:
        shipping_payer_check(amount=invoice_request.amount, payer=mailing.shipping_payer)
    except ApplicationError as error:
        errors.update(error.fields)
        payer_code = error.code  # invalid_shipping_payer or cash_on_delivery_not_allowed
    if errors:
        first = next(iter(errors.values()))[0]
        code = payer_code if list(errors) == ["shipping_payer"] else "invalid_mailing"
        raise ApplicationError(code, first, errors)
    return MailingInfo(
        invoice_numbers=numbers,
        invoice_date=mailing.invoice_date,
        courier=mailing.courier,
        courier_name=courier_name if mailing.courier == Courier.OTHER else "",
        tracking_number=tracking_number,
        shipping_payer=mailing.shipping_payer,
    )


def _mark_mailed(invoice_request: InvoiceRequest, *, mailing: MailingInfo, now: dt.datetime) -> None:
    """The transition and the mailing fields, in memory: the caller saves (one row, or a batch of the import)."""
    invoice_request.mail()
    invoice_request.invoice_date = mailing.invoice_date
    invoice_request.courier = mailing.courier
    invoice_request.courier_name = mailing.courier_name
    invoice_request.tracking_number = mailing.tracking_number
    invoice_request.shipping_payer = mailing.shipping_payer
    invoice_request.mailed_at = now
    invoice_request.updated_at = now


def cannot_mail_message(invoice_request: InvoiceRequest) -> str:
    """Why a request cannot be marked mailed: the refusal and the back-office pages' explanation."""
    if invoice_request.status == InvoiceRequest.Status.PENDING:
        return _("Accept request %(number)s before marking it mailed.") % {"number": invoice_request.number}
    return _("Request %(number)s is %(status)s; only a processing request can be marked mailed.") % {
        "number": invoice_request.number,
        "status": invoice_request.get_status_display(),
    }


@transaction.atomic
def invoice_request_mail(
    *, actor: User, vendor: Vendor, invoice_request_id: int, mailing: MailingInfo
) -> InvoiceRequest:
    """processing -> mailing with the invoice number(s), invoice date, courier, tracking number and payer."""
    invoice_request = vendor_request_for_update(vendor=vendor, invoice_request_id=invoice_request_id)
    if not can_proceed(invoice_request.mail):
        raise ConflictError("cannot_mail", cannot_mail_message(invoice_request))
    mailing = _check_mailing(invoice_request=invoice_request, vendor=vendor, mailing=mailing)
    from_status = invoice_request.status
    _mark_mailed(invoice_request, mailing=mailing, now=timezone.now())
    try:
        # The unique constraints are the last word when two requests race for the same numbers.
        with transaction.atomic():
            invoice_request.save()
            IssuedInvoice.objects.bulk_create(
                [
                    IssuedInvoice(request=invoice_request, vendor=vendor, number=number)
                    for number in mailing.invoice_numbers
                ]
            )
    except IntegrityError as error:
        # Name the field whose unique constraint lost the race, so the form marks the right input.
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
        field_name = "tracking_number" if "tracking" in constraint else "invoice_numbers"
        message = _("That invoice or tracking number was just used for another request.")
        raise ConflictError("duplicate_number", message, {field_name: [message]}) from error
    InvoiceEvent.record(request=invoice_request, actor=actor, from_status=from_status)
    notify_status_change(invoice_request)
    return invoice_request


# --- Mailing information from a CSV file ---------------------------------------------------------------------
#
# Two passes: the whole file is read and checked into rows first, and only then are the good rows applied, so a
# file that cannot be used at all (unreadable header, missing columns, too many rows) changes nothing, and a bad
# cell (a NUL byte, a cell over the csv module's field limit) is a row error in the report instead of a 500 halfway.

MAILING_CSV_COLUMNS = (
    "request_number",
    "invoice_numbers",
    "invoice_date",
    "courier",
    "tracking_number",
    "shipping_payer",
)
# The column headings people see, defined once: the queue's CSV export and the mailing template use them, and the
# import accepts them in either language besides the column codes, so an exported file can be uploaded as it is.
MAILING_CSV_LABELS = {
    "request_number": gettext_lazy("Request number"),  # zh: 申请编号
    "invoice_numbers": gettext_lazy("Invoice number(s)"),  # zh: 发票号码
    "invoice_date": gettext_lazy("Invoice date"),  # zh: 开票日期
    "courier": gettext_lazy("Courier"),  # zh: 快递公司
    "tracking_number": gettext_lazy("Tracking number"),  # zh: 快递单号
    "shipping_payer": gettext_lazy("Shipping paid by"),  # zh: 实际运费承担
}
# Other headings vendors write for the same columns (compared without spaces, case-insensitively).
MAILING_CSV_HEADER_ALIASES = {
    "request_number": ("申请单号", "开票申请编号", "request no"),
    "invoice_numbers": ("invoice number", "invoice numbers", "发票号"),
    "invoice_date": ("日期",),
    "courier": ("快递", "物流公司", "courier name"),
    "tracking_number": ("运单号", "物流单号", "tracking no"),
    "shipping_payer": ("运费承担", "shipping payer", "payer"),
}
# The page and the API say the same when no file was sent.
MAILING_FILE_REQUIRED_MESSAGE = gettext_lazy("Choose a CSV file to upload.")
SHIPPING_PAYER_WORDS = {
    "vendor": ShippingPayer.VENDOR,
    "寄付": ShippingPayer.VENDOR,
    "服务商": ShippingPayer.VENDOR,
    "recipient": ShippingPayer.RECIPIENT,
    "到付": ShippingPayer.RECIPIENT,
    "cod": ShippingPayer.RECIPIENT,
}

MAILING_IMPORT_MAX_BYTES = 2 * 1024 * 1024
MAILING_IMPORT_MAX_ROWS = 5000
# Rows applied per transaction by the import (a fixed number of queries each).
MAILING_IMPORT_BATCH_SIZE = 500
# Longer than any request number, invoice numbers, date, courier name, tracking number or payer a vendor writes.
MAILING_IMPORT_MAX_CELL = 500
# Tried in this order: UTF-8 (Excel's "CSV UTF-8" adds a BOM), then GB18030, the superset of the GBK that Excel
# saves by default on Chinese Windows.
MAILING_IMPORT_ENCODINGS = ("utf-8-sig", "gb18030")


def _file_error(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, {"file": [message]})


def mailing_csv_text(raw: bytes) -> str:
    """An uploaded mailing file as text, for `mailing_import_csv`; the page and the API both call this."""
    if len(raw) > MAILING_IMPORT_MAX_BYTES:
        message = _("The file is larger than %(limit)d MB; split it into smaller files.") % {
            "limit": MAILING_IMPORT_MAX_BYTES // (1024 * 1024)
        }
        raise _file_error("file_too_large", message)
    for encoding in MAILING_IMPORT_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text.strip():
            return text
        raise _file_error("invalid_file", _("Upload a CSV file in UTF-8 with a header row and one row per request."))
    raise _file_error(
        "invalid_file", _("The file is neither UTF-8 nor GBK text: save it as CSV (UTF-8) and upload again.")
    )


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
LANGUAGES_OF_FILES = ("en", "zh-hans")  # the languages an exported or hand-made file may be written in


def _key(text) -> str:
    """Headings and words compared without spaces or case: "Tracking number" = "trackingnumber"."""
    return "".join(str(text or "").split()).lower()


def _labels_in_every_language(choices) -> dict[str, str]:
    """{label without spaces, lower case: value} for every label of a TextChoices in the files' languages."""
    words = {_key(value): value for value in choices.values}
    for language in LANGUAGES_OF_FILES:
        with translation.override(language):
            words.update({_key(label): value for value, label in choices.choices})
    return words


def _header_columns() -> dict[str, str]:
    """{heading: column} for every heading the import understands."""
    columns = {_key(column): column for column in MAILING_CSV_COLUMNS}
    for column, aliases in MAILING_CSV_HEADER_ALIASES.items():
        columns.update({_key(alias): column for alias in aliases})
    for language in LANGUAGES_OF_FILES:
        with translation.override(language):
            columns.update({_key(label): column for column, label in MAILING_CSV_LABELS.items()})
    return columns


def _courier_words() -> dict[str, str]:
    return {**_labels_in_every_language(Courier), **COURIER_ALIASES}


def _shipping_payer_words() -> dict[str, str]:
    return {**_labels_in_every_language(ShippingPayer), **SHIPPING_PAYER_WORDS}


def _courier_from_text(raw: str, words: dict[str, str]) -> tuple[str, str]:
    """A courier code, English or Chinese name or common short name -> (code, ""); anything else is "other"."""
    text = (raw or "").strip()
    value = words.get(_key(text))
    if value:  # "other" alone, without a name, is then asked for the courier's name
        return value, ""
    return (Courier.OTHER, text) if text else ("", "")


def _shipping_payer_from_text(raw: str, words: dict[str, str]) -> str:
    """`vendor`, 寄付, 到付, or the payer's label as the export writes it (either language) -> the payer's value."""
    text = (raw or "").strip()
    return words.get(_key(text), text)


def _date_from_text(raw: str) -> dt.date:
    """2025-03-06, and 2025/3/6 as Excel shows dates in Chinese; ValueError otherwise."""
    return dt.datetime.strptime(raw.replace("/", "-"), "%Y-%m-%d").date()


@dataclass(frozen=True)
class _MailingRow:
    """One data line of the file, read and checked; `mailing` is None when `error` says why it cannot be used."""

    line: int
    number: str
    mailing: MailingInfo | None = None
    error: str = ""


def _records(text: str):
    """(first line, cells or None, csv error) per record; a record the csv module cannot read is not the end."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, None, error
        else:
            yield line, cells, None


def _unreadable_message(error: csv.Error) -> str:
    if "field limit" in str(error):
        return _("A cell on this line is longer than %(limit)s characters.") % {"limit": f"{csv.field_size_limit():,}"}
    return _("This line cannot be read as CSV (check its quotes).")


def _columns_of(header: list[str]) -> dict[str, int]:
    """{column: index} from the header line; a file that lacks a column or names one twice is refused whole."""
    known = _header_columns()
    positions: dict[str, list[int]] = {}
    for index, heading in enumerate(header):
        column = known.get(_key(heading.lstrip("\ufeff")))
        if column:
            positions.setdefault(column, []).append(index)
    missing = [column for column in MAILING_CSV_COLUMNS if column not in positions]
    if missing:
        names = ", ".join(f"{MAILING_CSV_LABELS[column]} ({column})" for column in missing)
        raise _file_error(
            "missing_columns",
            _("The file has no column for: %(columns)s. Add them to the first line, or start from the template.")
            % {"columns": names},
        )
    twice = [column for column in MAILING_CSV_COLUMNS if len(positions[column]) > 1]
    if twice:
        names = ", ".join(f"{MAILING_CSV_LABELS[column]} ({column})" for column in twice)
        raise _file_error(
            "duplicate_columns",
            _("More than one column holds %(columns)s; keep one of them.") % {"columns": names},
        )
    return {column: indexes[0] for column, indexes in positions.items()}


def _cell_errors(values: dict[str, str]) -> list[str]:
    errors = []
    for column, value in values.items():
        if CONTROL_CHARACTERS_RE.search(value):
            errors.append(
                _("%(column)s holds a control character (such as NUL); type the cell again.")
                % {"column": MAILING_CSV_LABELS[column]}
            )
        elif len(value) > MAILING_IMPORT_MAX_CELL:
            errors.append(
                _("%(column)s is longer than %(limit)d characters.")
                % {"column": MAILING_CSV_LABELS[column], "limit": MAILING_IMPORT_MAX_CELL}
            )
    return errors


def _row_from_cells(line: int, cells: list[str], columns: dict[str, int], words: dict[str, dict]) -> _MailingRow:
    # A leading apostrophe is how the export keeps Excel from reading a cell as a formula: it is not part of it.
    values = {
        column: (cells[index] if index < len(cells) else "").strip().removeprefix("'").strip()
        for column, index in columns.items()
    }
    errors = _cell_errors(values)
    number = "" if errors and CONTROL_CHARACTERS_RE.search(values["request_number"]) else values["request_number"]
    if errors:
        return _MailingRow(line=line, number=number[:32], error="; ".join(errors))
    if not number:
        return _MailingRow(line=line, number="", error=_("Enter the request number, e.g. IR20250926000001."))
    try:
        invoice_date = _date_from_text(values["invoice_date"]) if values["invoice_date"] else None
    except ValueError:
        message = _("Invoice date %(value)s is not a date (YYYY-MM-DD).") % {"value": values["invoice_date"]}
        return _MailingRow(line=line, number=number, error=message)
    courier, courier_name = _courier_from_text(values["courier"], words["courier"])
    mailing = MailingInfo(
        invoice_numbers=split_invoice_numbers(values["invoice_numbers"]),
        invoice_date=invoice_date,
        courier=courier,
        courier_name=courier_name,
        tracking_number=values["tracking_number"].upper(),
        shipping_payer=_shipping_payer_from_text(values["shipping_payer"], words["shipping_payer"]),
    )
    return _MailingRow(line=line, number=number, mailing=mailing)


def mailing_csv_rows(text: str) -> list[_MailingRow]:
    """Pass one: every data line of the file, read and checked, nothing written. Blank lines are skipped.

    Raises ApplicationError (code `invalid_file`, `missing_columns`, `duplicate_columns` or `too_many_rows`) when
    the file as a whole cannot be used."""
    records = _records(text)
    first = next(records, None)
    if first is None or first[1] is None or not any(cell.strip() for cell in first[1]):
        raise _file_error(
            "invalid_file", _("The first line must name the columns; start from the template if in doubt.")
        )
    columns = _columns_of(first[1])
    words = {"courier": _courier_words(), "shipping_payer": _shipping_payer_words()}
    rows: list[_MailingRow] = []
    for line, cells, error in records:
        if cells is not None and not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAILING_IMPORT_MAX_ROWS:
            raise _file_error(
                "too_many_rows",
                _("The file has more than %(limit)s rows; split it into files of at most %(limit)s rows.")
                % {"limit": f"{MAILING_IMPORT_MAX_ROWS:,}"},
            )
        if cells is None:
            rows.append(_MailingRow(line=line, number="", error=_unreadable_message(error)))
        else:
            rows.append(_row_from_cells(line, cells, columns, words))
    return rows


def mailing_import_csv(*, actor: User, vendor: Vendor, text: str) -> MailingImportReport:
    """Apply mailing information row by row: good rows are applied, bad rows are reported and left unchanged,
    and a row already applied (same request, courier and tracking number) is reported as unchanged.

    The whole file is read and checked before any row is applied (`mailing_csv_rows`); a file that cannot be used
    raises ApplicationError and changes nothing. The rows are then applied in batches of MAILING_IMPORT_BATCH_SIZE,
    one transaction each, with a fixed number of queries per batch whatever its size (the requests locked in one
    query, taken invoice and tracking numbers read in two, the writes in bulk): the same rules and messages as
    `invoice_request_mail`, which checks each row through the same `_check_mailing`."""
    rows = mailing_csv_rows(text)
    report = MailingImportReport()
    for start in range(0, len(rows), MAILING_IMPORT_BATCH_SIZE):
        batch = rows[start : start + MAILING_IMPORT_BATCH_SIZE]
        try:
            part = _mailing_import_batch(actor=actor, vendor=vendor, rows=batch)
        except IntegrityError:
            # Another request took one of the numbers between our read and our write (the unique constraints
            # have the last word): this batch rolled back whole; apply it again row by row, each row on its own.
            part = _mailing_import_one_by_one(actor=actor, vendor=vendor, rows=batch)
        report.applied += part.applied
        report.unchanged += part.unchanged
        report.errors += part.errors
    return report


def _row_error_details(error: ApplicationError) -> str:
    details = "; ".join(str(message) for messages in error.fields.values() for message in messages)
    return details or str(error.message)


def _not_found_message(number: str) -> str:
    return _("No request %(number)s for your company.") % {"number": number}


def _is_unchanged(invoice_request: InvoiceRequest, mailing: MailingInfo) -> bool:
    return invoice_request.status == InvoiceRequest.Status.MAILING and (
        invoice_request.courier,
        invoice_request.tracking_number,
    ) == (mailing.courier, mailing.tracking_number)


@transaction.atomic
def _mailing_import_batch(*, actor: User, vendor: Vendor, rows: list[_MailingRow]) -> MailingImportReport:
    report = MailingImportReport()
    usable = [row for row in rows if row.mailing is not None]
    invoice_requests = {
        invoice_request.number: invoice_request
        for invoice_request in InvoiceRequest.objects.select_for_update(of=("self",))
        .filter(vendor=vendor, number__in={row.number for row in usable})
        .order_by("pk")
    }
    taken = _TakenInBatch(vendor=vendor, mailings=[row.mailing for row in usable if row.number in invoice_requests])
    now = timezone.now()
    mailed: list[tuple[InvoiceRequest, MailingInfo, str]] = []
    for row in rows:
        if row.mailing is None:
            report.errors.append((row.line, row.number, row.error))
            continue
        invoice_request = invoice_requests.get(row.number)
        if invoice_request is None:
            report.errors.append((row.line, row.number, _not_found_message(row.number)))
            continue
        if _is_unchanged(invoice_request, row.mailing):
            report.unchanged.append(row.number)
            continue
        try:
            if not can_proceed(invoice_request.mail):
                raise ConflictError("cannot_mail", cannot_mail_message(invoice_request))
            mailing = _check_mailing(invoice_request=invoice_request, vendor=vendor, mailing=row.mailing, taken=taken)
        except ApplicationError as error:
            report.errors.append((row.line, row.number, _row_error_details(error)))
            continue
        from_status = invoice_request.status
        _mark_mailed(invoice_request, mailing=mailing, now=now)
        taken.take(invoice_request=invoice_request, mailing=mailing)
        mailed.append((invoice_request, mailing, from_status))
        report.applied.append(row.number)
    if not mailed:
        return report
    _save_mailed([invoice_request for invoice_request, _mailing, _from in mailed], now=now)
    IssuedInvoice.objects.bulk_create(
        [
            IssuedInvoice(request=invoice_request, vendor=vendor, number=number)
            for invoice_request, mailing, _from in mailed
            for number in mailing.invoice_numbers
        ]
    )
    InvoiceEvent.objects.bulk_create(
        [
            InvoiceEvent(
                request=invoice_request, actor=actor, from_status=from_status, to_status=invoice_request.status
            )
            for invoice_request, _mailing, from_status in mailed
        ]
    )
    # What notify_status_change says of each mailed request: everyone of the customer account hears of it.
    recipients = customer_recipients_by_account({invoice_request.customer_account_id for invoice_request, *_ in mailed})
    notify_many(
        kind=Notification.Kind.MAILED,
        events=[
            (
                f"{Notification.Kind.MAILED}:{invoice_request.pk}",
                recipients[invoice_request.customer_account_id],
                invoice_request,
            )
            for invoice_request, *_ in mailed
        ],
    )
    return report


def _save_mailed(invoice_requests: list[InvoiceRequest], *, now: dt.datetime) -> None:
    """One UPDATE ... FROM (VALUES ...) for a batch of requests just marked mailed in memory (`bulk_update` spent
    seconds building its CASE expressions for 500 rows)."""
    meta = InvoiceRequest._meta
    per_row = ["invoice_date", "courier", "courier_name", "tracking_number", "shipping_payer"]
    columns = {name: connection.ops.quote_name(meta.get_field(name).column) for name in [*per_row, "status"]}
    columns.update(
        {name: connection.ops.quote_name(meta.get_field(name).column) for name in ["mailed_at", "updated_at"]}
    )
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} AS r SET {columns['status']} = %s, "
        + ", ".join(f"{columns[name]} = v.{columns[name]}" for name in per_row)
        + f", {columns['mailed_at']} = %s, {columns['updated_at']} = %s FROM (VALUES "
        + ", ".join(["(%s::bigint, %s::date, %s, %s, %s, %s)"] * len(invoice_requests))
        + f") AS v (id, {', '.join(columns[name] for name in per_row)}) "
        + f"WHERE r.{connection.ops.quote_name(meta.pk.column)} = v.id"
    )
    params: list = [InvoiceRequest.Status.MAILING.value, now, now]
    for invoice_request in invoice_requests:
        params += [invoice_request.pk, *(getattr(invoice_request, name) for name in per_row)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _mailing_import_one_by_one(*, actor: User, vendor: Vendor, rows: list[_MailingRow]) -> MailingImportReport:
    """The rows of one batch through `invoice_request_mail`, one transaction each (after a lost race)."""
    report = MailingImportReport()
    numbers = {row.number for row in rows if row.mailing is not None and row.number}
    invoice_requests = {
        invoice_request.number: invoice_request
        for invoice_request in InvoiceRequest.objects.filter(vendor=vendor, number__in=numbers)
    }
    for row in rows:
        if row.mailing is None:
            report.errors.append((row.line, row.number, row.error))
            continue
        invoice_request = invoice_requests.get(row.number)
        if invoice_request is None:
            report.errors.append((row.line, row.number, _not_found_message(row.number)))
            continue
        if _is_unchanged(invoice_request, row.mailing):
            report.unchanged.append(row.number)
            continue
        try:
            invoice_request = invoice_request_mail(
                actor=actor, vendor=vendor, invoice_request_id=invoice_request.pk, mailing=row.mailing
            )
        except ApplicationError as error:
            report.errors.append((row.line, row.number, _row_error_details(error)))
        else:
            # The same request further down the file is then compared with what was just recorded.
            invoice_requests[row.number] = invoice_request
            report.applied.append(row.number)
    return report
