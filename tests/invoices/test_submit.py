import dataclasses
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import InvoiceType
from apps.billing.models import VendorBalance
from apps.billing.selectors import InvoiceableRow
from apps.core.errors import ApplicationError
from apps.invoices import services as invoice_services
from apps.invoices.models import InvoiceEvent, InvoiceRequest
from apps.invoices.services import CheckedApplication, invoice_request_check, invoice_request_submit
from apps.notifications.models import Notification
from tests.factories import InvoiceTitleFactory, VendorFactory, VendorUserFactory, consume
from tests.helpers import record_queued_notifications, send_notification_emails, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Lock the account, re-read the title and address, lock the balance, insert the request, update the balance, insert
# the event, find the vendor's users, insert their notifications (+1 with an idempotency key: its first request).
SUBMIT_QUERIES = 9


def _balance(user, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=user.customer_account, vendor=vendor)


def _submit(user, vendor, amount: str = "100.00", **overrides):
    account = user.customer_account
    kwargs = {
        "actor": user,
        "customer_account": account,
        "vendor": vendor,
        "amount": Decimal(amount),
        "title": account.titles.get(is_default=True),
        "address": account.addresses.get(is_default=True),
        **overrides,
    }
    return invoice_request_submit(**kwargs)


def _messages(raised) -> dict[str, list[str]]:
    return {key: [str(m) for m in value] for key, value in raised.value.fields.items()}


# --- a good submission -------------------------------------------------------------------------------------------


def test_submit_records_a_pending_request_with_snapshots_and_reserves_the_amount(consumed, vendor):
    # given ¥1000.00 consumed with the vendor, a default company title and address
    title = consumed.customer_account.titles.get()
    address = consumed.customer_account.addresses.get()
    # when ¥123.45 is applied for
    request, created = _submit(consumed, vendor, amount="123.45")
    # then a pending request stores the amount, the type and what the title and address said at that moment
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert created is True
    assert stored.status == InvoiceRequest.Status.PENDING
    assert stored.amount == Decimal("123.45")
    assert stored.invoice_type == InvoiceType.GENERAL
    assert stored.submitted_by == consumed
    assert stored.vendor == vendor
    assert stored.title_snapshot == title.snapshot()
    assert stored.address_snapshot == address.snapshot()
    assert stored.title_snapshot["taxpayer_id"] == "91110000600037341L"
    assert stored.address_snapshot["phone"] == "13800138000"
    assert stored.number == f"IR{timezone.localdate(stored.submitted_at):%Y%m%d}{stored.pk:06d}"
    # and the amount is no longer invoiceable
    assert _balance(consumed, vendor).invoiced == Decimal("123.45")


def test_submit_writes_the_first_timeline_event(consumed, vendor):
    # given consumption
    # when a request is submitted
    request, _ = _submit(consumed, vendor)
    # then the timeline has one event: created as pending by the customer
    event = InvoiceEvent.objects.get(request=request)
    assert (event.actor, event.from_status, event.to_status, event.reason) == (consumed, "", "pending", "")


def test_dispatch_due_date_is_ten_weekdays_after_submission(consumed, vendor, monkeypatch):
    # given the clock says Friday 2026-11-27 15:00 in Shanghai
    friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI)
    monkeypatch.setattr(invoice_services.timezone, "now", lambda: friday)
    # when a request is submitted
    request, _ = _submit(consumed, vendor)
    # then the vendor must mail it by Friday 2026-12-11
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert stored.submitted_at == friday
    assert stored.dispatch_due_date == dt.date(2026, 12, 11)
    assert stored.number.startswith("IR20261127")


def test_dispatch_due_date_counts_monday_as_day_one_for_a_saturday_submission(consumed, vendor, monkeypatch):
    # given the clock says Saturday 2026-11-28 00:30 in Shanghai (still Friday in UTC)
    saturday = dt.datetime(2026, 11, 28, 0, 30, tzinfo=SHANGHAI)
    monkeypatch.setattr(invoice_services.timezone, "now", lambda: saturday)
    # when a request is submitted
    request, _ = _submit(consumed, vendor)
    # then Monday 11-30 is day 1 and day 10 is Friday 12-11
    assert InvoiceRequest.objects.get(pk=request.pk).dispatch_due_date == dt.date(2026, 12, 11)


@pytest.mark.parametrize(
    ("amount", "rule"),
    [("49.99", "cod_allowed"), ("50.00", "vendor_pays"), ("50.01", "vendor_pays"), ("0.01", "cod_allowed")],
)
def test_shipping_rule_switches_at_fifty_yuan(consumed, vendor, amount, rule):
    # given consumption
    # when a request for the amount is submitted
    request, _ = _submit(consumed, vendor, amount=amount)
    # then at ¥50.00 or more the vendor pays shipping; below it may ship cash on delivery
    assert InvoiceRequest.objects.get(pk=request.pk).shipping_rule == rule


