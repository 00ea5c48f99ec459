"""The vendor back-office API: the queue with filters, detail, accept, reject, mail, bulk accept, the mailing CSV,
scoping between vendors, and who may use it at all (customers never; staff read-only)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.accounts import user_cache
from apps.billing.models import VendorBalance
from apps.invoices.models import InvoiceEvent, InvoiceRequest, IssuedInvoice
from apps.invoices.services import invoice_request_accept, invoice_request_cancel
from tests.factories import VendorUserFactory, consume
from tests.helpers import assert_error, submit

URL = "/api/v1/vendor/invoice-requests/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Thursday in a month without public holidays: 10 working days later is Thursday 2025-03-20.
SUBMITTED_AT = dt.datetime(2025, 3, 6, 14, 0, tzinfo=SHANGHAI)
CSV_HEADER = "request_number,invoice_numbers,invoice_date,courier,tracking_number,shipping_payer\n"

LIST_FIELDS = {
    "id",
    "number",
    "status",
    "status_display",
    "amount",
    "invoice_type",
    "invoice_type_display",
    "shipping_rule",
    "shipping_rule_display",
    "shipping_payer",
    "shipping_payer_display",
    "submitted_at",
    "dispatch_due_date",
    "dispatch_due_date_provisional",
    "working_days_left",
    "is_overdue",
    "vendor",
    "vendor_name",
    "customer_account_name",
    "title_name",
    "title_taxpayer_id",
}


class Clock:
    """timezone.now() for the services and the views, moved by the test."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(SUBMITTED_AT)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def other_vendor_user(db, other_vendor):
    return VendorUserFactory(vendor=other_vendor)


def accepted(customer, vendor_user, amount: str = "100.00") -> InvoiceRequest:
    """A request the vendor accepted: processing."""
    request = submit(customer, vendor_user.vendor, amount)
    invoice_request_accept(actor=vendor_user, vendor=vendor_user.vendor, invoice_request_id=request.pk)
    return InvoiceRequest.objects.get(pk=request.pk)


def mailing(**overrides) -> dict:
    return {
        "invoice_numbers": ["04512345"],
        "invoice_date": "2025-03-06",
        "courier": "sf",
        "tracking_number": "SF1234567890",
        "shipping_payer": "vendor",
        **overrides,
    }


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def stored(request: InvoiceRequest) -> InvoiceRequest:
    return InvoiceRequest.objects.get(pk=request.pk)


def invoiced(customer, vendor) -> Decimal:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor).invoiced


def event_time(event) -> str:
    return timezone.localtime(event.created_at).isoformat()


# --- list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def queue(clock, consumed, other_customer, vendor, other_vendor):
    """Three requests for `vendor` (due 03-20, 03-21, 03-24) and one for `other_vendor`."""
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="500.00")
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    clock.now = dt.datetime(2025, 3, 7, 9, 0, tzinfo=SHANGHAI)  # Friday -> due Friday 03-21
    middle = submit(other_customer, vendor, "20.00")
    clock.now = dt.datetime(2025, 3, 6, 14, 0, tzinfo=SHANGHAI)  # Thursday -> due Thursday 03-20
    first = submit(consumed, vendor, "10.00")
    clock.now = dt.datetime(2025, 3, 10, 9, 0, tzinfo=SHANGHAI)  # Monday -> due Monday 03-24
    last = submit(consumed, vendor, "30.00")
    theirs = submit(consumed, other_vendor, "40.00")
    return {"first": first, "middle": middle, "last": last, "theirs": theirs}


@pytest.mark.django_db
def test_list_shows_only_the_vendors_requests_by_mail_by_date_with_days_left(client_for, vendor_user, queue, clock):
    # given today is Tuesday 2025-03-18
    clock.now = dt.datetime(2025, 3, 18, 10, 0, tzinfo=SHANGHAI)
    # when the vendor opens its queue
    response = client_for(vendor_user).get(URL)
    # then its three requests are listed, the one to mail first at the top; the other vendor's is not there
    assert ids(response) == [queue["first"].pk, queue["middle"].pk, queue["last"].pk]
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert set(body["results"][0]) == LIST_FIELDS
    first, middle = queue["first"], queue["middle"]
    assert body["results"][0] == {
        "id": first.pk,
        "number": f"IR20250306{first.pk:06d}",
        "status": "pending",
        "status_display": "Pending",
        "amount": "10.00",
        "invoice_type": "general",
        "invoice_type_display": "VAT general invoice (paper)",
        "shipping_rule": "cod_allowed",
        "shipping_rule_display": "Cash on delivery allowed",
        "shipping_payer": "",
        "shipping_payer_display": "",
        "submitted_at": "2025-03-06T14:00:00+08:00",
        "dispatch_due_date": "2025-03-20",
        "dispatch_due_date_provisional": False,
        "working_days_left": 2,
        "is_overdue": False,
        "vendor": vendor_user.vendor.pk,
        "vendor_name": vendor_user.vendor.name,
        "customer_account_name": first.customer_account.name,
        "title_name": first.title_snapshot["name"],
        "title_taxpayer_id": "91110000600037341L",
    }
    assert body["results"][1]["customer_account_name"] == middle.customer_account.name
    assert [row["working_days_left"] for row in body["results"]] == [2, 3, 4]


