"""Customer console pages: invoiceable amounts, applying, records, detail and cancel."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import VendorBalance
from apps.billing.selectors import invoiceable_row
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import dispatch_due_date_for
from apps.titles.models import InvoiceTitle
from tests.factories import (
    CustomerUserFactory,
    InvoiceTitleFactory,
    MailingAddressFactory,
    VendorFactory,
    VendorUserFactory,
    consume,
)
from tests.helpers import page_client as client_for
from tests.helpers import reach_status, submit

pytestmark = pytest.mark.django_db


# ---------- helpers ----------


def inputs(html: str, name: str) -> list[str]:
    return [tag for tag in re.findall(r"<input[^>]*>", html, flags=re.S) if f'name="{name}"' in tag]


def checked_value(html: str, name: str) -> str | None:
    """The value of the checked radio button called `name`, as the browser would submit it."""
    for tag in inputs(html, name):
        if re.search(r"\schecked\b", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def input_value(html: str, name: str) -> str | None:
    for tag in inputs(html, name):
        match = re.search(r'value="([^"]*)"', tag)
        return match.group(1) if match else ""
    return None


def apply_data(customer, amount: str, **extra) -> dict:
    account = customer.customer_account
    data = {
        "amount": amount,
        "invoice_type": "general",
        "title": account.titles.get(is_default=True).pk,
        "address": account.addresses.get(is_default=True).pk,
    }
    data.update(extra)
    return data


def record_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-testid="record-row" data-record-id="(\d+)"', html)]


# ---------- invoiceable list ----------


def test_invoiceable_list_shows_each_vendors_numbers_and_the_formula_with_them(consumed, vendor):
    # given ¥1000.00 consumed, ¥100.00 refunded and a pending request for ¥300.00
    submit(consumed, vendor, "300.00")
    VendorBalance.objects.filter(customer_account=consumed.customer_account, vendor=vendor).update(
        refunded=Decimal("100.00")
    )

    # when the customer opens the console
    response = client_for(consumed).get(reverse("console:invoiceable"))

    # then the row shows the numbers, and the focusable amount describes itself with the formula
    html = response.content.decode()
    assert response.status_code == 200
    assert vendor.name in html and vendor.contact_phone in html and vendor.contact_email in html
    for money in ("¥1,000.00", "¥100.00", "¥300.00", "¥600.00"):
        assert money in html
    assert (
        "Invoiceable ¥600.00 = consumed ¥1,000.00 − refunded ¥100.00 − "
        "applied for (pending, processing, mailing) ¥300.00"
    ) in html
    assert f'tabindex="0" aria-describedby="formula-{vendor.pk}"' in html
    assert f'id="formula-{vendor.pk}"' in html
    assert reverse("console:apply", args=[vendor.pk]) in html


def test_invoiceable_list_disables_apply_when_nothing_is_left_and_names_invoice_debt(consumed, vendor, other_vendor):
    # given everything invoiced with vendor, then a refund of ¥200.00 (invoice debt); nothing left with other_vendor
    submit(consumed, vendor, "1000.00")
    VendorBalance.objects.filter(customer_account=consumed.customer_account, vendor=vendor).update(
        refunded=Decimal("200.00")
    )
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="50.00")
    submit(consumed, other_vendor, "50.00")

    # when
    html = client_for(consumed).get(reverse("console:invoiceable")).content.decode()

    # then no Apply link, a disabled button with the reason, and the debt said plainly
    assert reverse("console:apply", args=[vendor.pk]) not in html
    assert reverse("console:apply", args=[other_vendor.pk]) not in html
    assert html.count('data-testid="apply-disabled"') == 2
    assert "Invoice debt: ¥200.00" in html
    assert "Nothing left to invoice: everything you consumed is already applied for." in html


def test_invoiceable_list_explains_what_to_do_without_consumption(customer):
    response = client_for(customer).get(reverse("console:invoiceable"))

    assert response.status_code == 200
    assert "Nothing to invoice yet" in response.content.decode()


def test_console_pages_are_for_logged_in_customers(consumed, vendor):
    # an anonymous visitor is sent to the login page; a vendor user is refused
    anonymous = Client().get(reverse("console:invoiceable"))
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))

    vendor_user = VendorUserFactory(vendor=vendor)
    assert client_for(vendor_user).get(reverse("console:invoiceable")).status_code == 403


# ---------- apply ----------


def test_apply_form_preselects_the_default_title_address_and_general_invoice(consumed, vendor):
    # given a second, non-default title and address
    account = consumed.customer_account
    InvoiceTitleFactory(customer_account=account, name="备用抬头有限公司")
    MailingAddressFactory(customer_account=account, recipient="赵六")

    # when
    response = client_for(consumed).get(reverse("console:apply", args=[vendor.pk]))

    # then the defaults are chosen and the maximum is shown with its formula
    html = response.content.decode()
    assert response.status_code == 200
    assert checked_value(html, "title") == str(account.titles.get(is_default=True).pk)
    assert checked_value(html, "address") == str(account.addresses.get(is_default=True).pk)
    assert checked_value(html, "invoice_type") == "general"
    assert len(inputs(html, "title")) == 2 and len(inputs(html, "address")) == 2
    assert "¥1,000.00" in html and "Invoiceable ¥1,000.00 = consumed ¥1,000.00" in html


def test_apply_form_without_title_or_address_links_to_add_them_and_back(db, vendor):
    # given a customer with consumption but no title and no address
    user = CustomerUserFactory()
    consume(customer_account=user.customer_account, vendor=vendor, amount="100.00")
    apply_url = reverse("console:apply", args=[vendor.pk])

    # when
    html = client_for(user).get(apply_url).content.decode()

    # then it explains and links to the add pages with ?next= back here
    assert "You have no invoice title yet." in html and "You have no mailing address yet." in html
    assert f"{reverse('console:title_add')}?next={apply_url}" in html
    assert f"{reverse('console:address_add')}?next={apply_url}" in html
    assert 'data-testid="apply-form"' not in html

    # and adding a title from that link comes back to the application
    added = client_for(user).post(
        f"{reverse('console:title_add')}?next={apply_url}",
        {"kind": "company", "name": "新客户有限公司", "taxpayer_id": "91350200MA2YJ1XR9G"},
    )
    assert added.status_code == 302 and added.url == apply_url


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be at least 0.01."),
        ("1.234", "An amount has at most two decimal places."),
        ("1000.01", "The amount is more than you can invoice with this vendor: at most ¥1,000.00."),
        ("", "Enter an amount such as 100.00."),
    ],
)
def test_apply_refuses_a_wrong_amount_next_to_the_field_and_keeps_the_input(consumed, vendor, amount, message):
    # when
    response = client_for(consumed).post(reverse("console:apply", args=[vendor.pk]), apply_data(consumed, amount))

    # then the form comes back with the message next to the amount, what was typed, and nothing recorded
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="amount-errors"' in html and message in html
    assert input_value(html, "amount") == amount
    assert 'aria-invalid="true"' in html
    assert not InvoiceRequest.objects.exists()


def test_apply_refuses_another_accounts_title(consumed, vendor, other_customer):
    foreign_title = other_customer.customer_account.titles.get()

    response = client_for(consumed).post(
        reverse("console:apply", args=[vendor.pk]), apply_data(consumed, "10.00", title=foreign_title.pk)
    )

    assert response.status_code == 200
    assert "Choose one of your invoice titles." in response.content.decode()
    assert not InvoiceRequest.objects.exists()


@pytest.mark.parametrize(("typed", "confirmed"), [("¥500.50", "500.50"), ("1,000.00", "1000.00"), ("88.8", "88.80")])
def test_apply_reads_a_pasted_amount_with_the_yuan_sign_and_separators(consumed, vendor, typed, confirmed):
    # given ¥1000.00 invoiceable
    # when an amount is pasted as the pages show money
    response = client_for(consumed).post(reverse("console:apply", args=[vendor.pk]), apply_data(consumed, typed))
    # then the confirmation page carries the plain amount to submit
    assert response.status_code == 200
    assert input_value(response.content.decode(), "amount") == confirmed
    assert not InvoiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("amount", "shipping"),
    [
        ("49.99", "the vendor may send it cash on delivery; you then pay the courier on receipt."),
        ("50.00", "the vendor pays the courier."),
    ],
)
def test_apply_shows_a_confirmation_page_with_everything_the_vendor_will_use(consumed, vendor, amount, shipping):
    account = consumed.customer_account
    title = account.titles.get(is_default=True)
    address = account.addresses.get(is_default=True)

    # when
    response = client_for(consumed).post(reverse("console:apply", args=[vendor.pk]), apply_data(consumed, amount))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your application" in html
    for text in (title.name, title.taxpayer_id, title.registered_address, title.bank_name, title.bank_account):
        assert text in html
    for text in (address.recipient, address.phone, address.street, address.postal_code):
        assert text in html
    assert f"¥{amount}" in html
    assert "VAT general invoice (paper)" in html
    assert shipping in html
    due = dispatch_due_date_for(timezone.now())
    assert f"The vendor must mail it by {due.date:%Y-%m-%d} (10 working days)." in html
    assert re.fullmatch(r"[0-9a-f]{32}", input_value(html, "idempotency_key"))
    assert input_value(html, "amount") == amount
    # and nothing is recorded before the customer submits
    assert not InvoiceRequest.objects.exists()


def test_back_to_edit_returns_to_the_form_with_the_values_kept(consumed, vendor):
    other_title = InvoiceTitleFactory(customer_account=consumed.customer_account, name="备用抬头有限公司")

    response = client_for(consumed).post(
        reverse("console:apply", args=[vendor.pk]),
        {**apply_data(consumed, "88.80", title=other_title.pk), "idempotency_key": "k" * 32, "edit": "1"},
    )

    html = response.content.decode()
    assert 'data-testid="apply-form"' in html
    assert input_value(html, "amount") == "88.80"
    assert checked_value(html, "title") == str(other_title.pk)
    assert 'data-testid="amount-errors"' not in html


def test_submitting_the_confirmation_twice_creates_one_pending_request(consumed, vendor):
    # given the confirmation page with its idempotency key
    client = client_for(consumed)
    confirmation = client.post(reverse("console:apply", args=[vendor.pk]), apply_data(consumed, "300.00"))
    key = input_value(confirmation.content.decode(), "idempotency_key")
    data = {**apply_data(consumed, "300.00"), "idempotency_key": key}
    confirm_url = reverse("console:apply_confirm", args=[vendor.pk])

    # when the customer double-clicks Submit
    first = client.post(confirm_url, data)
    second = client.post(confirm_url, data, follow=True)

    # then one pending request, both answers lead to it, with the mail-by date said plainly
    request = InvoiceRequest.objects.get()
    assert request.status == InvoiceRequest.Status.PENDING
    assert request.amount == Decimal("300.00")
    detail_url = reverse("console:record_detail", args=[request.pk])
    assert first.status_code == 302 and first.url == detail_url
    assert second.redirect_chain[-1][0] == detail_url
    assert f"Submitted. {vendor.name} mails it by {request.dispatch_due_date:%Y-%m-%d}." in second.content.decode()
    assert invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor.pk).invoiceable == Decimal(
        "700.00"
    )


def test_confirm_shows_the_form_again_when_the_cap_was_used_up_meanwhile(consumed, vendor):
    # given a confirmation for ¥800.00, then ¥300.00 applied for in another tab
    client = client_for(consumed)
    confirmation = client.post(reverse("console:apply", args=[vendor.pk]), apply_data(consumed, "800.00"))
    key = input_value(confirmation.content.decode(), "idempotency_key")
    submit(consumed, vendor, "300.00")

    # when the first tab submits
    response = client.post(
        reverse("console:apply_confirm", args=[vendor.pk]),
        {**apply_data(consumed, "800.00"), "idempotency_key": key},
    )

    # then the form is back with the error next to the amount, and only the other tab's request exists
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="amount-errors"' in html
    assert "at most ¥700.00" in html
    assert input_value(html, "amount") == "800.00"
    assert list(InvoiceRequest.objects.values_list("amount", flat=True)) == [Decimal("300.00")]


def test_apply_pages_answer_404_for_a_vendor_the_account_never_consumed_with(consumed, vendor, other_customer):
    client = client_for(other_customer)

    assert client.get(reverse("console:apply", args=[vendor.pk])).status_code == 404
    assert (
        client.post(reverse("console:apply", args=[vendor.pk]), apply_data(other_customer, "1.00")).status_code == 404
    )
    confirm = client.post(
        reverse("console:apply_confirm", args=[vendor.pk]),
        {**apply_data(other_customer, "1.00"), "idempotency_key": "x"},
    )
    assert confirm.status_code == 404
    assert not InvoiceRequest.objects.exists()


# ---------- records ----------


def test_records_list_shows_newest_first_with_vendor_contact(consumed, vendor):
    older = submit(consumed, vendor, "10.00")
    newer = submit(consumed, vendor, "20.00")
    InvoiceRequest.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - dt.timedelta(days=3))

    response = client_for(consumed).get(reverse("console:records"))

    html = response.content.decode()
    assert record_ids(html) == [newer.pk, older.pk]
    assert newer.number in html and "¥20.00" in html
    assert vendor.contact_phone in html and vendor.contact_email in html
    assert f'title="Service hours: {vendor.service_hours}"' in html
    assert timezone.localtime(newer.submitted_at).strftime("%Y-%m-%d %H:%M") in html
    assert html.count('data-testid="record-cancel-link"') == 2


def test_records_list_filters_by_status_vendor_and_dates(consumed, vendor, other_vendor):
    # given a pending request with vendor (10 days ago), a cancelled one with vendor (today),
    # and a pending one with other_vendor (today)
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    old = submit(consumed, vendor, "10.00")
    cancelled = submit(consumed, vendor, "20.00")
    other = submit(consumed, other_vendor, "30.00")
    client = client_for(consumed)
    client.post(reverse("console:record_cancel", args=[cancelled.pk]), {"reason": ""})
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    InvoiceRequest.objects.filter(pk=old.pk).update(submitted_at=ten_days_ago)
    url = reverse("console:records")

    # then each filter narrows the list
    assert record_ids(client.get(url, {"status": "cancelled"}).content.decode()) == [cancelled.pk]
    assert record_ids(client.get(url, {"status": "pending"}).content.decode()) == [other.pk, old.pk]
    assert record_ids(client.get(url, {"vendor": other_vendor.pk}).content.decode()) == [other.pk]
    assert sorted(record_ids(client.get(url, {"vendor": vendor.pk}).content.decode())) == [old.pk, cancelled.pk]
    old_day = timezone.localdate(ten_days_ago)
    only_old = client.get(url, {"date_from": old_day.isoformat(), "date_to": old_day.isoformat()})
    assert record_ids(only_old.content.decode()) == [old.pk]
    recent = client.get(url, {"date_from": (old_day + dt.timedelta(days=1)).isoformat(), "status": "pending"})
    assert record_ids(recent.content.decode()) == [other.pk]
    # and a filter that matches nothing says so
    nothing = client.get(url, {"status": "mailing"}).content.decode()
    assert "No request matches these filters" in nothing


def test_records_list_reports_a_wrong_date_instead_of_failing(consumed, vendor):
    request = submit(consumed, vendor, "10.00")
    client = client_for(consumed)

    wrong = client.get(reverse("console:records"), {"date_from": "2025-13-45"})
    backwards = client.get(reverse("console:records"), {"date_from": "2025-05-02", "date_to": "2025-05-01"})

    assert wrong.status_code == 200
    assert "Enter a valid date." in wrong.content.decode()
    assert record_ids(wrong.content.decode()) == [request.pk]
    assert backwards.status_code == 200
    assert "The end date is before the start date." in backwards.content.decode()


def test_records_list_paginates_twenty_a_page_and_keeps_filters(consumed, vendor):
    requests = [submit(consumed, vendor, "1.00") for _ in range(25)]
    client = client_for(consumed)

    first = client.get(reverse("console:records"), {"status": "pending"}).content.decode()
    second = client.get(reverse("console:records"), {"status": "pending", "page": 2}).content.decode()

    newest_first = [request.pk for request in reversed(requests)]
    assert record_ids(first) == newest_first[:20]
    assert record_ids(second) == newest_first[20:]
    assert "?status=pending&amp;page=2" in first
    assert "Page 1 of 2" in first


def test_records_list_empty_state_points_to_the_invoiceable_amounts(customer):
    html = client_for(customer).get(reverse("console:records")).content.decode()

    assert "You have not applied for an invoice yet" in html
    assert reverse("console:invoiceable") in html


# ---------- detail ----------


def test_detail_shows_the_snapshots_as_submitted_the_vendor_contact_and_the_timeline(consumed, vendor):
    # given a request, after which the title was renamed and the address changed
    request = submit(consumed, vendor, "49.99")
    original_name = request.title_snapshot["name"]
    InvoiceTitle.objects.filter(pk=request.title_id).update(name="改过的抬头有限公司")
    consumed.customer_account.addresses.update(street="新街道 9 号")

    # when
    response = client_for(consumed).get(reverse("console:record_detail", args=[request.pk]))

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert original_name in html and "改过的抬头有限公司" not in html
    assert request.address_snapshot["street"] in html and "新街道 9 号" not in html
    assert request.number in html and "¥49.99" in html
    assert 'data-rule="cod_allowed"' in html and "the vendor may send it cash on delivery" in html
    assert f"The vendor must mail it by {request.dispatch_due_date:%Y-%m-%d} (10 working days)." in html
    assert vendor.contact_phone in html and vendor.contact_email in html and vendor.service_hours in html
    assert 'data-status="pending"' in html
    assert html.count('data-testid="timeline-event"') == 1
    assert f"by {consumed.display_name}" in html
    assert reverse("console:record_cancel", args=[request.pk]) in html


# ---------- cancel ----------


def test_cancel_asks_for_confirmation_then_cancels_and_frees_the_amount(consumed, vendor):
    request = submit(consumed, vendor, "300.00")
    client = client_for(consumed)
    cancel_url = reverse("console:record_cancel", args=[request.pk])

    # when the customer opens the cancel page, nothing changes yet
    page = client.get(cancel_url).content.decode()
    assert "Are you sure you want to cancel this request?" in page
    assert "¥300.00 becomes invoiceable again" in page
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.PENDING

    # when they confirm with a reason
    response = client.post(cancel_url, {"reason": "抬头选错了"}, follow=True)

    # then it is cancelled, the amount is invoiceable again, and the detail page says so
    assert response.redirect_chain[-1][0] == reverse("console:record_detail", args=[request.pk])
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.CANCELLED
    row = invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor.pk)
    assert row.invoiceable == Decimal("1000.00")
    html = response.content.decode()
    assert f"Cancelled. ¥300.00 is invoiceable again with {vendor.name}." in html
    assert 'data-status="cancelled"' in html and "抬头选错了" in html
    assert html.count('data-testid="timeline-event"') == 2
    assert cancel_url not in html


@pytest.mark.parametrize("status", ["processing", "mailing"])
def test_a_processing_or_mailing_request_cannot_be_cancelled_and_shows_whom_to_contact(consumed, vendor, status):
    request = reach_status(submit(consumed, vendor, "300.00"), status)
    events_before = InvoiceEvent.objects.filter(request=request).count()
    client = client_for(consumed)
    cancel_url = reverse("console:record_cancel", args=[request.pk])

    # the detail page explains on request (a disclosure) with the vendor's contact, without a cancel button
    detail = client.get(reverse("console:record_detail", args=[request.pk])).content.decode()
    disclosure = re.search(r'<details class="disclosure" data-testid="cancel-help">(.*?)</details>', detail, re.S)
    assert disclosure and "can no longer be cancelled here" in disclosure.group(1)
    assert vendor.contact_phone in disclosure.group(1) and vendor.contact_email in disclosure.group(1)
    assert cancel_url not in detail

    # the cancel page explains too, and a POST changes nothing
    page = client.get(cancel_url).content.decode()
    assert "can no longer be cancelled here" in page and 'data-testid="cancel-form"' not in page
    response = client.post(cancel_url, {"reason": "x"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:record_detail", args=[request.pk])
    assert "can no longer be cancelled here" in response.content.decode()
    assert InvoiceRequest.objects.get(pk=request.pk).status == status
    assert InvoiceEvent.objects.filter(request=request).count() == events_before
    row = invoiceable_row(customer_account=consumed.customer_account, vendor_id=vendor.pk)
    assert row.invoiceable == Decimal("700.00")


def test_another_account_gets_404_on_detail_and_cancel_and_does_not_see_the_record(consumed, vendor, other_customer):
    request = submit(consumed, vendor, "300.00")
    client = client_for(other_customer)

    assert client.get(reverse("console:record_detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("console:record_cancel", args=[request.pk])).status_code == 404
    assert client.post(reverse("console:record_cancel", args=[request.pk]), {"reason": ""}).status_code == 404
    assert record_ids(client.get(reverse("console:records")).content.decode()) == []
    assert InvoiceRequest.objects.get(pk=request.pk).status == InvoiceRequest.Status.PENDING


def test_records_list_query_count_does_not_grow_with_the_rows(consumed, vendor, django_assert_max_num_queries):
    client = client_for(consumed)
    overdue = reach_status(submit(consumed, vendor, "1.00"), "processing")
    InvoiceRequest.objects.filter(pk=overdue.pk).update(dispatch_due_date=dt.date(2020, 1, 6))
    with django_assert_max_num_queries(100) as one_row:
        client.get(reverse("console:records"))
    for _ in range(19):
        submit(consumed, vendor, "1.00")

    # session, user, account, vendors for the filter, count, page, the bell: the same for 1 row or 20, working
    # days left and how late the vendor is included
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = client.get(reverse("console:records"))

    html = response.content.decode()
    assert len(record_ids(html)) == 20
    assert html.count('data-testid="days-left"') == 19 and html.count('data-testid="overdue-line"') == 1


# ---------- phones: cards instead of wide tables, a compact top bar ----------


def cells_of(html: str, row_testid: str) -> list[str]:
    """The data-label of every cell in the first row marked `row_testid`: what a phone card shows as its labels."""
    row = re.search(rf'<tr[^>]*data-testid="{row_testid}".*?</tr>', html, re.S).group(0)
    return re.findall(r'<td[^>]*data-label="([^"]*)"', row)


def test_invoiceable_list_and_records_become_labelled_cards_on_a_phone(consumed, vendor):
    # given a pending request (so both lists have a row)
    submit(consumed, vendor, "300.00")
    client = client_for(consumed)

    invoiceable = client.get(reverse("console:invoiceable")).content.decode()
    records = client.get(reverse("console:records")).content.decode()

    # then both tables stack into cards (the stylesheet's .table-stack), every value cell carries its label,
    # the vendor or request number heads the card, and the action cell is there for the phone too
    assert 'class="table table-stack" data-testid="invoiceable-table"' in invoiceable
    assert cells_of(invoiceable, "invoiceable-row") == [
        "Vendor contact",
        "Consumed",
        "Refunded",
        "Applied for",
        "Invoiceable",
    ]
    assert re.search(r'<th scope="row" class="stack-head vendor-name">\s*' + re.escape(vendor.name), invoiceable)
    assert 'class="actions stack-actions"' in invoiceable and 'data-testid="apply-link"' in invoiceable
    assert 'class="table table-stack" data-testid="records-table"' in records
    assert cells_of(records, "record-row") == ["Submitted", "Vendor", "Vendor contact", "Amount", "Status"]
    assert 'data-testid="record-cancel-link"' in records


# ---------- next steps: apply again, progress first ----------


def test_a_rejected_request_shows_the_reason_and_apply_again(consumed, vendor):
    request = reach_status(submit(consumed, vendor, "300.00"), "rejected")

    html = client_for(consumed).get(reverse("console:record_detail", args=[request.pk])).content.decode()

    apply_again = f"{reverse('console:apply', args=[vendor.pk])}?from={request.pk}"
    assert "The vendor rejected this request. Reason:" in html and request.status_reason in html
    assert f'href="{apply_again}" data-testid="apply-again"' in html
    assert 'data-testid="progress"' not in html
    # the records list offers it too
    records = client_for(consumed).get(reverse("console:records")).content.decode()
    assert f'href="{apply_again}" data-testid="record-apply-again-link"' in records


def test_apply_again_prefills_the_form_from_the_rejected_request(consumed, vendor):
    # given a second title and address, and a rejected special-invoice request that used them
    account = consumed.customer_account
    title = InvoiceTitleFactory(customer_account=account, name="第二抬头有限公司")
    address = MailingAddressFactory(customer_account=account, recipient="钱七")
    rejected = reach_status(
        submit(consumed, vendor, "123.45", title=title, address=address, invoice_type="special"),
        "rejected",
    )

    # when the customer presses Apply again
    response = client_for(consumed).get(reverse("console:apply", args=[vendor.pk]), {"from": rejected.pk})

    # then the form holds the same amount, type, title and address, and says what is being applied for again
    html = response.content.decode()
    assert response.status_code == 200
    assert input_value(html, "amount") == "123.45"
    assert checked_value(html, "invoice_type") == "special"
    assert checked_value(html, "title") == str(title.pk)
    assert checked_value(html, "address") == str(address.pk)
    assert f"Applying again after request {rejected.number}" in html
    assert rejected.status_reason in html
    assert 'data-testid="apply-again-notes"' not in html
    # and the form posts back with ?from=, so the context survives an error
    assert f'action="{reverse("console:apply", args=[vendor.pk])}?from={rejected.pk}"' in html


def test_apply_again_says_what_no_longer_holds(consumed, vendor):
    # given a rejected request for ¥800.00 whose title was deleted since, and ¥500.00 applied for meanwhile
    account = consumed.customer_account
    title = InvoiceTitleFactory(customer_account=account, name="已删除抬头有限公司")
    rejected = reach_status(submit(consumed, vendor, "800.00", title=title), "rejected")
    title.delete()
    submit(consumed, vendor, "500.00")

    html = client_for(consumed).get(reverse("console:apply", args=[vendor.pk]), {"from": rejected.pk}).content.decode()

    # then the amount is left empty with the new maximum, and the default title is chosen with a note
    assert input_value(html, "amount") == ""
    assert "You applied for ¥800.00 before; at most ¥500.00 can be invoiced with this vendor now." in html
    assert "The invoice title used before no longer exists: choose another one." in html
    assert checked_value(html, "title") == str(account.titles.get(is_default=True).pk)
    assert checked_value(html, "address") == str(account.addresses.get(is_default=True).pk)


def test_apply_again_only_from_the_accounts_own_request_to_this_vendor(consumed, vendor, other_vendor, other_customer):
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="100.00")
    foreign = reach_status(submit(other_customer, vendor, "10.00"), "rejected")
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    to_other_vendor = reach_status(submit(consumed, other_vendor, "10.00"), "rejected")
    client = client_for(consumed)
    url = reverse("console:apply", args=[vendor.pk])

    assert client.get(url, {"from": foreign.pk}).status_code == 404
    assert client.get(url, {"from": to_other_vendor.pk}).status_code == 404
    assert client.get(url, {"from": "x1"}).status_code == 404
    assert client.get(url, {"from": "9" * 30}).status_code == 404


@pytest.mark.parametrize(
    ("status", "done", "current"),
    [
        ("pending", ["pending"], "pending"),
        ("processing", ["pending", "processing"], "processing"),
        ("mailing", ["pending", "processing", "mailing"], "mailing"),
    ],
)
def test_an_active_request_leads_with_its_progress_not_a_warning(consumed, vendor, status, done, current):
    request = reach_status(submit(consumed, vendor, "300.00"), status)

    html = client_for(consumed).get(reverse("console:record_detail", args=[request.pk])).content.decode()

    steps = re.findall(r'<li class="step([^"]*)" data-testid="progress-step" data-status="(\w+)"', html)
    assert [name for _classes, name in steps] == ["pending", "processing", "mailing"]
    assert [name for classes, name in steps if "step-done" in classes] == done
    assert [name for classes, name in steps if "step-current" in classes] == [current]
    # the progress comes before anything else in the page, and no warning is shown for a healthy request
    content = html[html.index('<main id="main"') :]
    assert content.index('data-testid="progress"') < content.index('data-testid="record-summary"')
    assert "notice-warning" not in content
    if status == "pending":
        assert f"Mail by {request.dispatch_due_date:%Y-%m-%d}" in html
        assert 'data-testid="cancel-help"' not in html
    else:
        assert 'data-testid="cancel-help"' in html
        accepted = InvoiceEvent.objects.get(request=request, to_status="processing")
        assert timezone.localtime(accepted.created_at).strftime("%Y-%m-%d %H:%M") in html


# ---------- the apply form: cards, help that fits the vendor, special invoices ----------


def test_apply_form_shows_titles_and_addresses_as_cards_with_masked_phones(consumed, vendor):
    account = consumed.customer_account
    title = account.titles.get(is_default=True)
    address = account.addresses.get(is_default=True)

    html = client_for(consumed).get(reverse("console:apply", args=[vendor.pk])).content.decode()

    title_card = re.search(rf'<li class="choice-card">\s*<input[^>]*id="title-{title.pk}".*?</li>', html, re.S).group(0)
    assert title.name in title_card and title.taxpayer_id in title_card
    address_card = re.search(rf'<li class="choice-card">\s*<input[^>]*id="address-{address.pk}".*?</li>', html, re.S)
    assert address.recipient in address_card.group(0) and address.city in address_card.group(0)
    assert f"{address.phone[:3]}****{address.phone[-4:]}" in address_card.group(0)
    assert address.phone not in html
    # the amount has no placeholder that looks like a value; the help says the maximum
    assert "placeholder" not in inputs(html, "amount")[0]
    assert "At most ¥1,000.00" in html


def test_special_invoice_help_only_when_the_vendor_issues_special_invoices(customer):
    general_only = VendorFactory(supported_invoice_types=["general"])
    both = VendorFactory(supported_invoice_types=["general", "special"])
    for vendor in (general_only, both):
        consume(customer_account=customer.customer_account, vendor=vendor, amount="100.00")
    client = client_for(customer)

    general_page = client.get(reverse("console:apply", args=[general_only.pk])).content.decode()
    both_page = client.get(reverse("console:apply", args=[both.pk])).content.decode()

    assert 'data-testid="special-invoice-help"' not in general_page
    assert inputs(general_page, "invoice_type") and 'value="special"' not in general_page
    assert 'data-testid="special-invoice-help"' in both_page


def test_choosing_a_special_invoice_through_the_pages_records_a_special_invoice(consumed, vendor):
    client = client_for(consumed)

    # the customer picks the special invoice on the form, then submits the confirmation page
    confirmation = client.post(
        reverse("console:apply", args=[vendor.pk]), apply_data(consumed, "200.00", invoice_type="special")
    ).content.decode()
    assert "VAT special invoice (paper)" in confirmation
    assert input_value(confirmation, "invoice_type") == "special"
    hidden = {name: input_value(confirmation, name) for name in ("amount", "invoice_type", "title", "address")}
    response = client.post(
        reverse("console:apply_confirm", args=[vendor.pk]),
        {**hidden, "idempotency_key": input_value(confirmation, "idempotency_key")},
    )

    # then the request is a special invoice
    request = InvoiceRequest.objects.get()
    assert response.status_code == 302
    assert request.invoice_type == "special"


# ---------- input edge cases on the pages ----------


def test_a_pasted_amount_with_the_yuan_sign_and_separators_is_accepted(consumed, vendor):
    consume(customer_account=consumed.customer_account, vendor=vendor, amount="1000.00")
    client = client_for(consumed)

    confirmation = client.post(
        reverse("console:apply", args=[vendor.pk]), apply_data(consumed, "¥1,000.50")
    ).content.decode()

    assert 'data-testid="amount-errors"' not in confirmation
    assert "¥1,000.50" in confirmation and input_value(confirmation, "amount") == "1000.50"
    client.post(
        reverse("console:apply_confirm", args=[vendor.pk]),
        {
            **apply_data(consumed, input_value(confirmation, "amount")),
            "idempotency_key": input_value(confirmation, "idempotency_key"),
        },
    )
    assert InvoiceRequest.objects.get().amount == Decimal("1000.50")


def test_a_stale_page_number_shows_the_last_page(consumed, vendor):
    requests = [submit(consumed, vendor, "1.00") for _ in range(25)]
    client = client_for(consumed)

    stale = client.get(reverse("console:records"), {"page": 99})
    junk = client.get(reverse("console:records"), {"page": "abc"})

    assert stale.status_code == 200
    assert record_ids(stale.content.decode()) == [request.pk for request in reversed(requests[:5])]
    assert "Page 2 of 2" in stale.content.decode()
    assert junk.status_code == 200 and "Page 1 of 2" in junk.content.decode()


@pytest.mark.parametrize(("name", "value"), [("status", "bogus"), ("vendor", "999999"), ("vendor", "abc")])
def test_an_unknown_filter_value_is_ignored_with_a_notice(consumed, vendor, name, value):
    request = submit(consumed, vendor, "10.00")

    response = client_for(consumed).get(reverse("console:records"), {name: value})

    html = response.content.decode()
    assert response.status_code == 200
    assert record_ids(html) == [request.pk]
    assert 'data-testid="filter-ignored"' in html
    assert f"“{value}” is not a choice of {name.capitalize()}: that filter was ignored." in html
    assert "Select a valid choice" not in html and 'data-testid="filter-errors"' not in html


def test_the_records_date_filter_takes_the_last_day_of_the_calendar(consumed, vendor):
    request = submit(consumed, vendor, "10.00")
    client = client_for(consumed)

    until_the_end = client.get(reverse("console:records"), {"date_to": "9999-12-31"})
    from_the_end = client.get(reverse("console:records"), {"date_from": "9999-12-31"})

    assert until_the_end.status_code == 200 and record_ids(until_the_end.content.decode()) == [request.pk]
    assert from_the_end.status_code == 200 and record_ids(from_the_end.content.decode()) == []