# --- amounts -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        ("0", "invalid_application", "The amount must be at least 0.01."),
        ("0.001", "invalid_application", "An amount has at most two decimal places."),
        ("1.234", "invalid_application", "An amount has at most two decimal places."),
        ("-100", "invalid_application", "The amount must be at least 0.01."),
        (
            "1000.01",
            "amount_exceeds_invoiceable",
            "The amount is more than you can invoice with this vendor: at most ¥1,000.00.",
        ),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_reserved(consumed, vendor, amount, code, message):
    # given ¥1000.00 invoiceable
    # when a bad amount is submitted
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, amount=amount)
    # then the amount field says why and nothing was recorded or reserved
    assert raised.value.code == code
    assert _messages(raised) == {"amount": [message]}
    assert not InvoiceRequest.objects.exists()
    assert _balance(consumed, vendor).invoiced == Decimal("0.00")


def test_exactly_the_invoiceable_amount_is_accepted_and_then_nothing_is_left(consumed, vendor):
    # given ¥1000.00 invoiceable
    # when exactly ¥1000.00 is applied for
    request, _ = _submit(consumed, vendor, amount="1000.00")
    # then it is accepted
    assert InvoiceRequest.objects.get(pk=request.pk).amount == Decimal("1000.00")
    # and the next cent is refused under the lock with the remaining maximum
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, amount="0.01")
    assert raised.value.code == "amount_exceeds_invoiceable"
    assert _messages(raised) == {"amount": ["The amount is more than you can invoice with this vendor: at most ¥0.00."]}


def test_the_cap_is_checked_on_the_locked_balance_row(consumed, vendor, monkeypatch):
    # given ¥50.00 left, and a read without the lock that is stale (as if another tab took the money after the
    # confirmation page was shown)
    submit(consumed, vendor, "950.00")
    stale = InvoiceableRow(
        vendor=vendor,
        consumed=Decimal("1000.00"),
        refunded=Decimal("0"),
        invoiced=Decimal("0"),
        invoiceable=Decimal("1000.00"),
        invoice_debt=Decimal("0"),
    )
    monkeypatch.setattr(invoice_services, "invoiceable_row", lambda **kwargs: stale)
    account = consumed.customer_account
    application = {
        "customer_account": account,
        "vendor": vendor,
        "amount": Decimal("100.00"),
        "title": account.titles.get(),
        "address": account.addresses.get(),
    }
    # the confirmation page's early check passes on the stale read
    assert invoice_request_check(**application).amount == Decimal("100.00")
    # when ¥100.00 is submitted
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, amount="100.00")
    # then the locked balance row refuses it
    assert raised.value.code == "amount_exceeds_invoiceable"
    assert _messages(raised) == {
        "amount": ["The amount is more than you can invoice with this vendor: at most ¥50.00."]
    }
    assert _balance(consumed, vendor).invoiced == Decimal("950.00")


def test_submitting_writes_without_reading_back_whatever_the_number_of_vendor_users(consumed, vendor, vendor_user):
    account = consumed.customer_account
    title, address = account.titles.get(), account.addresses.get()

    def statements_of_one_submission(**overrides) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            invoice_request_submit(
                actor=consumed,
                customer_account=account,
                vendor=vendor,
                amount=Decimal("1.00"),
                title=title,
                address=address,
                **overrides,
            )
        statements = [query["sql"].split(" ", 1)[0] for query in captured.captured_queries]
        return [statement for statement in statements if statement not in {"SAVEPOINT", "RELEASE"}]

    # given a vendor with one user, then with four
    statements_of_one_submission()  # warm: the working-day calendar
    one_user = statements_of_one_submission()
    VendorUserFactory.create_batch(3, vendor=vendor)
    # when requests are submitted
    four_users = statements_of_one_submission()
    with_key = statements_of_one_submission(idempotency_key="tab-1")
    # then each takes the same few queries: lock the account, re-read the title and address, lock the balance (which
    # reserves the new request's ID), insert the request, update the balance, insert the event, find the vendor's
    # users and insert their notifications in one statement; an idempotency key adds the look for its first request
    assert len(one_user) == len(four_users) == SUBMIT_QUERIES
    assert len(with_key) == SUBMIT_QUERIES + 1
    assert four_users.count("INSERT") == 3
    assert four_users.count("UPDATE") == 1
    assert Notification.objects.filter(kind="submitted").count() == 1 + 1 + 4 + 4


