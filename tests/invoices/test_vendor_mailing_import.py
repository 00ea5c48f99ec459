"""Mailing information from a CSV file: good rows applied, bad rows reported with their line and left unchanged,
the same file twice applies nothing twice, and the words vendors really write (顺丰, 到付, 2025/3/6) are understood."""

import csv
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from apps.core.errors import ApplicationError
from apps.core.workdays import calendar_date
from apps.invoices.mailing import MAILING_CSV_COLUMNS, MAILING_CSV_LABELS, mailing_import_csv
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice
from apps.invoices.services import invoice_request_accept
from apps.notifications.models import Notification
from tests.factories import VendorUserFactory, consume
from tests.helpers import api_client, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = "request_number,invoice_numbers,invoice_date,courier,tracking_number,shipping_payer\n"


def _today() -> dt.date:
    return calendar_date(timezone.now())


def _processing(customer, vendor_user, amount: str = "30.00") -> InvoiceRequest:
    request = submit(customer, vendor_user.vendor, amount)
    invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk)
    return InvoiceRequest.objects.get(pk=request.pk)


def _import(vendor_user, text: str):
    return mailing_import_csv(actor=vendor_user, vendor=vendor_user.vendor, text=text)


def _stored(request) -> InvoiceRequest:
    return InvoiceRequest.objects.get(pk=request.pk)


def _row(request, invoice="04512345", courier="sf", tracking="SF1000000001", payer="寄付", date=None) -> str:
    return f"{request.number},{invoice},{date or _today().isoformat()},{courier},{tracking},{payer}\n"


def test_good_rows_are_applied_bad_rows_reported_and_the_same_file_twice_applies_nothing_twice(consumed, vendor_user):
    # given three processing requests (one of ¥80.00) and a pending one
    good, large, other_good = (_processing(consumed, vendor_user, amount) for amount in ("30.00", "80.00", "20.00"))
    pending = submit(consumed, vendor_user.vendor, "10.00")
    text = (
        HEADER
        + _row(good, "04512345", "顺丰速运", "SF1000000001", "到付")
        + _row(large, "04512346", "sf", "SF1000000002", "到付")
        + _row(pending, "04512347", "sf", "SF1000000003", "寄付")
        + _row(other_good, "04512348;04512349", "ems", "EMS0000000004", "vendor")
        + "IR404,04512350,2025-03-06,sf,SF1000000005,寄付\n"
    )
    # when the vendor imports the file
    report = _import(vendor_user, text)
    # then the good rows are applied
    assert report.applied == [good.number, other_good.number]
    assert (_stored(good).status, _stored(good).courier, _stored(good).shipping_payer) == ("mailing", "sf", "recipient")
    assert list(_stored(other_good).issued_invoices.values_list("number", flat=True)) == ["04512348", "04512349"]
    # and the bad rows are reported with their line, and left unchanged
    assert report.errors == [
        (
            3,
            large.number,
            "An invoice of ¥80.00 must be shipped at the vendor's cost: cash on delivery is only allowed below ¥50.00.",
        ),
        (4, pending.number, f"Accept request {pending.number} before marking it mailed."),
        (6, "IR404", "No request IR404 for your company."),
    ]
    assert (_stored(large).status, _stored(pending).status) == ("processing", "pending")
    assert report.unchanged == []
    # when the same file is imported again
    again = _import(vendor_user, text)
    # then nothing is applied twice: the applied rows are unchanged, the bad rows still reported
    assert (again.applied, again.unchanged) == ([], [good.number, other_good.number])
    assert [line for line, _number, _message in again.errors] == [3, 4, 6]
    assert IssuedInvoice.objects.count() == 3
    assert InvoiceEvent.objects.filter(to_status="mailing").count() == 2


