"""Customer pages for refunds, invoice debt, returns, support tickets and withdrawals (退款、欠票、退票、工单、提现).

The whole path as a customer sees it in the console: refund -> debt notice -> return -> ticket (attachment) -> void
-> withdraw; plus scoping (another account gets 404) and plain "what to do next" texts in both languages.
"""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.invoices.models import InvoiceRequest
from apps.refunds.models import InvoiceReturn, Refund, SupportTicket, Withdrawal
from apps.refunds.services.refunds import refund_approve
from apps.refunds.services.returns import invoice_return_agree, invoice_return_receive
from apps.refunds.services.voiding import invoice_request_void
from tests.factories import consume
from tests.helpers import fresh, mail, page_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_no_inline_code(html: str) -> None:
    assert "<script>" not in html and "style=" not in html and "onclick=" not in html


@pytest.fixture
def mailed(consumed, customer, vendor, vendor_user, submit):
    """customer consumed ¥1000 with vendor and got a ¥1000 invoice mailed."""
    return mail(submit(customer, vendor, "1000.00"), vendor_user)


def refund_through_page(client, vendor, amount="300.00"):
    response = client.post(reverse("console:refunds"), {"vendor": vendor.pk, "amount": amount, "reason": "退订服务"})
    assert response.status_code == 302
    return Refund.objects.latest("id")


@pytest.mark.django_db
def test_whole_path_refund_return_ticket_void_withdraw(
    customer_client, customer, other_customer, vendor, vendor_user, staff_user, mailed
):
    # Refund requested on the page; the vendor approves it: the account now owes a ¥300 invoice.
    refund = refund_through_page(customer_client, vendor)
    assert refund.status == Refund.Status.REQUESTED and refund.amount == Decimal("300.00")
    assert "refund-row" in html_of(customer_client.get(reverse("console:refunds")))
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)

    # The debt is said plainly on the invoiceable page and the records list, with the invoice to return.
    for url in (reverse("console:invoiceable"), reverse("console:records"), reverse("console:debt")):
        html = html_of(customer_client.get(url))
        assert "You owe invoices" in html
        assert mailed.number in html
        assert reverse("console:return_request", args=[mailed.pk]) in html

    # Withdrawal is blocked: the blocking invoice is listed with what to do, and there is no form.
    html = html_of(customer_client.get(reverse("console:withdrawals")))
    assert 'data-testid="withdrawal-blocked"' in html
    assert mailed.number in html and "ask the vendor for a return" in html
    assert 'data-testid="withdrawal-form"' not in html

    # The return: asked from the record, agreed without vendor fault -> the customer pays postage.
    assert reverse("console:return_request", args=[mailed.pk]) in html_of(
        customer_client.get(reverse("console:record_detail", args=[mailed.pk]))
    )
    response = customer_client.post(
        reverse("console:return_request", args=[mailed.pk]), {"purpose": "refund", "reason": "已退款"}
    )
    invoice_return = InvoiceReturn.objects.get(invoice_request=mailed)
    assert response["Location"] == reverse("console:return_detail", args=[invoice_return.pk])
    html = html_of(customer_client.get(response["Location"]))
    assert 'data-payer="undecided"' in html and "do not mail the invoice yet" in html
    invoice_return_agree(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk, fault="")
    html = html_of(customer_client.get(response["Location"]))
    assert "You pay the return postage." in html
    assert 'data-testid="ship-form"' in html

    # A bad tracking number is told next to its field; a good one is saved.
    bad = customer_client.post(response["Location"], {"courier": "sf", "tracking_number": "x"})
    assert bad.status_code == 200 and 'id="field-tracking_number"' in bad.content.decode()
    assert "field-error" in bad.content.decode()
    customer_client.post(response["Location"], {"courier": "sf", "tracking_number": "SF1234567890"})
    assert fresh_return(invoice_return).status == InvoiceReturn.Status.SHIPPED
    invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk)

    # Received: "ask staff to void" opens a ticket prefilled with the request and the tracking number.
    html = html_of(customer_client.get(response["Location"]))
    new_url = f"{reverse('console:ticket_new')}?return={invoice_return.pk}"
    assert new_url.replace("&", "&amp;") in html
    html = html_of(customer_client.get(new_url))
    assert mailed.number in html and "SF1234567890" in html
    photo = SimpleUploadedFile("退回发票.png", PNG, content_type="image/png")
    form = {
        "subject": f"Please void {mailed.number}",
        "body": "Returned, tracking SF1234567890",
        "invoice_request": str(mailed.pk),
        "invoice_return": str(invoice_return.pk),
        "files": [photo],
    }
    response = customer_client.post(reverse("console:ticket_new"), form)
    ticket = SupportTicket.objects.get(customer_account=customer.customer_account)
    assert response["Location"] == reverse("console:ticket_detail", args=[ticket.pk])
    assert ticket.invoice_request_id == mailed.pk and ticket.invoice_return_id == invoice_return.pk
    html = html_of(customer_client.get(response["Location"]))
    link = re.search(r'href="(/[^"]*attachments/\d+/)"', html).group(1)
    download = customer_client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    # Only the ticket's parties: another customer gets 404 for the attachment and the ticket.
    other = page_client(other_customer)
    assert other.get(link).status_code == 404
    assert other.get(reverse("console:ticket_detail", args=[ticket.pk])).status_code == 404
    assert other.get(reverse("console:return_detail", args=[invoice_return.pk])).status_code == 404
    assert page_client(staff_user).get(link).status_code == 200

    # Staff void it: the debt clears and withdrawal opens; the refund is withdrawn through the page.
    invoice_request_void(actor=staff_user, ticket_id=ticket.pk, reason="退票已收回")
    assert fresh(mailed).status == InvoiceRequest.Status.VOIDED
    assert "You owe invoices" not in html_of(customer_client.get(reverse("console:invoiceable")))
    html = html_of(customer_client.get(reverse("console:withdrawals")))
    assert 'data-testid="withdrawal-form"' in html and "¥300.00" in html
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html).group(1)
    data = {
        "amount": "300.00",
        "bank_name": "中国银行",
        "bank_account": "6216600000000000",
        "account_holder": "张三",
        "idempotency_key": key,
    }
    customer_client.post(reverse("console:withdrawals"), data)
    customer_client.post(reverse("console:withdrawals"), data)  # a double click: one withdrawal
    withdrawal = Withdrawal.objects.get(customer_account=customer.customer_account)
    assert withdrawal.amount == Decimal("300.00") and withdrawal.status == Withdrawal.Status.REQUESTED

    # The record's timeline shows the refund, return, ticket and void steps in order.
    html = html_of(customer_client.get(reverse("console:record_detail", args=[mailed.pk])))
    kinds = re.findall(r'data-testid="timeline-event" data-to="([^"]*)" data-kind="([^"]*)"', html)
    steps = [kind if kind != "status_changed" else to for to, kind in kinds]
    order = [
        steps.index(step)
        for step in ("mailing", "refund_approved", "return_requested", "return_received", "voided")
        if step in steps
    ]
    assert order == sorted(order) and len(order) == 5, steps
    assert any("ticket" in step for step in steps), steps