@pytest.mark.django_db
def test_overdue_rows_say_so_and_closed_rows_have_no_days_left(client_for, vendor_user, queue, clock):
    # given the first request is cancelled, and today is Monday 03-24: the middle one (due 03-21) is overdue
    customer = queue["first"].submitted_by
    invoice_request_cancel(
        actor=customer, customer_account=customer.customer_account, invoice_request_id=queue["first"].pk
    )
    clock.now = dt.datetime(2025, 3, 24, 10, 0, tzinfo=SHANGHAI)
    # when
    rows = {row["id"]: row for row in client_for(vendor_user).get(URL).json()["results"]}
    # then
    assert (rows[queue["middle"].pk]["working_days_left"], rows[queue["middle"].pk]["is_overdue"]) == (-1, True)
    assert (rows[queue["last"].pk]["working_days_left"], rows[queue["last"].pk]["is_overdue"]) == (0, False)
    assert (rows[queue["first"].pk]["working_days_left"], rows[queue["first"].pk]["is_overdue"]) == (None, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "pending"}, ["first", "middle", "last"]),
        ({"status": "processing"}, []),
        ({"submitted_from": "2025-03-07"}, ["middle", "last"]),
        ({"submitted_to": "2025-03-06"}, ["first"]),
        ({"submitted_from": "2025-03-07", "submitted_to": "2025-03-07"}, ["middle"]),
        ({"due_from": "2025-03-21"}, ["middle", "last"]),
        ({"due_to": "2025-03-21"}, ["first", "middle"]),
        ({"due_from": "2025-03-21", "due_to": "2025-03-21"}, ["middle"]),
        ({"overdue": "true"}, ["first", "middle"]),
        ({"overdue": "false"}, ["first", "middle", "last"]),
        ({"search": "first_number"}, ["first"]),
        ({"search": "91110000600037341l"}, ["first", "middle", "last"]),
        ({"search": "no such thing"}, []),
        (
            {"status": "", "submitted_from": "", "submitted_to": "", "due_from": "", "due_to": "", "search": ""},
            ["first", "middle", "last"],
        ),
    ],
)
def test_list_filters(client_for, vendor_user, queue, clock, params, expected):
    # given today is Monday 03-24: the requests due 03-20 and 03-21 are overdue
    clock.now = dt.datetime(2025, 3, 24, 10, 0, tzinfo=SHANGHAI)
    if params.get("search") == "first_number":
        params = {"search": queue["first"].number}
    # when
    response = client_for(vendor_user).get(URL, params)
    # then
    assert ids(response) == [queue[name].pk for name in expected]


@pytest.mark.django_db
def test_search_finds_a_customer_and_a_title_name(client_for, vendor_user, queue):
    middle = queue["middle"]
    client = client_for(vendor_user)
    assert ids(client.get(URL, {"search": middle.customer_account.name})) == [middle.pk]
    assert ids(client.get(URL, {"search": middle.title_snapshot["name"]})) == [middle.pk]


@pytest.mark.django_db
def test_list_refuses_invalid_filter_values(client_for, vendor_user):
    response = client_for(vendor_user).get(
        URL,
        {
            "status": "lost",
            "submitted_from": "2025/03/01",
            "submitted_to": "2025-02-30",
            "due_from": "tomorrow",
            "due_to": "20250301",
            "overdue": "maybe",
            "search": "x" * 101,
        },
    )
    wrong_date = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    assert_error(
        response,
        400,
        "invalid",
        "Please correct the fields marked below.",
        {
            "status": ['"lost" is not a valid choice.'],
            "submitted_from": wrong_date,
            "submitted_to": wrong_date,
            "due_from": wrong_date,
            "due_to": wrong_date,
            "overdue": ["Must be a valid boolean."],
            "search": ["Ensure this field has no more than 100 characters."],
        },
    )


@pytest.mark.django_db
def test_list_pages(client_for, vendor_user, queue):
    client = client_for(vendor_user)
    response = client.get(URL, {"page_size": 2})
    assert ids(response) == [queue["first"].pk, queue["middle"].pk]
    assert response.json()["next"] == "http://testserver/api/v1/vendor/invoice-requests/?page=2&page_size=2"
    assert ids(client.get(URL, {"page_size": 2, "page": 2})) == [queue["last"].pk]
    assert_error(client.get(URL, {"page": 9}), 404, "not_found", "Invalid page.", {})


