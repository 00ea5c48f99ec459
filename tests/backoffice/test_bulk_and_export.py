"""Bulk accept from the queue, and the filtered queue exported as CSV for Excel."""

import csv
import io

import pytest
from django.urls import reverse

from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_cancel

from .helpers import accept, fresh, mail, messages_of, submit

pytestmark = pytest.mark.django_db


# ---------- bulk accept ----------


def test_bulk_accept_accepts_the_selected_and_names_each_failure(browser_for, shopper, vendor, vendor_user):
    # given three pending requests selected in the queue, one of which the customer cancels a moment earlier,
    # and one already processing
    first, second, cancelled = (submit(shopper, vendor, amount) for amount in ("10.00", "20.00", "30.00"))
    processing = accept(submit(shopper, vendor, "40.00"), vendor_user)
    invoice_request_cancel(actor=shopper, customer_account=shopper.customer_account, invoice_request_id=cancelled.pk)
    back = reverse("backoffice:queue") + "?status=pending"

    # when the vendor accepts the selection
    response = browser_for(vendor_user).post(
        reverse("backoffice:bulk_accept"),
        {"request_ids": [first.pk, second.pk, cancelled.pk, processing.pk], "next": back},
        follow=True,
    )

    # then the good ones are processing, the others unchanged, and the messages say how many and why not
    assert response.redirect_chain[-1][0] == back
    assert fresh(first).status == fresh(second).status == InvoiceRequest.Status.PROCESSING
    assert fresh(cancelled).status == InvoiceRequest.Status.CANCELLED
    messages = messages_of(response)
    assert "Accepted 2 requests. Mail them by their mail-by dates." in messages
    assert any(message.startswith(f"{cancelled.number} not accepted: The customer cancelled") for message in messages)
    assert any(message.startswith(f"{processing.number} not accepted:") for message in messages)


def test_bulk_accept_without_a_selection_says_what_to_do(browser_for, vendor_user):
    response = browser_for(vendor_user).post(reverse("backoffice:bulk_accept"), {}, follow=True)
    assert "Select at least one pending request to accept." in messages_of(response)


def test_the_queue_offers_checkboxes_for_pending_rows_only(browser_for, shopper, vendor, vendor_user):
    pending = submit(shopper, vendor, "10.00")
    processing = accept(submit(shopper, vendor, "20.00"), vendor_user)
    html = browser_for(vendor_user).get(reverse("backoffice:queue")).content.decode()
    assert f'name="request_ids" value="{pending.pk}"' in html
    assert f'name="request_ids" value="{processing.pk}"' not in html
    assert f'action="{reverse("backoffice:bulk_accept")}"' in html


# ---------- export ----------


def read_export(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_has_a_bom_chinese_headers_and_every_filtered_row(browser_for, shopper, vendor, vendor_user):
    # given 30 pending requests (more than one page) and one mailed
    pending = [submit(shopper, vendor, f"{100 + n}.50") for n in range(30)]
    mailed = mail(
        submit(shopper, vendor, "45.00"), vendor_user, tracking="YT1000000001", invoice="0445001", payer="recipient"
    )

    # when the pending queue is exported from the Chinese pages
    rows = read_export(
        browser_for(vendor_user, language="zh-hans").get(reverse("backoffice:export"), {"status": "pending"})
    )

    # then the headers are Chinese, every pending request is there (not one page), money has two decimals
    header, body = rows[0], rows[1:]
    assert header[:3] == ["申请编号", "状态", "提交时间"]
    assert "金额" in header and "纳税人识别号" in header
    assert sorted(row[0] for row in body) == sorted(request.number for request in pending)
    amount = header.index("金额")
    assert {row[amount] for row in body} == {f"{100 + n}.50" for n in range(30)}
    assert mailed.number not in {row[0] for row in body}


def test_export_of_a_mailed_request_has_its_invoice_and_parcel(browser_for, shopper, vendor, vendor_user):
    mailed = mail(
        submit(shopper, vendor, "45.00"), vendor_user, tracking="YT1000000001", invoice="0445001", payer="recipient"
    )

    header, row = read_export(
        browser_for(vendor_user, language="zh-hans").get(
            reverse("backoffice:export"), {"q": mailed.number, "status": "all"}
        )
    )

    record = dict(zip(header, row, strict=True))
    assert record["申请编号"] == mailed.number
    assert record["金额"] == "45.00"
    assert record["快递单号"] == "YT1000000001"
    assert record["发票号码"] == "0445001"
    assert record["抬头名称"] == mailed.title_snapshot["name"]


def test_export_quotes_text_that_excel_would_run_as_a_formula(browser_for, shopper, vendor, vendor_user):
    shopper.customer_account.name = '=HYPERLINK("http://evil.example")'
    shopper.customer_account.save()
    submit(shopper, vendor, "10.00")

    header, row = read_export(browser_for(vendor_user).get(reverse("backoffice:export")))

    assert dict(zip(header, row, strict=True))["Customer account"].startswith("'=")


def test_staff_export_names_the_vendor_of_each_row(browser_for, shopper, vendor, other_vendor, staff_user):
    submit(shopper, vendor, "10.00")
    submit(shopper, other_vendor, "20.00")

    header, *body = read_export(browser_for(staff_user, language="zh-hans").get(reverse("backoffice:export")))

    assert header[0] == "服务商"
    assert sorted(row[0] for row in body) == sorted([vendor.name, other_vendor.name])


def test_the_export_speaks_the_pages_language_and_names_each_column_once(browser_for, shopper, vendor, vendor_user):
    mail(submit(shopper, vendor, "45.00"), vendor_user, tracking="YT1000000002", invoice="0445002", payer="recipient")

    for language in ("en", "zh-hans"):
        header, row = read_export(
            browser_for(vendor_user, language=language).get(reverse("backoffice:export"), {"status": "all"})
        )
        # no two columns share a heading (the rule and the payer were both 运费承担)
        assert len(set(header)) == len(header), header
    header, row = read_export(browser_for(vendor_user).get(reverse("backoffice:export"), {"status": "all"}))
    record = dict(zip(header, row, strict=True))
    # the rule by amount and the payer the vendor chose, each under its own heading, in the models' words
    assert record["Shipping rule"] == "Cash on delivery allowed"
    assert record["Shipping paid by"] == "Cash on delivery"
    assert record["Request number"] and record["Tracking number"] == "YT1000000002"