@pytest.mark.parametrize(
    ("courier", "expected"),
    [
        ("顺丰速运", "sf"),
        ("顺丰", "sf"),
        ("SF", "sf"),
        ("SF Express", "sf"),
        ("中国邮政 EMS", "ems"),
        ("中国邮政EMS", "ems"),
        ("邮政", "ems"),
        ("EMS", "ems"),
        ("京东物流", "jd"),
        ("京东", "jd"),
        ("中通快递", "zto"),
        ("中通", "zto"),
        ("圆通速递", "yto"),
        ("圆通", "yto"),
        ("申通", "sto"),
        ("韵达快递", "yunda"),
        ("韵达", "yunda"),
        ("极兔速递", "jt"),
        ("极兔", "jt"),
        ("德邦快递", "deppon"),
        ("德邦", "deppon"),
    ],
)
def test_courier_names_as_vendors_write_them(consumed, vendor_user, courier, expected):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, courier=courier))
    assert report.applied == [request.number], report.errors
    assert (_stored(request).courier, _stored(request).courier_name) == (expected, "")


def test_the_same_parcel_under_a_short_name_is_still_refused(consumed, vendor_user):
    # given an SF parcel already mailed as "sf"
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    assert _import(vendor_user, HEADER + _row(first, courier="sf", tracking="SF1000000001")).applied
    # when another row names the courier 顺丰 with the same tracking number
    report = _import(vendor_user, HEADER + _row(second, invoice="04512399", courier="顺丰", tracking="SF1000000001"))
    # then it is the same courier, so the tracking number is refused
    assert report.errors == [
        (2, second.number, "This tracking number was already used for another request with this courier.")
    ]


def test_an_unlisted_courier_is_other_with_its_name(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    assert _import(vendor_user, HEADER + _row(request, courier="安能物流")).applied == [request.number]
    stored = _stored(request)
    assert (stored.courier, stored.courier_name, stored.get_courier_label()) == ("other", "安能物流", "安能物流")


@pytest.mark.parametrize(
    ("payer", "expected"), [("寄付", "vendor"), ("到付", "recipient"), ("vendor", "vendor"), ("Recipient", "recipient")]
)
def test_shipping_payer_words(consumed, vendor_user, payer, expected):
    request = _processing(consumed, vendor_user, "49.99")
    assert _import(vendor_user, HEADER + _row(request, payer=payer)).applied == [request.number]
    assert _stored(request).shipping_payer == expected


def test_an_unknown_payer_is_reported(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, payer="对方付"))
    assert report.errors == [(2, request.number, "Choose who pays shipping: the vendor, or cash on delivery.")]


@pytest.mark.parametrize("written", ["2025/3/6", "2025/03/06", "2025-3-6", "2025-03-06"])
def test_dates_as_excel_writes_them_are_understood(consumed, vendor_user, monkeypatch, written):
    # given a request submitted on 2025-03-06, and the date written as Excel shows it in Chinese (2025/3/6)
    now = dt.datetime(2025, 3, 6, 14, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: now)
    request = _processing(consumed, vendor_user)
    # when it is imported
    report = _import(vendor_user, HEADER + _row(request, date=written))
    # then the date is read
    assert report.applied == [request.number], report.errors
    assert _stored(request).invoice_date == dt.date(2025, 3, 6)


@pytest.mark.parametrize("date", ["06/03/2025", "tomorrow", "2025-13-01"])
def test_a_wrong_date_is_reported(consumed, vendor_user, date):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, date=date))
    assert report.errors == [(2, request.number, f"Invoice date {date} is not a date (YYYY-MM-DD).")]
    assert _stored(request).status == "processing"


def test_every_problem_of_a_row_is_in_its_message(consumed, vendor_user):
    request = _processing(consumed, vendor_user, "80.00")
    report = _import(vendor_user, HEADER + _row(request, invoice="12", tracking="x", payer="到付"))
    (line, number, message) = report.errors[0]
    assert (line, number) == (2, request.number)
    assert message == "; ".join(
        [
            "An invoice number has 6 to 32 letters, digits or dashes.",
            "A tracking number has 6 to 40 letters, digits or dashes.",
            "An invoice of ¥80.00 must be shipped at the vendor's cost: cash on delivery is only allowed below ¥50.00.",
        ]
    )


def test_a_row_repeated_in_one_file_is_applied_once(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request) + _row(request))
    assert (report.applied, report.unchanged, report.errors) == ([request.number], [request.number], [])