@pytest.mark.django_db
def test_list_takes_the_same_number_of_queries_for_3_or_30_requests(
    client_for, vendor_user, consumed, vendor, django_assert_num_queries
):
    client = client_for(vendor_user)
    for _ in range(3):
        submit(consumed, vendor, "10.00")
    cache.delete(user_cache.KEY.format(vendor_user.pk))  # the marker creating the user left has expired
    client.get(URL)  # the token and its user are now in the shared cache
    # the count from the stored counters (VendorStatusCount), the page with vendor and customer account
    with django_assert_num_queries(2):
        assert client.get(URL).json()["count"] == 3
    for _ in range(27):
        submit(consumed, vendor, "10.00")
    with django_assert_num_queries(2):
        assert len(client.get(URL, {"page_size": 30}).json()["results"]) == 30


@pytest.mark.django_db
def test_the_count_from_the_stored_counters_is_the_real_count(client_for, consumed, vendor, vendor_user, staff_user):
    # given requests in several statuses, and another vendor's
    requests = [submit(consumed, vendor, "10.00") for _ in range(5)]
    invoice_request_accept(actor=vendor_user, vendor=vendor, invoice_request_id=requests[0].pk)
    invoice_request_cancel(
        actor=consumed, customer_account=consumed.customer_account, invoice_request_id=requests[1].pk, reason=""
    )
    other = VendorUserFactory()
    consume(customer_account=consumed.customer_account, vendor=other.vendor, amount="100.00")
    submit(consumed, other.vendor, "10.00")
    mine = InvoiceRequest.objects.filter(vendor=vendor)
    # then the vendor's list counts what a COUNT(*) counts, per status and in all, with one page of 2 or not
    for params in ({}, {"status": "pending"}, {"status": "processing"}, {"status": "mailing"}, {"page_size": 2}):
        expected = mine.filter(status=params["status"]).count() if "status" in params else mine.count()
        body = client_for(vendor_user).get(URL, params).json()
        assert body["count"] == expected, params
        assert (body["next"] is None) == (expected <= params.get("page_size", 20))
    # a filter other than the status is counted over the rows
    assert client_for(vendor_user).get(URL, {"search": requests[2].number}).json()["count"] == 1
    # staff count every vendor's
    assert client_for(staff_user).get(URL).json()["count"] == InvoiceRequest.objects.count() == 6
    assert client_for(staff_user).get(URL, {"status": "pending"}).json()["count"] == 4


# --- retrieve -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_retrieve_shows_what_to_print_and_post_what_was_mailed_and_the_timeline(
    client_for, clock, consumed, vendor_user
):
    # given a ¥30.00 request the vendor accepted and mailed cash on delivery with two invoice numbers
    request = accepted(consumed, vendor_user, "30.00")
    client = client_for(vendor_user)
    body = mailing(
        invoice_numbers="04512345, 04512346",
        courier="other",
        courier_name="安能物流",
        tracking_number="an-778899",
        shipping_payer="recipient",
    )
    assert client.post(f"{URL}{request.pk}/mail/", body, format="json").status_code == 200
    # when the vendor opens it
    response = client.get(f"{URL}{request.pk}/")
    # then everything is there, the mailing fields included
    assert response.status_code == 200
    request = stored(request)
    title = consumed.customer_account.titles.get()
    submitted, accepted_event, mailed = request.events.order_by("created_at", "id")
    assert response.json() == {
        "id": request.pk,
        "number": f"IR20250306{request.pk:06d}",
        "status": "mailing",
        "status_display": "Mailing",
        "status_reason": "",
        "amount": "30.00",
        "invoice_type": "general",
        "invoice_type_display": "VAT general invoice (paper)",
        "shipping_rule": "cod_allowed",
        "shipping_rule_display": "Cash on delivery allowed",
        "shipping_payer": "recipient",
        "shipping_payer_display": "Cash on delivery",
        "submitted_at": "2025-03-06T14:00:00+08:00",
        "dispatch_due_date": "2025-03-20",
        "dispatch_due_date_provisional": False,
        "working_days_left": None,
        "is_overdue": False,
        "vendor": vendor_user.vendor.pk,
        "vendor_name": vendor_user.vendor.name,
        "customer_account_name": consumed.customer_account.name,
        "submitted_by": consumed.display_name,
        "title_name": title.name,
        "title_taxpayer_id": "91110000600037341L",
        "title_snapshot": {
            "kind": "company",
            "name": title.name,
            "taxpayer_id": "91110000600037341L",
            "taxpayer_id_verified": True,
            "registered_address": "北京市海淀区中关村大街 1 号",
            "registered_phone": "010-88886666",
            "bank_name": "中国工商银行北京分行",
            "bank_account": "0200000000000000000",
        },
        "address_snapshot": {
            "recipient": "王五",
            "phone": "13800138000",
            "province": "北京市",
            "city": "北京市",
            "district": "海淀区",
            "street": "中关村大街 1 号",
            "postal_code": "100080",
        },
        "invoice_numbers": ["04512345", "04512346"],
        "invoice_date": "2025-03-06",
        "courier": "other",
        "courier_label": "安能物流",
        "tracking_number": "AN-778899",
        "mailed_at": "2025-03-06T14:00:00+08:00",
        "events": [
            {
                "time": event_time(submitted),
                "actor": consumed.display_name,
                "kind": "status_changed",
                "kind_display": "Status changed",
                "from_status": "",
                "from_status_display": "",
                "to_status": "pending",
                "to_status_display": "Pending",
                "reason": "",
            },
            {
                "time": event_time(accepted_event),
                "actor": vendor_user.display_name,
                "kind": "status_changed",
                "kind_display": "Status changed",
                "from_status": "pending",
                "from_status_display": "Pending",
                "to_status": "processing",
                "to_status_display": "Processing",
                "reason": "",
            },
            {
                "time": event_time(mailed),
                "actor": vendor_user.display_name,
                "kind": "status_changed",
                "kind_display": "Status changed",
                "from_status": "processing",
                "from_status_display": "Processing",
                "to_status": "mailing",
                "to_status_display": "Mailing",
                "reason": "",
            },
        ],
    }


