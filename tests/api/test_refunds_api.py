"""The issue 8 API: refunds, invoice debt, returns, tickets, staff void and withdrawals, end to end through the
services, with the error shape, scoping (404 outside the actor's data) and the 409 of a lost race."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.invoices.models import InvoiceRequest
from apps.refunds.models import SupportTicket
from tests.factories import CustomerUserFactory, StaffUserFactory, consume
from tests.helpers import accept, api_client, assert_error, fresh, mail, submit

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _mailed(customer, vendor, amount="1000.00") -> InvoiceRequest:
    return mail(submit(customer, vendor, amount))


def _approved_refund(customer_api, vendor_api, vendor, amount="300.00") -> dict:
    created = customer_api.post(
        "/api/v1/refunds/", {"vendor": vendor.pk, "amount": amount, "reason": "Plan cancelled"}, format="json"
    )
    assert created.status_code == 201, created.json()
    approved = vendor_api.post(f"/api/v1/vendor/refunds/{created.json()['id']}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    return approved.json()


def _returned_and_ticketed(customer_api, vendor_api, invoice_request) -> tuple[dict, dict]:
    asked = customer_api.post(
        "/api/v1/invoice-returns/",
        {"invoice_request": invoice_request.pk, "purpose": "refund", "reason": "Refunded: the invoice is too high"},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    return_id = asked.json()["id"]
    assert vendor_api.post(f"/api/v1/vendor/invoice-returns/{return_id}/agree/", {}, format="json").status_code == 200
    shipped = customer_api.post(
        f"/api/v1/invoice-returns/{return_id}/ship/",
        {"courier": "sf", "tracking_number": "SF1234567890"},
        format="json",
    )
    assert shipped.status_code == 200, shipped.json()
    received = vendor_api.post(f"/api/v1/vendor/invoice-returns/{return_id}/receive/", format="json")
    assert received.json()["status"] == "received"
    ticket = customer_api.post(
        "/api/v1/tickets/",
        {
            "subject": "Please void the returned invoice",
            "body": "The vendor received it back.",
            "invoice_request": invoice_request.pk,
            "invoice_return": return_id,
            "files": [SimpleUploadedFile("back.png", PNG, content_type="image/png")],
        },
        format="multipart",
    )
    assert ticket.status_code == 201, ticket.json()
    return received.json(), ticket.json()


def test_refund_return_void_and_withdraw_through_the_api(
    consumed, vendor, vendor_api, customer_api, staff_api, other_customer
):
    customer = consumed
    invoice_request = _mailed(customer, vendor)

    refund = _approved_refund(customer_api, vendor_api, vendor)
    assert refund["status"] == "approved"
    assert refund["amount"] == "300.00"

    # The account owes an invoice: the debt names the mailed request and says to return it; withdrawal is refused.
    debts = customer_api.get("/api/v1/invoice-debts/").json()
    assert [(debt["vendor"], debt["debt"]) for debt in debts] == [(vendor.pk, "300.00")]
    assert [(item["invoice_request"], item["action"]) for item in debts[0]["blocking"]] == [
        (invoice_request.pk, "return")
    ]
    bank = {"bank_name": "ICBC", "bank_account": "6222020200112233", "account_holder": "Zhang San"}
    refused = customer_api.post("/api/v1/withdrawals/", {"amount": "300.00", **bank}, format="json")
    body = assert_error(refused, 400, "invoice_debt")
    assert all(isinstance(line, str) for line in body["fields"]["debts"])
    assert any(invoice_request.number in line for line in body["fields"]["debts"])

    invoice_return, ticket = _returned_and_ticketed(customer_api, vendor_api, invoice_request)
    assert invoice_return["customer_pays_postage"] is True
    assert ticket["messages"][0]["attachments"][0]["content_type"] == "image/png"
    attachment_id = ticket["messages"][0]["attachments"][0]["id"]
    download = customer_api.get(f"/api/v1/tickets/attachments/{attachment_id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert_error(api_client(other_customer).get(f"/api/v1/tickets/attachments/{attachment_id}/"), 404, "not_found")

    voided = staff_api.post(
        f"/api/v1/staff/invoice-requests/{invoice_request.pk}/void/",
        {"ticket": ticket["id"], "reason": "Returned for a refund"},
        format="json",
    )
    assert voided.status_code == 200, voided.json()
    assert voided.json()["status"] == "voided"
    assert customer_api.get(f"/api/v1/tickets/{ticket['id']}/").json()["status"] == "resolved"
    assert customer_api.get("/api/v1/invoice-debts/").json() == []

    withdrawal = customer_api.post(
        "/api/v1/withdrawals/", {"amount": "300.00", **bank}, format="json", HTTP_IDEMPOTENCY_KEY="w-1"
    )
    assert withdrawal.status_code == 201, withdrawal.json()
    assert customer_api.get("/api/v1/withdrawals/balance/").json()["withdrawable"] == "0.00"
    paid = staff_api.post(f"/api/v1/staff/withdrawals/{withdrawal.json()['id']}/pay/", format="json")
    assert paid.json()["status"] == "paid"
    assert customer_api.get("/api/v1/withdrawals/").json()["results"][0]["status"] == "paid"


def test_vendor_states_fault_and_the_return_says_the_vendor_pays_postage(consumed, vendor, vendor_api, customer_api):
    invoice_request = _mailed(consumed, vendor)
    asked = customer_api.post(
        "/api/v1/invoice-returns/",
        {"invoice_request": invoice_request.pk, "purpose": "reissue", "reason": "Wrong taxpayer ID"},
        format="json",
    ).json()

    agreed = vendor_api.post(
        f"/api/v1/vendor/invoice-returns/{asked['id']}/agree/", {"fault": "mismatch"}, format="json"
    ).json()

    assert (agreed["status"], agreed["vendor_fault"], agreed["customer_pays_postage"]) == ("agreed", "mismatch", False)
    assert customer_api.get(f"/api/v1/invoice-returns/{asked['id']}/").json()["customer_pays_postage"] is False


def test_other_accounts_and_vendors_get_404(
    consumed, vendor, customer_api, vendor_api, other_customer, other_vendor_user
):
    invoice_request = _mailed(consumed, vendor)
    refund = customer_api.post(
        "/api/v1/refunds/", {"vendor": vendor.pk, "amount": "100.00", "reason": "Too much"}, format="json"
    ).json()
    invoice_return = customer_api.post(
        "/api/v1/invoice-returns/",
        {"invoice_request": invoice_request.pk, "purpose": "reissue", "reason": "Wrong title"},
        format="json",
    ).json()
    ticket = customer_api.post(
        "/api/v1/tickets/", {"subject": "Help", "body": "Please", "invoice_request": invoice_request.pk}, format="json"
    ).json()
    stranger, other_vendor = api_client(other_customer), api_client(other_vendor_user)

    assert_error(stranger.get(f"/api/v1/refunds/{refund['id']}/"), 404, "not_found")
    assert_error(stranger.get(f"/api/v1/invoice-returns/{invoice_return['id']}/"), 404, "not_found")
    assert_error(stranger.get(f"/api/v1/tickets/{ticket['id']}/"), 404, "not_found")
    assert_error(
        stranger.post(f"/api/v1/tickets/{ticket['id']}/reply/", {"body": "hi"}, format="json"), 404, "not_found"
    )
    assert_error(
        stranger.post(
            "/api/v1/invoice-returns/",
            {"invoice_request": invoice_request.pk, "purpose": "refund", "reason": "x"},
            format="json",
        ),
        404,
        "not_found",
    )
    assert_error(other_vendor.post(f"/api/v1/vendor/refunds/{refund['id']}/approve/", format="json"), 404, "not_found")
    assert_error(
        other_vendor.post(f"/api/v1/vendor/invoice-returns/{invoice_return['id']}/agree/", format="json"),
        404,
        "not_found",
    )
    assert stranger.get("/api/v1/refunds/").json()["results"] == []
    assert other_vendor.get("/api/v1/vendor/refunds/").json()["results"] == []
    assert_error(vendor_api.get("/api/v1/staff/tickets/"), 403, "permission_denied")
    assert_error(customer_api.post(f"/api/v1/vendor/refunds/{refund['id']}/approve/"), 403, "permission_denied")


def test_refusals_answer_the_error_shape_with_fields(consumed, vendor, customer_api, vendor_api):
    too_much = customer_api.post(
        "/api/v1/refunds/", {"vendor": vendor.pk, "amount": "1000.01", "reason": "All of it"}, format="json"
    )
    assert_error(too_much, 400, "amount_exceeds_refundable")
    assert "amount" in too_much.json()["fields"]
    assert_error(
        customer_api.post("/api/v1/refunds/", {"vendor": vendor.pk, "amount": "1e3", "reason": "x"}, format="json"),
        400,
        "invalid_amount",
    )
    refund = customer_api.post(
        "/api/v1/refunds/", {"vendor": vendor.pk, "amount": "100.00", "reason": "Too much"}, format="json"
    ).json()
    no_reason = vendor_api.post(f"/api/v1/vendor/refunds/{refund['id']}/reject/", {"reason": ""}, format="json")
    assert "reason" in assert_error(no_reason, 400, no_reason.json()["code"])["fields"]
    vendor_api.post(f"/api/v1/vendor/refunds/{refund['id']}/approve/", format="json")
    twice = vendor_api.post(f"/api/v1/vendor/refunds/{refund['id']}/approve/", format="json")
    assert twice.status_code == 409
    assert_error(twice, 409, twice.json()["code"])
    pending = submit(consumed, vendor, "100.00")
    not_mailed = customer_api.post(
        "/api/v1/invoice-returns/",
        {"invoice_request": pending.pk, "purpose": "refund", "reason": "x"},
        format="json",
    )
    assert not_mailed.status_code in (400, 409)
    assert_error(not_mailed, not_mailed.status_code, not_mailed.json()["code"])


def test_void_needs_the_ticket_of_that_request(consumed, vendor, customer_api, vendor_api, staff_api):
    invoice_request = _mailed(consumed, vendor, "400.00")
    other_request = _mailed(consumed, vendor, "400.00")
    _invoice_return, ticket = _returned_and_ticketed(customer_api, vendor_api, invoice_request)

    mismatch = staff_api.post(
        f"/api/v1/staff/invoice-requests/{other_request.pk}/void/",
        {"ticket": ticket["id"], "reason": "x"},
        format="json",
    )
    assert_error(mismatch, 400, "ticket_mismatch")
    assert fresh(other_request).status == "mailing"
    no_permission = api_client(StaffUserFactory())
    denied = no_permission.post(
        f"/api/v1/staff/invoice-requests/{invoice_request.pk}/void/",
        {"ticket": ticket["id"], "reason": "Returned"},
        format="json",
    )
    assert denied.status_code == 403
    assert fresh(invoice_request).status == "mailing"
    assert_error(
        customer_api.post(f"/api/v1/staff/invoice-requests/{invoice_request.pk}/void/"), 403, "permission_denied"
    )
    assert_error(
        staff_api.post("/api/v1/staff/invoice-requests/999999/void/", {"ticket": ticket["id"], "reason": "x"}),
        404,
        "not_found",
    )


@pytest.mark.django_db(transaction=True)
def test_two_staff_voiding_at_once_one_wins_the_other_gets_409(vendor, run_together):
    customer = CustomerUserFactory()
    from tests.factories import InvoiceTitleFactory, MailingAddressFactory, VendorUserFactory

    InvoiceTitleFactory(customer_account=customer.customer_account, is_default=True)
    MailingAddressFactory(customer_account=customer.customer_account, is_default=True)
    consume(customer_account=customer.customer_account, vendor=vendor, amount="1000.00")
    invoice_request = _mailed(customer, vendor)
    customer_api, vendor_api = api_client(customer), api_client(VendorUserFactory(vendor=vendor))
    _invoice_return, ticket = _returned_and_ticketed(customer_api, vendor_api, invoice_request)
    staff = [StaffUserFactory(is_superuser=True) for _ in range(2)]

    def void(index):
        response = api_client(staff[index]).post(
            f"/api/v1/staff/invoice-requests/{invoice_request.pk}/void/",
            {"ticket": ticket["id"], "reason": "Returned for a refund"},
            format="json",
        )
        return response.status_code

    assert sorted(run_together(void, 2)) == [200, 409]
    assert fresh(invoice_request).status == "voided"
    assert SupportTicket.objects.get(pk=ticket["id"]).status == "resolved"


def test_billing_refunds_are_idempotent_by_external_id(consumed, vendor, staff_api, customer_api):
    body = {
        "external_id": "bill-42",
        "customer_account": consumed.customer_account.pk,
        "vendor": vendor.pk,
        "amount": "50.00",
    }
    first = staff_api.post("/api/v1/billing/refunds/", body, format="json")
    again = staff_api.post("/api/v1/billing/refunds/", body, format="json")
    changed = staff_api.post("/api/v1/billing/refunds/", {**body, "amount": "60.00"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "approved"
    assert_error(changed, 409, "external_id_conflict")
    assert customer_api.get("/api/v1/withdrawals/balance/").json()["withdrawable"] == "50.00"
    assert_error(customer_api.post("/api/v1/billing/refunds/", body, format="json"), 403, "permission_denied")
    unknown = staff_api.post("/api/v1/billing/refunds/", {**body, "customer_account": 999999}, format="json")
    assert "customer_account" in assert_error(unknown, 400, "invalid")["fields"]


def test_staff_ticket_queue_assign_reply_and_history(consumed, vendor, customer_api, staff_api, staff_user):
    invoice_request = _mailed(consumed, vendor)
    ticket = customer_api.post(
        "/api/v1/tickets/", {"subject": "Help", "body": "Please", "invoice_request": invoice_request.pk}, format="json"
    ).json()

    assert [row["id"] for row in staff_api.get("/api/v1/staff/tickets/?assignee=none").json()["results"]] == [
        ticket["id"]
    ]
    assigned = staff_api.post(f"/api/v1/staff/tickets/{ticket['id']}/assign/", format="json").json()
    assert assigned["assignee_name"]
    assert [row["id"] for row in staff_api.get("/api/v1/staff/tickets/?assignee=me").json()["results"]] == [
        ticket["id"]
    ]
    assert staff_api.get("/api/v1/staff/tickets/?assignee=none").json()["results"] == []
    replied = staff_api.post(
        f"/api/v1/staff/tickets/{ticket['id']}/reply/", {"body": "Send the invoice back first."}, format="json"
    ).json()
    assert [message["by_staff"] for message in replied["messages"]] == [False, True]
    # beside the conversation, the request's whole history, oldest first
    assert [event["to_status"] for event in replied["invoice_request_events"]][:3] == [
        "pending",
        "processing",
        "mailing",
    ]
    assert_error(staff_api.get("/api/v1/staff/tickets/?status=nope"), 400, "invalid")
    seen = customer_api.get(f"/api/v1/tickets/{ticket['id']}/").json()
    assert seen["messages"][-1]["body"] == "Send the invoice back first."


def test_vendor_puts_a_never_mailed_request_back_in_the_queue(consumed, vendor, vendor_api, other_vendor_user):
    processing = accept(submit(consumed, vendor, "100.00"))
    url = f"/api/v1/vendor/invoice-requests/{processing.pk}/reopen/"

    assert_error(api_client(other_vendor_user).post(url, {"reason": "x"}, format="json"), 404, "not_found")
    assert "reason" in vendor_api.post(url, {"reason": ""}, format="json").json()["fields"]
    reopened = vendor_api.post(url, {"reason": "The customer asked to return it"}, format="json")

    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["status"] == "pending"
    assert fresh(processing).status == "pending"