def test_a_mailed_request_with_another_tracking_number_is_reported_not_changed(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    _import(vendor_user, HEADER + _row(request, tracking="SF1000000001"))
    report = _import(vendor_user, HEADER + _row(request, invoice="04512399", tracking="SF1000000009"))
    assert report.errors == [
        (2, request.number, f"Request {request.number} is Mailing; only a processing request can be marked mailed.")
    ]
    assert _stored(request).tracking_number == "SF1000000001"


def test_two_rows_with_one_tracking_number_apply_only_the_first(consumed, vendor_user):
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    report = _import(
        vendor_user,
        HEADER + _row(first, tracking="SF1000000001") + _row(second, invoice="04512399", tracking="SF1000000001"),
    )
    assert report.applied == [first.number]
    assert report.errors == [
        (3, second.number, "This tracking number was already used for another request with this courier.")
    ]


def test_another_vendors_request_is_not_touched(consumed, vendor_user, other_vendor):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    theirs = _processing(consumed, VendorUserFactory(vendor=other_vendor))
    report = _import(vendor_user, HEADER + _row(theirs))
    assert report.errors == [(2, theirs.number, f"No request {theirs.number} for your company.")]
    assert _stored(theirs).status == "processing"


def test_a_byte_order_mark_and_header_spacing_or_case_are_fine(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    header = "\ufeffRequest_Number, Invoice_Numbers ,invoice_date,COURIER,tracking_number,shipping_payer\n"
    assert _import(vendor_user, header + _row(request)).applied == [request.number]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        (
            "request_number,tracking_number\nIR1,SF1\n",
            "Invoice number(s) (invoice_numbers), Invoice date (invoice_date), Courier (courier), "
            "Shipping paid by (shipping_payer)",
        ),
        (
            "number,tracking\n",
            "Request number (request_number), Invoice number(s) (invoice_numbers), Invoice date (invoice_date), "
            "Courier (courier), Tracking number (tracking_number), Shipping paid by (shipping_payer)",
        ),
    ],
)
def test_missing_columns_are_one_file_error_naming_them_and_nothing_is_applied(consumed, vendor_user, text, missing):
    request = _processing(consumed, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _import(vendor_user, text + _row(request))
    message = f"The file has no column for: {missing}. Add them to the first line, or start from the template."
    assert (raised.value.code, raised.value.message, raised.value.fields) == (
        "missing_columns",
        message,
        {"file": [message]},
    )
    assert _stored(request).status == "processing"


def test_other_courier_without_a_name_asks_for_the_name(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, courier="其他快递"))
    assert report.errors == [(2, request.number, "Enter the courier's name.")]


# --- headings: the export's, in either language ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_headings_of_the_export_in_either_language_are_read_and_other_columns_ignored(
    consumed, vendor_user, language
):
    request = _processing(consumed, vendor_user)
    with translation.override(language):
        headings = [str(MAILING_CSV_LABELS[column]) for column in MAILING_CSV_COLUMNS]
        status = str(InvoiceRequest.Status.PROCESSING.label)
    # the export's order has other columns in between (status, amount, ...): they are ignored
    header = ",".join(["Status", headings[0], "Amount", *headings[1:], "Reason"]) + "\n"
    row = f"{status},{request.number},30.00,04512345,{_today().isoformat()},sf,SF1000000001,寄付,\n"
    assert _import(vendor_user, header + row).applied == [request.number]


def test_two_columns_for_one_field_are_refused(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    header = HEADER.rstrip("\n") + ",Tracking number\n"
    with pytest.raises(ApplicationError) as raised:
        _import(vendor_user, header + _row(request).rstrip("\n") + ",SF1000000002\n")
    assert raised.value.code == "duplicate_columns"
    assert "Tracking number (tracking_number)" in raised.value.message
    assert _stored(request).status == "processing"


@pytest.mark.parametrize(("payer", "expected"), [("Paid by the vendor", "vendor"), ("Cash on delivery", "recipient")])
def test_the_payer_as_the_export_writes_it_is_read(consumed, vendor_user, payer, expected):
    request = _processing(consumed, vendor_user, "49.99")
    assert _import(vendor_user, HEADER + _row(request, payer=payer)).applied == [request.number]
    assert _stored(request).shipping_payer == expected


def test_the_apostrophe_the_export_puts_before_a_cell_is_not_part_of_it(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, invoice="'04512345", tracking="'SF1000000001"))
    assert report.applied == [request.number]
    assert _stored(request).tracking_number == "SF1000000001"