@pytest.mark.django_db
def test_a_pending_request_has_no_mailing_fields_yet(client_for, clock, consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "60.00")
    body = client_for(vendor_user).get(f"{URL}{request.pk}/").json()
    assert {key: body[key] for key in ("invoice_numbers", "invoice_date", "courier", "courier_label")} == {
        "invoice_numbers": [],
        "invoice_date": None,
        "courier": "",
        "courier_label": "",
    }
    assert (body["tracking_number"], body["shipping_payer"], body["mailed_at"]) == ("", "", None)
    assert (body["shipping_rule"], body["working_days_left"]) == ("vendor_pays", 10)


@pytest.mark.django_db
def test_detail_takes_a_fixed_number_of_queries(client_for, clock, consumed, vendor_user, django_assert_num_queries):
    request = accepted(consumed, vendor_user, "30.00")
    client = client_for(vendor_user)
    cache.delete(user_cache.KEY.format(vendor_user.pk))  # the marker creating the user left has expired
    client.post(f"{URL}{request.pk}/mail/", mailing(invoice_numbers=["04512345", "04512346"]), format="json")
    # request with vendor/account/submitter, events with actors, invoice numbers; the token and its user (read by the
    # POST) come from the shared cache
    with django_assert_num_queries(3):
        assert len(client.get(f"{URL}{request.pk}/").json()["events"]) == 3