def fresh_return(invoice_return):
    return InvoiceReturn.objects.get(pk=invoice_return.pk)


@pytest.mark.django_db
def test_vendor_fault_says_vendor_pays_postage_in_both_languages(customer, vendor, vendor_user, mailed):
    client_en = page_client(customer)
    client_en.post(reverse("console:return_request", args=[mailed.pk]), {"purpose": "reissue", "reason": "抬头错了"})
    invoice_return = InvoiceReturn.objects.get(invoice_request=mailed)
    invoice_return_agree(actor=vendor_user, vendor=vendor, return_id=invoice_return.pk, fault="mismatch")
    url = reverse("console:return_detail", args=[invoice_return.pk])
    html = html_of(client_en.get(url))
    assert "The vendor pays the return postage." in html
    assert_no_inline_code(html)
    html_zh = html_of(page_client(customer, language="zh-hans").get(url))
    assert 'data-payer="vendor"' in html_zh
    assert 'lang="zh-hans"' in html_zh.lower() or "zh" in html_zh[:300].lower()


@pytest.mark.django_db
def test_pages_are_scoped_and_refusals_are_shown(customer_client, other_customer, vendor, mailed, submit):
    other = page_client(other_customer)
    assert other.get(reverse("console:return_request", args=[mailed.pk])).status_code == 404
    # A refund above what was consumed is refused next to the amount.
    response = customer_client.post(
        reverse("console:refunds"), {"vendor": vendor.pk, "amount": "5000.00", "reason": "x"}
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Refund.objects.exists()
    # A pending request cannot be returned: the page says so instead of a form.
    html = html_of(customer_client.get(reverse("console:withdrawals")))
    assert 'data-testid="nothing-to-withdraw"' in html
    for name in ("refunds", "tickets", "ticket_new", "withdrawals", "debt"):
        assert_no_inline_code(html_of(customer_client.get(reverse(f"console:{name}"))))


@pytest.mark.django_db
def test_ticket_reply_refuses_a_fake_image_next_to_the_field(customer_client, customer):
    customer_client.post(reverse("console:ticket_new"), {"subject": "发票问题", "body": "请帮忙"})
    ticket = SupportTicket.objects.get(customer_account=customer.customer_account)
    url = reverse("console:ticket_detail", args=[ticket.pk])
    fake = SimpleUploadedFile("photo.png", b"not really a png", content_type="image/png")
    response = customer_client.post(url, {"body": "附件", "files": [fake]})
    html = response.content.decode()
    assert response.status_code == 200 and "field-error" in html
    assert ticket.messages.count() == 1
    response = customer_client.post(url, {"body": "补充说明"})
    assert response.status_code == 302
    html = html_of(customer_client.get(url))
    assert "补充说明" in html and html.count('data-testid="ticket-message"') == 2


@pytest.mark.django_db
def test_withdrawal_takes_the_bank_account_from_a_company_title(
    customer_client, customer, vendor, vendor_user, consumed
):
    refund = refund_through_page(customer_client, vendor, "200.00")
    refund_approve(actor=vendor_user, vendor=vendor, refund_id=refund.pk)
    title = customer.customer_account.titles.get(is_default=True)
    title.bank_name, title.bank_account = "招商银行杭州分行", "571900000010101"
    title.save()
    html = html_of(customer_client.get(reverse("console:withdrawals")))
    assert "You owe invoices" not in html and "¥200.00" in html
    # More than the balance is refused next to the amount.
    response = customer_client.post(reverse("console:withdrawals"), {"amount": "500.00", "title": str(title.pk)})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    customer_client.post(reverse("console:withdrawals"), {"amount": "200.00", "title": str(title.pk)})
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.bank_name, withdrawal.bank_account, withdrawal.account_holder) == (
        "招商银行杭州分行",
        "571900000010101",
        title.name,
    )
    html = html_of(customer_client.get(reverse("console:withdrawals")))
    assert 'data-testid="nothing-to-withdraw"' in html and f'id="withdrawal-{withdrawal.pk}"' in html


