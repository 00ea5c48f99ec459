"""Mailing information from a CSV file: per-row report, bad rows unchanged, repeats applied once, Excel encodings."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.core.workdays import calendar_date
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
    assert ",".join(rows[0]) == HEADER
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


def test_a_file_without_the_columns_is_reported(browser_for, vendor_user, processing):
    response = upload(browser_for(vendor_user), "number,tracking\nIR1,SF1\n")
    report = report_of(response)
    assert report.applied == [] and "Missing columns" in report.errors[0][2]
    assert all(fresh(request).status == InvoiceRequest.Status.PROCESSING for request in processing)


def test_a_binary_file_is_refused_next_to_the_field(browser_for, vendor_user):
    file = SimpleUploadedFile("photo.csv", bytes(range(128, 256)) * 4, content_type="text/csv")
    response = browser_for(vendor_user).post(reverse("backoffice:mailing_import"), {"file": file})
    assert response.status_code == 200
    assert "neither UTF-8 nor GBK" in response.content.decode()


def test_no_file_is_refused(browser_for, vendor_user):
    response = browser_for(vendor_user).post(reverse("backoffice:mailing_import"), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_another_vendors_request_numbers_are_not_found(browser_for, shopper, other_vendor, vendor_user, vendor2_user):
    theirs = accept(submit(shopper, other_vendor, "100.00"), vendor2_user)
    text = f"{HEADER}\n{theirs.number},04450001,{calendar_date(timezone.now()).isoformat()},sf,SF5000000001,vendor\n"

    report = report_of(upload(browser_for(vendor_user), text))

    assert report.applied == [] and report.errors[0][1] == theirs.number
    assert fresh(theirs).status == InvoiceRequest.Status.PROCESSING