# --- accept and reject ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_accept_makes_a_pending_request_processing(client_for, consumed, vendor_user):
    # given a pending request
    request = submit(consumed, vendor_user.vendor, "100.00")
    # when the vendor accepts it
    response = client_for(vendor_user).post(f"{URL}{request.pk}/accept/")
    # then it is processing, the timeline says who did it, and the amount is still invoiced
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_display"]) == ("processing", "Processing")
    assert [(e["actor"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        (consumed.display_name, "", "pending"),
        (vendor_user.display_name, "pending", "processing"),
    ]
    assert stored(request).status == "processing"
    assert invoiced(consumed, vendor_user.vendor) == Decimal("100.00")


@pytest.mark.django_db
def test_accepting_twice_answers_409(client_for, consumed, vendor_user):
    request = accepted(consumed, vendor_user)
    response = client_for(vendor_user).post(f"{URL}{request.pk}/accept/")
    assert_error(
        response,
        409,
        "cannot_accept",
        f"Request {request.number} is already Processing; only a pending request can be accepted or rejected.",
        {},
    )
    assert request.events.count() == 2


@pytest.mark.django_db
def test_a_request_the_customer_cancelled_cannot_be_accepted_and_the_vendor_is_told_why(
    client_for, consumed, vendor_user
):
    # given the customer cancelled the request a moment before the vendor clicks accept
    request = submit(consumed, vendor_user.vendor, "100.00")
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=request.pk)
    # when the vendor accepts
    response = client_for(vendor_user).post(f"{URL}{request.pk}/accept/")
    # then a clear conflict, and nothing changed
    assert_error(
        response,
        409,
        "cannot_accept",
        f"The customer cancelled request {request.number} a moment ago; it can no longer be accepted or rejected.",
        {},
    )
    assert stored(request).status == "cancelled"
    assert invoiced(consumed, vendor_user.vendor) == Decimal("0.00")


@pytest.mark.django_db
def test_reject_needs_a_reason_and_changes_nothing_without_one(client_for, consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "100.00")
    message = "Tell the customer why the request is rejected, for example that the title is wrong."
    for body in ({}, {"reason": "   "}):
        response = client_for(vendor_user).post(f"{URL}{request.pk}/reject/", body, format="json")
        assert_error(response, 400, "reason_required", message, {"reason": [message]})
    assert stored(request).status == "pending"
    assert invoiced(consumed, vendor_user.vendor) == Decimal("100.00")


@pytest.mark.django_db
def test_reject_with_a_reason_the_customer_sees_and_frees_the_amount(client_for, consumed, vendor_user):
    # given a pending request of ¥100.00
    request = submit(consumed, vendor_user.vendor, "100.00")
    # when the vendor rejects it with a reason
    response = client_for(vendor_user).post(f"{URL}{request.pk}/reject/", {"reason": "抬头税号有误"}, format="json")
    # then it is rejected with that reason, on the request and in the timeline
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_reason"]) == ("rejected", "抬头税号有误")
    assert body["events"][-1]["reason"] == "抬头税号有误"
    # and the customer sees the reason and may invoice the amount again
    customer_view = client_for(consumed).get(f"/api/v1/invoice-requests/{request.pk}/").json()
    assert (customer_view["status"], customer_view["status_reason"]) == ("rejected", "抬头税号有误")
    assert invoiced(consumed, vendor_user.vendor) == Decimal("0.00")


@pytest.mark.django_db
def test_a_processing_request_cannot_be_rejected(client_for, consumed, vendor_user):
    request = accepted(consumed, vendor_user)
    response = client_for(vendor_user).post(f"{URL}{request.pk}/reject/", {"reason": "太晚了"}, format="json")
    assert_error(response, 409, "cannot_reject")
    assert stored(request).status == "processing"
    assert invoiced(consumed, vendor_user.vendor) == Decimal("100.00")


# --- mail -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mail_records_the_invoice_numbers_courier_tracking_and_payer(client_for, clock, consumed, vendor_user):
    # given a processing request
    request = accepted(consumed, vendor_user, "100.00")
    # when the vendor marks it mailed
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", mailing(), format="json")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["invoice_numbers"], body["courier"], body["courier_label"]) == (
        "mailing",
        ["04512345"],
        "sf",
        "SF Express",
    )
    assert (body["tracking_number"], body["shipping_payer"], body["invoice_date"]) == (
        "SF1234567890",
        "vendor",
        "2025-03-06",
    )
    # and the customer sees it mailing with the tracking number
    customer_view = client_for(consumed).get(f"/api/v1/invoice-requests/{request.pk}/").json()
    assert customer_view["status"] == "mailing"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "payer", "allowed"),
    [
        ("49.99", "recipient", True),
        ("50.00", "recipient", False),
        ("50.01", "recipient", False),
        ("49.99", "vendor", True),
        ("50.00", "vendor", True),
        ("50.01", "vendor", True),
    ],
)
def test_the_shipping_payer_rule_at_the_50_boundary(client_for, clock, consumed, vendor_user, amount, payer, allowed):
    # given a processing request of the amount
    request = accepted(consumed, vendor_user, amount)
    # when the vendor marks it mailed with that payer
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", mailing(shipping_payer=payer), format="json")
    # then cash on delivery is allowed only below ¥50.00; a refusal says why and changes nothing
    if allowed:
        assert response.status_code == 200, response.json()
        assert stored(request).shipping_payer == payer
    else:
        message = (
            f"An invoice of ¥{amount} must be shipped at the vendor's cost: cash on delivery is only allowed "
            "below ¥50.00."
        )
        assert_error(response, 400, "cash_on_delivery_not_allowed", message, {"shipping_payer": [message]})
        request = stored(request)
        assert (request.status, request.shipping_payer, request.tracking_number) == ("processing", "", "")
        assert not IssuedInvoice.objects.exists()


@pytest.mark.django_db
def test_mail_names_every_missing_field(client_for, consumed, vendor_user):
    request = accepted(consumed, vendor_user)
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", {}, format="json")
    required = ["This field is required."]
    assert_error(
        response,
        400,
        "invalid",
        fields={
            "invoice_numbers": required,
            "invoice_date": required,
            "courier": required,
            "tracking_number": required,
            "shipping_payer": required,
        },
    )
    assert stored(request).status == "processing"