# --- scope, vendor, title and address ---------------------------------------------------------------------------


def test_another_accounts_title_and_address_are_refused(consumed, vendor, other_customer):
    # given customer2's title and address
    foreign_title = other_customer.customer_account.titles.get()
    foreign_address = other_customer.customer_account.addresses.get()
    # when customer1 submits with them
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, title=foreign_title, address=foreign_address)
    # then both fields are refused as if they did not exist
    assert raised.value.code == "invalid_application"
    assert _messages(raised) == {
        "title": ["Choose one of your invoice titles."],
        "address": ["Choose one of your mailing addresses."],
    }
    assert not InvoiceRequest.objects.exists()


def test_a_missing_vendor_title_or_address_is_a_field_error(consumed):
    # given a page or API that found no vendor, title or address for the IDs it was sent (None)
    # when the application is checked
    with pytest.raises(ApplicationError) as raised:
        invoice_request_check(
            customer_account=consumed.customer_account,
            vendor=None,
            amount=Decimal("10.00"),
            title=None,
            address=None,
        )
    # then each one is told next to its field, in the same words as another account's title or address
    assert raised.value.code == "invalid_application"
    assert _messages(raised) == {
        "vendor": ["Choose a vendor you consumed with."],
        "title": ["Choose one of your invoice titles."],
        "address": ["Choose one of your mailing addresses."],
    }


def test_the_check_returns_the_typed_application(consumed, vendor):
    # given ¥1000.00 consumed, a default title and address
    account = consumed.customer_account
    # when ¥88.80 is checked without choosing a type
    checked = invoice_request_check(
        customer_account=account,
        vendor=vendor,
        amount=Decimal("88.8"),
        title=account.titles.get(),
        address=account.addresses.get(),
    )
    # then the confirmation page gets the objects, the amount with two places and the vendor's default type
    assert checked == CheckedApplication(
        vendor=vendor,
        amount=Decimal("88.80"),
        title=account.titles.get(),
        address=account.addresses.get(),
        invoice_type="general",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.amount = Decimal("1.00")


def test_a_vendor_without_consumption_is_refused(consumed, other_vendor):
    # given no consumption with other_vendor
    # when a request to it is submitted
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, other_vendor, amount="10.00")
    # then the vendor is refused and no balance row is left behind
    assert raised.value.code == "invalid_application"
    assert _messages(raised) == {"vendor": ["Choose a vendor you consumed with."]}
    assert not VendorBalance.objects.filter(vendor=other_vendor).exists()


def test_a_vendor_the_other_account_consumed_with_is_still_refused(consumed, other_customer, other_vendor):
    # given only customer2 consumed with other_vendor
    consume(customer_account=other_customer.customer_account, vendor=other_vendor, amount="500.00")
    # when customer1 applies to other_vendor
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, other_vendor, amount="10.00")
    # then customer1 has nothing to invoice there
    assert _messages(raised) == {"vendor": ["Choose a vendor you consumed with."]}


# --- invoice types -------------------------------------------------------------------------------------------------


def test_individual_title_gets_a_general_invoice(consumed, vendor):
    # given an individual title
    person = InvoiceTitleFactory(
        customer_account=consumed.customer_account, kind="individual", name="张三", taxpayer_id="", bank_account=""
    )
    # when a general invoice is requested for it
    request, _ = _submit(consumed, vendor, title=person, invoice_type="general")
    # then it is accepted with the individual snapshot
    stored = InvoiceRequest.objects.get(pk=request.pk)
    assert (stored.invoice_type, stored.title_snapshot["kind"], stored.title_snapshot["name"]) == (
        "general",
        "individual",
        "张三",
    )


def test_individual_title_cannot_get_a_special_invoice(consumed, vendor):
    # given an individual title and a vendor issuing both types
    person = InvoiceTitleFactory(customer_account=consumed.customer_account, kind="individual", taxpayer_id="")
    # when a VAT special invoice is requested
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, title=person, invoice_type="special")
    # then the title is refused
    assert _messages(raised) == {"title": ["An individual title can only receive a general invoice."]}


@pytest.mark.parametrize("missing", ["registered_address", "registered_phone", "bank_name", "bank_account"])
def test_special_invoice_needs_full_company_details(consumed, vendor, missing):
    # given a company title missing one of the special-invoice details
    title = InvoiceTitleFactory(customer_account=consumed.customer_account, **{missing: ""})
    # when a VAT special invoice is requested
    with pytest.raises(ApplicationError) as raised:
        _submit(consumed, vendor, title=title, invoice_type="special")
    # then the title must be completed first
    assert _messages(raised) == {
        "title": [
            "A VAT special invoice needs the title's registered address, phone, bank and account: "
            "complete the title first."
        ]
    }


