"""Mailing information from a CSV file: per-row report, bad rows unchanged, repeats applied once, Excel encodings."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.workdays import calendar_date
from apps.invoices.mailing import MAILING_CSV_LABELS
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice

from .helpers import accept, fresh, messages_of, submit

pytestmark = pytest.mark.django_db

HEADER = "request_number,invoice_numbers,invoice_date,courier,tracking_number,shipping_payer"


def upload(browser, text: str, *, encoding: str = "utf-8", name: str = "mailing.csv"):
    file = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return browser.post(reverse("backoffice:mailing_import"), {"file": file})


def report_of(response):
    assert response.status_code == 200
    return response.context["report"]


@pytest.fixture
def processing(shopper, vendor, vendor_user):
    """Three processing requests: ¥100.00, ¥30.00 and ¥80.00."""
    return [accept(submit(shopper, vendor, amount), vendor_user) for amount in ("100.00", "30.00", "80.00")]


def test_the_page_lists_the_columns_and_offers_a_template(browser_for, vendor_user, processing):
    browser = browser_for(vendor_user)

    html = browser.get(reverse("backoffice:mailing_import")).content.decode()
    for column in HEADER.split(","):
        assert column in html
    assert reverse("backoffice:mailing_template") in html and 'type="file"' in html

    template = browser.get(reverse("backoffice:mailing_template"))
    assert template.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    # the headings in the page's language, which the import reads as well as the column codes
    assert rows[0] == [
        "Request number",
        "Invoice number(s)",
        "Invoice date",
        "Courier",
        "Tracking number",
        "Shipping paid by",
    ]
    assert sorted(row[0] for row in rows[1:]) == sorted(request.number for request in processing)


def test_good_rows_are_applied_and_bad_rows_reported_and_left_unchanged(browser_for, vendor_user, processing):
    big, small, other = processing
    today = calendar_date(timezone.now()).isoformat()
    text = "\n".join(
        [
            HEADER,
            f"{big.number},04450001,{today},sf,SF5000000001,vendor",
            f"{small.number},04450002,{today},顺丰速运,SF5000000002,到付",
            f"{other.number},04450003,{today},sf,SF5000000003,recipient",  # ¥80.00 cannot go cash on delivery
            f"IR00000000999999,04450004,{today},sf,SF5000000004,vendor",
            f"{other.number},04450005,not-a-date,sf,SF5000000005,vendor",
        ]
    )

    response = upload(browser_for(vendor_user), text)

    report = report_of(response)
    assert report.applied == [big.number, small.number]
    assert [(line, number) for line, number, _reason in report.errors] == [
        (4, other.number),
        (5, "IR00000000999999"),
        (6, other.number),
    ]
    html = response.content.decode()
    assert "must be shipped at the vendor&#x27;s cost" in html
    assert "No request IR00000000999999 for your company." in html
    assert "is not a date" in html
    assert "2 requests marked mailed from mailing.csv." in messages_of(response)
    assert fresh(big).status == fresh(small).status == InvoiceRequest.Status.MAILING
    assert (fresh(small).courier, fresh(small).shipping_payer) == ("sf", "recipient")
    assert fresh(other).status == InvoiceRequest.Status.PROCESSING
    assert not IssuedInvoice.objects.filter(request=other).exists()


def test_uploading_the_same_file_twice_applies_nothing_twice(browser_for, vendor_user, processing):
    big = processing[0]
    text = f"{HEADER}\n{big.number},04450001,{calendar_date(timezone.now()).isoformat()},sf,SF5000000001,vendor\n"
    browser = browser_for(vendor_user)

    first = report_of(upload(browser, text))
    second_response = upload(browser, text)
    second = report_of(second_response)

    assert first.applied == [big.number]
    assert second.applied == [] and second.unchanged == [big.number] and second.errors == []
    assert "Nothing new in mailing.csv: every row was already applied." in messages_of(second_response)
    assert IssuedInvoice.objects.filter(request=big).count() == 1
    assert InvoiceEvent.objects.filter(request=big, to_status="mailing").count() == 1


def test_an_excel_file_saved_as_gbk_or_utf8_with_bom_is_read(browser_for, vendor_user, processing):
    big, small, _other = processing
    today = calendar_date(timezone.now()).isoformat()
    browser = browser_for(vendor_user)

    gbk = f"{HEADER}\r\n{small.number},04450002,{today},中通快递,ZT5000000002,到付\r\n"
    assert report_of(upload(browser, gbk, encoding="gbk")).applied == [small.number]
    assert (fresh(small).courier, fresh(small).shipping_payer) == ("zto", "recipient")

    with_bom = f"\ufeff{HEADER}\r\n{big.number},04450001,{today},sf,SF5000000001,寄付\r\n"
    assert report_of(upload(browser, with_bom, encoding="utf-8")).applied == [big.number]


def test_a_file_without_the_columns_is_one_error_naming_them(browser_for, vendor_user, processing):
    response = upload(browser_for(vendor_user), "request_number,tracking\nIR1,SF1\n")
    assert response.status_code == 200 and "report" not in response.context
    errors = response.context["form"].errors["file"]
    assert errors == [
        "The file has no column for: Invoice number(s) (invoice_numbers), Invoice date (invoice_date), "
        "Courier (courier), Tracking number (tracking_number), Shipping paid by (shipping_payer). "
        "Add them to the first line, or start from the template."
    ]
    field = response.content.decode().split('id="field-file"')[1].split("</div>")[0]
    assert "The file has no column for" in field  # next to the file field, not as a row of a report
    assert all(fresh(request).status == InvoiceRequest.Status.PROCESSING for request in processing)


def test_a_binary_file_is_refused_next_to_the_field(browser_for, vendor_user):
    file = SimpleUploadedFile("photo.csv", bytes(range(128, 256)) * 4, content_type="text/csv")
    response = browser_for(vendor_user).post(reverse("backoffice:mailing_import"), {"file": file})
    assert response.status_code == 200
    assert "neither UTF-8 nor GBK" in response.content.decode()


def test_no_file_is_refused(browser_for, vendor_user):
    response = browser_for(vendor_user).post(reverse("backoffice:mailing_import"), {})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Choose a CSV file to upload."]


def test_another_vendors_request_numbers_are_not_found(browser_for, shopper, other_vendor, vendor_user, vendor2_user):
    theirs = accept(submit(shopper, other_vendor, "100.00"), vendor2_user)
    text = f"{HEADER}\n{theirs.number},04450001,{calendar_date(timezone.now()).isoformat()},sf,SF5000000001,vendor\n"

    report = report_of(upload(browser_for(vendor_user), text))

    assert report.applied == [] and report.errors[0][1] == theirs.number
    assert fresh(theirs).status == InvoiceRequest.Status.PROCESSING


# ---------- the export, filled in, uploaded as it is ----------


def _fill_export(rows: list[list[str]], values_by_number: dict[str, dict[str, str]], headings: dict[str, str]) -> str:
    """What a vendor does in Excel: fill the mailing columns of the exported processing requests."""
    header, body = rows[0], rows[1:]
    index = {column: header.index(heading) for column, heading in headings.items()}
    for row in body:
        for column, value in values_by_number.get(row[index["request_number"]], {}).items():
            row[index[column]] = value
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *body])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("language", "headings"),
    [
        (
            "en",
            {
                "request_number": "Request number",
                "invoice_numbers": "Invoice number(s)",
                "invoice_date": "Invoice date",
                "courier": "Courier",
                "tracking_number": "Tracking number",
                "shipping_payer": "Shipping paid by",
            },
        ),
        ("zh-hans", None),
    ],
)
def test_the_processing_tab_exported_filled_in_and_uploaded_is_applied(
    browser_for, vendor_user, processing, language, headings
):
    # given the processing tab exported in the page's language
    browser = browser_for(vendor_user, language=language)
    export = browser.get(reverse("backoffice:export"), {"status": "processing"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(request.number for request in processing)
    if headings is None:  # Chinese: whatever the catalog calls the columns, the import reads the same words
        with translation.override("zh-hans"):
            headings = {column: str(label) for column, label in MAILING_CSV_LABELS.items()}
        assert set(headings.values()) <= set(rows[0])
    big, small, _other = processing
    today = calendar_date(timezone.now()).isoformat()
    # when the vendor fills two of them (the payer as the export itself writes it) and uploads the file
    payer_words = {"en": ("Paid by the vendor", "Cash on delivery"), "zh-hans": ("寄付", "到付")}[language]
    text = _fill_export(
        rows,
        {
            big.number: {
                "invoice_numbers": "04450001",
                "invoice_date": today,
                "courier": "SF Express",
                "tracking_number": "SF5000000001",
                "shipping_payer": payer_words[0],
            },
            small.number: {
                "invoice_numbers": "04450002 04450003",
                "invoice_date": today,
                "courier": "sf",
                "tracking_number": "SF5000000002",
                "shipping_payer": payer_words[1],
            },
        },
        headings,
    )
    report = report_of(upload(browser, text, encoding="utf-8-sig"))
    # then both are mailed; the row left empty is reported, not applied
    assert sorted(report.applied) == sorted([big.number, small.number])
    assert (fresh(big).shipping_payer, fresh(small).shipping_payer) == ("vendor", "recipient")
    assert list(fresh(small).issued_invoices.values_list("number", flat=True)) == ["04450002", "04450003"]
    assert [number for _line, number, _reason in report.errors] == [_other.number]


# ---------- the report ----------


def test_blank_lines_are_skipped(browser_for, vendor_user, processing):
    big = processing[0]
    today = calendar_date(timezone.now()).isoformat()
    text = f"{HEADER}\n\n{big.number},04450001,{today},sf,SF5000000001,vendor\n,,,,,\n   \n\n"
    report = report_of(upload(browser_for(vendor_user), text))
    assert (report.applied, report.errors) == ([big.number], [])


def test_nothing_applied_is_not_shown_as_a_success(browser_for, vendor_user, processing):
    text = f"{HEADER}\nIR00000000999999,04450004,2025-01-01,sf,SF5000000004,vendor\n"
    response = upload(browser_for(vendor_user), text)
    html = response.content.decode()
    applied = html.split('data-testid="applied-count"')[0].rsplit("<span", 1)[1]
    assert "badge-success" not in applied and "badge-warning" in applied
    assert 'data-testid="nothing-applied"' in html
    levels = {message.level_tag for message in response.context["messages"]}
    assert "success" not in levels and "error" in levels


def test_some_applied_and_some_not_is_a_warning_not_a_failure(browser_for, vendor_user, processing):
    big = processing[0]
    today = calendar_date(timezone.now()).isoformat()
    text = (
        f"{HEADER}\n{big.number},04450001,{today},sf,SF5000000001,vendor\n"
        f"IR404,04450004,{today},sf,SF5000000004,vendor\n"
    )
    response = upload(browser_for(vendor_user), text)
    levels = [message.level_tag for message in response.context["messages"]]
    assert levels == ["success", "warning"]
    assert "badge-success" in response.content.decode().split('data-testid="applied-count"')[0].rsplit("<span", 1)[1]


# ---------- bad cells and bad files ----------


def test_a_nul_byte_or_a_huge_cell_is_a_row_error_and_the_other_rows_are_applied(browser_for, vendor_user, processing):
    # given a file whose second row has a NUL byte and whose third has a cell over the csv module's limit
    big, small, other = processing
    today = calendar_date(timezone.now()).isoformat()
    text = "\n".join(
        [
            HEADER,
            f"{big.number},04450001,{today},sf,SF5000000001,vendor",
            f"{small.number},0445\x000002,{today},sf,SF5000000002,vendor",
            f"{other.number},04450003,{today},sf,SF{'9' * (csv.field_size_limit() + 1)},vendor",
            f"IR00000000999999,04450004,{today},sf,SF5000000004,vendor",
        ]
    )
    # when it is uploaded
    response = upload(browser_for(vendor_user), text)
    # then no 500: the good row is applied and every bad one is in the report with its line
    report = report_of(response)
    assert report.applied == [big.number]
    assert [(line, number) for line, number, _reason in report.errors] == [
        (3, small.number),
        (4, ""),
        (5, "IR00000000999999"),
    ]
    assert "control character" in report.errors[0][2] and "Invoice number(s)" in report.errors[0][2]
    assert "longer than 131,072 characters" in report.errors[1][2]
    assert fresh(small).status == fresh(other).status == InvoiceRequest.Status.PROCESSING


def test_a_file_over_the_row_cap_changes_nothing(browser_for, vendor_user, processing):
    big = processing[0]
    today = calendar_date(timezone.now()).isoformat()
    good = f"{big.number},04450001,{today},sf,SF5000000001,vendor\n"
    text = HEADER + "\n" + good + "".join(f"IR{n:014d},0445{n:06d},{today},sf,SF{n:010d},vendor\n" for n in range(5000))
    response = upload(browser_for(vendor_user), text)
    assert response.context["form"].errors["file"] == [
        "The file has more than 5,000 rows; split it into files of at most 5,000 rows."
    ]
    assert fresh(big).status == InvoiceRequest.Status.PROCESSING
    assert not IssuedInvoice.objects.exists()


def test_a_file_whose_header_cannot_be_read_changes_nothing(browser_for, vendor_user, processing):
    big = processing[0]
    today = calendar_date(timezone.now()).isoformat()
    text = f"{'x' * (csv.field_size_limit() + 1)}\n{big.number},04450001,{today},sf,SF5000000001,vendor\n"
    response = upload(browser_for(vendor_user), text)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The first line must name the columns; start from the template if in doubt."
    ]
    assert fresh(big).status == InvoiceRequest.Status.PROCESSING