@pytest.mark.django_db
def test_mail_reports_every_wrong_value_at_once(client_for, clock, consumed, vendor_user):
    request = accepted(consumed, vendor_user)
    body = mailing(
        invoice_numbers="12",
        invoice_date="2025-03-07",
        courier="other",
        courier_name="",
        tracking_number="tn",
        shipping_payer="nobody",
    )
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", body, format="json")
    assert_error(
        response,
        400,
        "invalid_mailing",
        fields={
            "invoice_numbers": ["An invoice number has 6 to 32 letters, digits or dashes."],
            "invoice_date": ["The invoice date cannot be in the future."],
            "courier_name": ["Enter the courier's name."],
            "tracking_number": ["A tracking number has 6 to 40 letters, digits or dashes."],
            "shipping_payer": ["Choose who pays shipping: the vendor, or cash on delivery."],
        },
    )
    assert stored(request).status == "processing"


@pytest.mark.django_db
@pytest.mark.parametrize("numbers", [{"a": 1}, [["04512345"]], 12345678, [True]])
def test_invoice_numbers_must_be_a_list_or_a_string(client_for, clock, consumed, vendor_user, numbers):
    request = accepted(consumed, vendor_user)
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", mailing(invoice_numbers=numbers), format="json")
    message = "Enter the invoice numbers as a list or as one string separated by commas."
    assert_error(response, 400, "invalid", fields={"invoice_numbers": [message]})


@pytest.mark.django_db
def test_an_invoice_number_is_used_once_per_vendor(client_for, clock, consumed, vendor_user):
    # given an invoice number already mailed on another request
    client = client_for(vendor_user)
    first, second = accepted(consumed, vendor_user), accepted(consumed, vendor_user)
    assert client.post(f"{URL}{first.pk}/mail/", mailing(), format="json").status_code == 200
    # when the vendor uses it again
    response = client.post(f"{URL}{second.pk}/mail/", mailing(tracking_number="SF0000000002"), format="json")
    # then
    message = "Invoice number 04512345 was already used for another request."
    assert_error(response, 400, "invalid_mailing", message, {"invoice_numbers": [message]})
    assert stored(second).status == "processing"


@pytest.mark.django_db
def test_a_tracking_number_is_used_once_per_courier(client_for, clock, consumed, vendor_user):
    client = client_for(vendor_user)
    first, second, third = (accepted(consumed, vendor_user) for _ in range(3))
    assert client.post(f"{URL}{first.pk}/mail/", mailing(), format="json").status_code == 200
    response = client.post(f"{URL}{second.pk}/mail/", mailing(invoice_numbers=["04512346"]), format="json")
    message = "This tracking number was already used for another request with this courier."
    assert_error(response, 400, "invalid_mailing", message, {"tracking_number": [message]})
    # the same number with another courier is another parcel
    body = mailing(invoice_numbers=["04512347"], courier="ems")
    assert client.post(f"{URL}{third.pk}/mail/", body, format="json").status_code == 200


@pytest.mark.django_db
def test_only_a_processing_request_can_be_marked_mailed(client_for, clock, consumed, vendor_user):
    request = submit(consumed, vendor_user.vendor, "100.00")
    response = client_for(vendor_user).post(f"{URL}{request.pk}/mail/", mailing(), format="json")
    assert_error(response, 409, "cannot_mail", f"Accept request {request.number} before marking it mailed.", {})
    assert not IssuedInvoice.objects.exists()