@pytest.mark.django_db
def test_a_busy_account_can_file_the_void_ticket_for_an_older_returned_invoice(
    consumed, vendor, vendor_user, other_customer, submit
):
    # given a returned invoice, then more than a hundred newer requests (the ticket form lists the newest 100)
    from apps.refunds.services.returns import invoice_return_request, invoice_return_ship
    from tests.helpers import reach_status

    customer = consumed
    account = customer.customer_account
    old = reach_status(submit(customer, vendor, "5.00"), "mailing", vendor_user)
    returned = invoice_return_request(
        actor=customer, customer_account=account, invoice_request_id=old.pk, purpose="refund", reason="开错了"
    )
    invoice_return_agree(actor=vendor_user, vendor=vendor, return_id=returned.pk, fault="")
    invoice_return_ship(
        actor=customer, customer_account=account, return_id=returned.pk, courier="sf", tracking_number="SF1234567890"
    )
    invoice_return_receive(actor=vendor_user, vendor=vendor, return_id=returned.pk)
    for _ in range(101):
        submit(customer, vendor, "1.00")
    client = page_client(customer)
    # when the customer opens the prefilled "please void" ticket and sends it
    page = client.get(reverse("console:ticket_new") + f"?return={returned.pk}")
    initial = page.context["form"].initial
    sent = client.post(
        reverse("console:ticket_new"),
        {key: initial[key] for key in ("subject", "body", "invoice_request", "invoice_return")},
    )
    # then it is filed about that request
    assert sent.status_code == 302
    assert SupportTicket.objects.get(customer_account=account).invoice_request_id == old.pk
    # and another account's request still cannot be named
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="10.00")
    foreign = submit(other_customer, vendor, "1.00")
    refused = client.post(reverse("console:ticket_new"), {"subject": "s", "body": "b", "invoice_request": foreign.pk})
    assert refused.status_code == 200 and "invoice_request" in refused.context["form"].errors