# --- bad cells are row errors; a file that cannot be used changes nothing -------------------------------------


def test_blank_lines_and_a_row_without_a_request_number(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    text = HEADER + "\n" + ",,,,,\n" + _row(request) + ",04512399,2025-01-01,sf,SF1000000009,寄付\n\n"
    report = _import(vendor_user, text)
    assert report.applied == [request.number]
    assert report.errors == [(5, "", "Enter the request number, e.g. IR20250926000001.")]


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b"])
def test_a_control_character_in_a_cell_is_a_row_error(consumed, vendor_user, bad):
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    text = (
        HEADER + _row(first, tracking=f"SF10{bad}00000001") + _row(second, invoice="04512399", tracking="SF1000000002")
    )
    report = _import(vendor_user, text)
    assert report.applied == [second.number]
    assert report.errors == [
        (2, first.number, "Tracking number holds a control character (such as NUL); type the cell again.")
    ]
    assert _stored(first).status == "processing"


def test_a_nul_in_the_request_number_is_reported_without_looking_it_up(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request).replace(request.number, request.number + "\x00", 1))
    assert report.errors == [(2, "", "Request number holds a control character (such as NUL); type the cell again.")]


def test_a_cell_over_the_csv_field_limit_is_a_row_error_and_the_next_rows_are_read(consumed, vendor_user):
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    huge = "x" * (csv.field_size_limit() + 1)
    text = HEADER + _row(first, courier=huge) + _row(second, invoice="04512399", tracking="SF1000000002")
    report = _import(vendor_user, text)
    assert report.applied == [second.number]
    assert report.errors == [(2, "", "A cell on this line is longer than 131,072 characters.")]