# --- bulk accept ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_accept_accepts_the_pending_ones_and_reports_the_others(
    client_for, consumed, vendor_user, other_vendor, other_vendor_user
):
    # given three pending requests, one the customer cancelled, and one of another vendor
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    first, cancelled, second = (submit(consumed, vendor_user.vendor, "10.00") for _ in range(3))
    invoice_request_cancel(actor=consumed, customer_account=consumed.customer_account, invoice_request_id=cancelled.pk)
    theirs = submit(consumed, other_vendor, "10.00")
    # when the vendor accepts them all at once (the first one listed twice)
    ids_sent = [second.pk, cancelled.pk, first.pk, theirs.pk, second.pk]
    response = client_for(vendor_user).post(f"{URL}bulk-accept/", {"ids": ids_sent}, format="json")
    # then the two pending ones are accepted, the others are reported and left as they were
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(row["id"], row["status"]) for row in body["accepted"]] == [
        (second.pk, "processing"),
        (first.pk, "processing"),
    ]
    assert body["failed"] == [
        {
            "id": cancelled.pk,
            "message": f"The customer cancelled request {cancelled.number} a moment ago; it can no longer be "
            "accepted or rejected.",
        },
        {"id": theirs.pk, "message": "No such invoice request."},
    ]
    assert [stored(r).status for r in (first, cancelled, second, theirs)] == [
        "processing",
        "cancelled",
        "processing",
        "pending",
    ]
    assert InvoiceEvent.objects.filter(to_status="processing").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"ids": ["This field is required."]}),
        ({"ids": []}, {"ids": ["This list may not be empty."]}),
        ({"ids": ["x"]}, {"ids": {"0": ["A valid integer is required."]}}),
    ],
)
def test_bulk_accept_needs_ids(client_for, vendor_user, body, fields):
    response = client_for(vendor_user).post(f"{URL}bulk-accept/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == set(fields)


# --- mailing CSV import ---------------------------------------------------------------------------------------


def _import(client, text: str, encoding: str = "utf-8", as_body: bool = False):
    data = text.encode(encoding)
    if as_body:
        return client.post(f"{URL}mailing-import/", data, content_type="text/csv")
    upload = SimpleUploadedFile("mailing.csv", data, content_type="text/csv")
    return client.post(f"{URL}mailing-import/", {"file": upload}, format="multipart")


@pytest.mark.django_db
@pytest.mark.parametrize(("encoding", "as_body"), [("utf-8-sig", False), ("utf-8", True), ("gb18030", False)])
def test_mailing_import_applies_good_rows_and_reports_bad_ones(
    client_for, clock, consumed, vendor_user, encoding, as_body
):
    # given two processing requests, one pending, and a file with a good row, a wrong row and a refused row
    small, large = accepted(consumed, vendor_user, "30.00"), accepted(consumed, vendor_user, "80.00")
    pending = submit(consumed, vendor_user.vendor, "10.00")
    text = (
        CSV_HEADER + f"{small.number},04512345,2025-03-06,顺丰速运,SF1000000001,到付\n"
        f"{large.number},04512346,2025-03-06,sf,SF1000000002,到付\n"
        f"{pending.number},04512347,2025-03-06,EMS,EMS10000003,寄付\n"
        "IR0000,04512348,2025-03-06,sf,SF1000000004,寄付\n"
    )
    client = client_for(vendor_user)
    # when the vendor uploads it
    response = _import(client, text, encoding, as_body)
    # then the good row is applied; the others are reported with their line and left unchanged
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "applied": [small.number],
        "unchanged": [],
        "errors": [
            {
                "line": 3,
                "request_number": large.number,
                "message": "An invoice of ¥80.00 must be shipped at the vendor's cost: cash on delivery is only "
                "allowed below ¥50.00.",
            },
            {
                "line": 4,
                "request_number": pending.number,
                "message": f"Accept request {pending.number} before marking it mailed.",
            },
            {"line": 5, "request_number": "IR0000", "message": "No request IR0000 for your company."},
        ],
    }
    small = stored(small)
    assert (small.status, small.courier, small.shipping_payer) == ("mailing", "sf", "recipient")
    assert [stored(r).status for r in (large, pending)] == ["processing", "pending"]
    # and uploading the same file again applies nothing twice
    again = _import(client, text, encoding, as_body).json()
    assert (again["applied"], again["unchanged"], len(again["errors"])) == ([], [small.number], 3)
    assert IssuedInvoice.objects.count() == 1
    assert small.events.filter(to_status="mailing").count() == 1


@pytest.mark.django_db
def test_mailing_import_reports_missing_columns(client_for, vendor_user):
    # a file that cannot be used at all is one file-level error (400), and nothing is applied
    response = _import(client_for(vendor_user), "request_number,tracking_number\nIR1,SF1\n")
    message = (
        "The file has no column for: Invoice number(s) (invoice_numbers), Invoice date (invoice_date), "
        "Courier (courier), Shipping paid by (shipping_payer). Add them to the first line, or start from the template."
    )
    assert_error(response, 400, "missing_columns", message, {"file": [message]})


@pytest.mark.django_db
def test_mailing_import_needs_a_file(client_for, vendor_user):
    client = client_for(vendor_user)
    message = "Choose a CSV file to upload."
    assert_error(
        client.post(f"{URL}mailing-import/", {}, format="multipart"), 400, "file_required", message, {"file": [message]}
    )
    message = "Upload a CSV file in UTF-8 with a header row and one row per request."
    assert_error(_import(client, "  \n"), 400, "invalid_file", message, {"file": [message]})


@pytest.mark.django_db
def test_mailing_import_refuses_a_file_too_large(client_for, vendor_user):
    response = _import(client_for(vendor_user), CSV_HEADER + "x" * (2 * 1024 * 1024))
    assert_error(response, 400, "file_too_large")