def test_special_invoice_with_full_company_details_is_accepted(consumed, vendor):
    # given the default company title with every detail
    # when a VAT special invoice is requested
    request, _ = _submit(consumed, vendor, invoice_type="special")
    # then it is recorded as special
    assert InvoiceRequest.objects.get(pk=request.pk).invoice_type == "special"


def test_a_type_the_vendor_does_not_issue_is_refused(customer):
    # given a vendor issuing general invoices only
    general_only = VendorFactory(name="只开普票的服务商", supported_invoice_types=["general"])
    consume(customer_account=customer.customer_account, vendor=general_only, amount="100.00")
    # when a special invoice is requested from it, or an unknown type
    for invoice_type in ("special", "electronic"):
        with pytest.raises(ApplicationError) as raised:
            _submit(customer, general_only, amount="10.00", invoice_type=invoice_type)
        # then the vendor's types are named
        assert _messages(raised) == {"invoice_type": ["只开普票的服务商 issues only: VAT general invoice (paper)."]}


def test_without_a_type_a_special_only_vendor_issues_special(customer):
    # given a vendor that issues only special invoices
    special_only = VendorFactory(supported_invoice_types=["special"])
    consume(customer_account=customer.customer_account, vendor=special_only, amount="100.00")
    # when a request is submitted without choosing a type
    request, _ = _submit(customer, special_only, amount="10.00")
    # then the vendor's only type is used
    assert InvoiceRequest.objects.get(pk=request.pk).invoice_type == "special"


# --- side effects --------------------------------------------------------------------------------------------------


def test_the_vendor_is_notified_only_after_commit(
    consumed, vendor, vendor_user, django_capture_on_commit_callbacks, monkeypatch
):
    # given a broker that records what is queued
    queued = record_queued_notifications(monkeypatch)["vendor"]
    # when a request is submitted inside a transaction
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request, _ = _submit(consumed, vendor)
        # then nothing is queued before the commit
        assert queued == []
    assert len(callbacks) == 1
    # and the notification is queued with the request's ID once the transaction commits
    callbacks[0]()
    assert queued == [(request.pk,)]


def test_a_refused_submission_queues_nothing(consumed, vendor, django_capture_on_commit_callbacks):
    # given a request over the cap
    # when it is submitted
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ApplicationError):
        _submit(consumed, vendor, amount="5000.00")
    # then no notification waits for a commit
    assert callbacks == []


def test_the_notification_email_goes_to_the_vendor_contact(consumed, vendor, vendor_user):
    # given a submitted request (the vendor's user has no address of their own)
    request, _ = _submit(consumed, vendor, amount="88.00")
    stored = InvoiceRequest.objects.get(pk=request.pk)
    # when the email task runs
    sent = send_notification_emails()
    # then one email reaches the vendor's contact email with the number, amount and due date
    assert sent == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [vendor.contact_email]
    assert stored.number in email.subject
    assert "88.00" in email.body
    assert str(stored.dispatch_due_date) in email.body


def test_no_email_without_a_vendor_contact_email(consumed, vendor, vendor_user):
    # given a vendor without a contact email
    vendor.contact_email = ""
    vendor.save()
    request, _ = _submit(consumed, vendor)
    # when the email task runs
    # then nothing is sent
    assert send_notification_emails() == 0
    assert mail.outbox == []


# --- idempotency ---------------------------------------------------------------------------------------------------


def test_repeating_an_idempotency_key_returns_the_first_request(consumed, vendor, django_capture_on_commit_callbacks):
    # given a request submitted with an idempotency key
    first, created_first = _submit(consumed, vendor, amount="100.00", idempotency_key="tab-1")
    # when the same submission arrives again with the same key (a retried POST)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again, created_again = _submit(consumed, vendor, amount="100.00", idempotency_key="tab-1")
    # then the first request is answered, nothing else is reserved, and the vendor is not notified twice
    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert InvoiceRequest.objects.count() == 1
    assert _balance(consumed, vendor).invoiced == Decimal("100.00")
    assert callbacks == []


def test_the_same_key_in_another_account_is_a_different_request(consumed, vendor, other_customer):
    # given customer1 used key "k"
    _submit(consumed, vendor, idempotency_key="k")
    consume(customer_account=other_customer.customer_account, vendor=vendor, amount="100.00")
    # when customer2 uses the same key
    request, created = _submit(other_customer, vendor, amount="10.00", idempotency_key="k")
    # then it gets its own request
    assert created is True
    assert request.customer_account == other_customer.customer_account