def test_a_long_cell_within_the_csv_limit_is_a_row_error(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    report = _import(vendor_user, HEADER + _row(request, invoice="1" * 600))
    assert report.errors == [(2, request.number, "Invoice number(s) is longer than 500 characters.")]


def test_a_file_over_5000_rows_is_refused_before_any_row_is_applied(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    filler = "".join(f"IR{n:014d},0445{n:06d},2025-01-01,sf,SF{n:010d},寄付\n" for n in range(5000))
    with pytest.raises(ApplicationError) as raised:
        _import(vendor_user, HEADER + _row(request) + filler)
    assert raised.value.code == "too_many_rows"
    assert raised.value.message == "The file has more than 5,000 rows; split it into files of at most 5,000 rows."
    assert _stored(request).status == "processing" and not IssuedInvoice.objects.exists()
    # and 5,000 rows exactly are read (the others are not found, the first is applied)
    report = _import(vendor_user, HEADER + _row(request) + filler[: filler.index("IR00000000004999")])
    assert report.applied == [request.number] and len(report.errors) == 4999


def test_a_header_the_csv_module_cannot_read_is_refused(consumed, vendor_user):
    request = _processing(consumed, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _import(vendor_user, "x" * (csv.field_size_limit() + 1) + "\n" + _row(request))
    assert raised.value.code == "invalid_file"
    assert _stored(request).status == "processing"


def test_the_file_is_read_whole_before_the_first_row_is_applied(consumed, vendor_user, monkeypatch):
    # given a file whose last row makes it unusable (one row over the cap), and a good first row
    request = _processing(consumed, vendor_user)
    monkeypatch.setattr("apps.invoices.mailing.MAILING_IMPORT_MAX_ROWS", 2)
    text = (
        HEADER
        + _row(request)
        + "IR1,04512399,2025-01-01,sf,SF1000000002,寄付\nIR2,04512398,2025-01-01,sf,SF1000000003,寄付\n"
    )
    # when it is imported, then nothing was applied, not even the first row
    with pytest.raises(ApplicationError):
        _import(vendor_user, text)
    assert _stored(request).status == "processing"
    assert not InvoiceEvent.objects.filter(to_status="mailing").exists()


# --- a fixed number of queries per batch, whatever the number of rows -------------------------------------------


def _queries_to_import(consumed, vendor_user, size: int, first: int) -> int:
    requests = [_processing(consumed, vendor_user, "10.00") for _ in range(size)]
    text = HEADER + "".join(
        _row(request, invoice=f"0460{first + n:04d}", tracking=f"SF20{first + n:08d}")
        for n, request in enumerate(requests)
    )
    text += "IR404,04519999,2025-03-06,sf,SF3000000001,寄付\n"  # not found: a row error
    text += _row(requests[0], invoice=f"0460{first:04d}", tracking=f"SF20{first:08d}")  # repeated: unchanged
    with CaptureQueriesContext(connection) as queries:
        report = _import(vendor_user, text)
    assert report.applied == [request.number for request in requests]
    assert (report.unchanged, [line for line, *_ in report.errors]) == ([requests[0].number], [size + 2])
    assert Notification.objects.filter(event_key__in=[f"mailed:{request.pk}" for request in requests]).count() == size
    assert InvoiceEvent.objects.filter(request__in=requests, to_status="mailing").count() == size
    return len(queries)


def test_the_import_takes_the_same_number_of_queries_for_3_rows_as_for_40(consumed, vendor_user):
    small = _queries_to_import(consumed, vendor_user, 3, first=0)
    large = _queries_to_import(consumed, vendor_user, 40, first=100)
    assert small == large <= 12, (small, large)


def test_a_number_taken_after_the_batch_read_it_falls_back_to_one_row_at_a_time(consumed, vendor_user, monkeypatch):
    # given an invoice number already used, which the batch's read misses (taken by a race after that read)
    used, good, late = (_processing(consumed, vendor_user) for _ in range(3))
    assert _import(vendor_user, HEADER + _row(used, invoice="04512345", tracking="SF1000000001")).applied
    monkeypatch.setattr("apps.invoices.mailing._TakenInBatch.invoice_numbers", lambda self, numbers: [])
    # when a file with a good row and a row reusing the number is imported
    text = HEADER + _row(good, invoice="04512346", tracking="SF1000000002") + _row(late, tracking="SF1000000003")
    report = _import(vendor_user, text)
    # then the unique constraint refuses the batch, and row by row the good row is applied and the other reported
    assert report.applied == [good.number]
    assert report.errors == [(3, late.number, "Invoice number 04512345 was already used for another request.")]
    assert (_stored(good).status, _stored(late).status) == ("mailing", "processing")


# --- the API answers the same ----------------------------------------------------------------------------------

API_URL = "/api/v1/vendor/invoice-requests/mailing-import/"


def _api_upload(vendor_user, data: bytes):
    client = api_client(vendor_user)
    return client.post(
        API_URL, {"file": SimpleUploadedFile("mailing.csv", data, content_type="text/csv")}, format="multipart"
    )


def test_the_api_reports_bad_cells_as_row_errors(consumed, vendor_user):
    first, second = _processing(consumed, vendor_user), _processing(consumed, vendor_user)
    huge = "x" * (csv.field_size_limit() + 1)
    text = (
        HEADER
        + _row(first, tracking="SF10\x0000000001")
        + _row(second, courier=huge)
        + _row(second, invoice="04512399", tracking="SF1000000002")
    )
    response = _api_upload(vendor_user, text.encode())
    assert response.status_code == 200
    body = response.json()
    assert body["applied"] == [second.number]
    assert [(error["line"], error["request_number"]) for error in body["errors"]] == [(2, first.number), (3, "")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("request_number,tracking_number\nIR1,SF1\n", "missing_columns"),
        (
            HEADER + "".join(f"IR{n:014d},0445{n:06d},2025-01-01,sf,SF{n:010d},寄付\n" for n in range(5001)),
            "too_many_rows",
        ),
    ],
)
def test_the_api_refuses_an_unusable_file_whole(consumed, vendor_user, text, code):
    request = _processing(consumed, vendor_user)
    response = _api_upload(vendor_user, (text + _row(request)).encode())
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and body["fields"] == {"file": [body["message"]]}
    assert _stored(request).status == "processing"


def test_the_api_and_the_page_say_the_same_without_a_file(vendor_user):
    response = api_client(vendor_user).post(API_URL, {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["Choose a CSV file to upload."]}