@pytest.mark.django_db
def test_mailing_import_touches_only_the_vendors_own_requests(
    client_for, clock, consumed, vendor_user, other_vendor, other_vendor_user
):
    # given a processing request of the other vendor
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    theirs = accepted(consumed, other_vendor_user, "30.00")
    # when this vendor uploads a row for it
    text = CSV_HEADER + f"{theirs.number},04512345,2025-03-06,sf,SF1000000001,寄付\n"
    body = _import(client_for(vendor_user), text).json()
    # then it is not found, and nothing changed
    assert body["errors"] == [
        {"line": 2, "request_number": theirs.number, "message": f"No request {theirs.number} for your company."}
    ]
    assert stored(theirs).status == "processing"


# --- scoping and roles ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("post", "accept/", None),
        ("post", "reject/", {"reason": "不对"}),
        ("post", "mail/", mailing()),
    ],
)
def test_another_vendors_request_is_not_found(
    client_for, clock, consumed, vendor_user, other_vendor_user, method, suffix, body
):
    # given vendor1's processing request and vendor1's pending request
    processing, pending = accepted(consumed, vendor_user), submit(consumed, vendor_user.vendor, "10.00")
    for request in (processing, pending):
        # when vendor2 tries it
        response = getattr(client_for(other_vendor_user), method)(f"{URL}{request.pk}/{suffix}", body, format="json")
        # then it is not found, and nothing changed
        assert_error(response, 404, "not_found", "Not found.", {})
    assert (stored(processing).status, stored(pending).status) == ("processing", "pending")
    assert client_for(other_vendor_user).get(URL).json()["count"] == 0


@pytest.mark.django_db
def test_an_unknown_request_is_not_found(client_for, vendor_user):
    client = client_for(vendor_user)
    assert_error(client.get(f"{URL}999999/"), 404, "not_found", "Not found.", {})
    assert_error(client.post(f"{URL}abc/accept/"), 404, "not_found", "Not found.", {})


VENDOR_ENDPOINTS = [
    ("get", URL),
    ("get", f"{URL}1/"),
    ("post", f"{URL}1/accept/"),
    ("post", f"{URL}1/reject/"),
    ("post", f"{URL}1/mail/"),
    ("post", f"{URL}bulk-accept/"),
    ("post", f"{URL}mailing-import/"),
    ("get", "/api/v1/vendor/profile/"),
    ("patch", "/api/v1/vendor/profile/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), VENDOR_ENDPOINTS)
def test_a_customer_token_gets_403_on_every_vendor_endpoint(client_for, consumed, vendor, method, url):
    # given a request the customer itself submitted (so the ID exists)
    request = submit(consumed, vendor, "10.00")
    url = url.replace("/1/", f"/{request.pk}/")
    # when the customer calls a vendor endpoint
    response = getattr(client_for(consumed), method)(url, {}, format="json")
    # then
    assert_error(response, 403, "permission_denied", "Only vendor users may use this endpoint.", {})
    assert stored(request).status == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), VENDOR_ENDPOINTS)
def test_anonymous_calls_answer_401(anonymous_client, method, url):
    response = getattr(anonymous_client, method)(url)
    assert_error(response, 401, "not_authenticated", "Authentication credentials were not provided.", {})


@pytest.mark.django_db
def test_staff_read_every_vendors_queue(client_for, clock, staff_user, consumed, vendor, other_vendor):
    # given requests for two vendors
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="100.00")
    mine, theirs = submit(consumed, vendor, "10.00"), submit(consumed, other_vendor, "20.00")
    client = client_for(staff_user)
    # when staff list and open them
    # then they see both vendors' requests
    response = client.get(URL)
    assert sorted(ids(response)) == sorted([mine.pk, theirs.pk])
    assert {row["vendor_name"] for row in response.json()["results"]} == {vendor.name, other_vendor.name}
    assert ids(client.get(URL, {"search": theirs.number})) == [theirs.pk]
    assert client.get(f"{URL}{theirs.pk}/").json()["vendor"] == other_vendor.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("suffix", "body"),
    [("{pk}/accept/", {}), ("{pk}/reject/", {"reason": "x"}), ("{pk}/mail/", mailing()), ("bulk-accept/", None)],
)
def test_staff_may_not_change_a_request(client_for, staff_user, consumed, vendor, suffix, body):
    request = submit(consumed, vendor, "10.00")
    body = {"ids": [request.pk]} if body is None else body
    response = client_for(staff_user).post(URL + suffix.format(pk=request.pk), body, format="json")
    message = "Marketplace staff may view vendors' requests but not change them."
    assert_error(response, 403, "permission_denied", message, {})
    assert stored(request).status == "pending"


@pytest.mark.django_db
def test_staff_may_not_import_mailing_information(client_for, staff_user):
    response = _import(client_for(staff_user), CSV_HEADER)
    assert_error(response, 403, "permission_denied")
