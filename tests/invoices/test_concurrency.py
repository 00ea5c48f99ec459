"""The invoiceable cap holds under any number of simultaneous submissions (real PostgreSQL, real threads)."""

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.billing.models import VendorBalance
from apps.billing.tasks import balances_reconcile_task
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_cancel, invoice_request_submit
from tests.factories import consume
from tests.helpers import record_queued_notifications, run_together, submit

THREADS = 20


@pytest.fixture(autouse=True)
def queued(monkeypatch, vendor_user, other_vendor_user) -> list[tuple]:
    """Vendor notifications queued after commit, recorded instead of sent to the broker (one list for every thread);
    both vendors have a user to notify."""
    return record_queued_notifications(monkeypatch)["vendor"]


def _run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Each job in its own thread, released together; a refusal is reported by its error code alone."""
    results = run_together(lambda index: jobs[index](), len(jobs), timeout=60)
    return [result[0] if _is_refusal(result) else result for result in results]


def _is_refusal(result: object) -> bool:
    """`run_together` reports an ApplicationError as (code, fields); a successful job returns (kind, pk)."""
    return isinstance(result, tuple) and isinstance(result[1], dict)


def _submit_job(user, vendor, amount: str = "100.00", idempotency_key: str = "") -> Callable[[], object]:
    account = user.customer_account
    title = account.titles.get(is_default=True)
    address = account.addresses.get(is_default=True)

    def job() -> object:
        request, created = invoice_request_submit(
            actor=user,
            customer_account=account,
            vendor=vendor,
            amount=Decimal(amount),
            title=title,
            address=address,
            idempotency_key=idempotency_key,
        )
        return ("submitted" if created else "repeated", request.pk)

    return job


def _cancel_job(user, request_id: int) -> Callable[[], object]:
    def job() -> object:
        invoice_request_cancel(actor=user, customer_account=user.customer_account, invoice_request_id=request_id)
        return "cancelled"

    return job


def _assert_balance_matches_requests(user, vendor) -> VendorBalance:
    balance = VendorBalance.objects.get(customer_account=user.customer_account, vendor=vendor)
    active = InvoiceRequest.objects.filter(
        customer_account=user.customer_account, vendor=vendor, status__in=InvoiceRequest.ACTIVE_STATUSES
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    assert balance.invoiced == active
    assert balance.invoiced <= balance.consumed - balance.refunded
    assert balances_reconcile_task() == 0
    return balance


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_submissions_never_exceed_the_invoiceable_amount(consumed, vendor, queued):
    # given ¥1000.00 consumed with the vendor and nothing applied for
    # when 20 submissions of ¥100.00 start at the same moment
    results = _run_together([_submit_job(consumed, vendor) for _ in range(THREADS)])
    # then exactly 10 succeed and the other 10 are told the amount exceeds what is invoiceable
    outcomes = Counter(result[0] if isinstance(result, tuple) else result for result in results)
    assert outcomes == {"submitted": 10, "amount_exceeds_invoiceable": 10}, results
    # and the balance is exactly the sum of the 10 active requests: ¥1000.00
    balance = _assert_balance_matches_requests(consumed, vendor)
    assert balance.invoiced == Decimal("1000.00")
    requests = InvoiceRequest.objects.filter(customer_account=consumed.customer_account)
    created = set(requests.values_list("pk", flat=True))
    assert len(created) == 10
    # and the vendor is notified once per committed request, never for a refused one
    assert sorted(queued) == sorted((pk,) for pk in created)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancels_and_submissions_keep_the_balance_equal_to_active_requests(consumed, vendor):
    # given the whole ¥1000.00 applied for in ten pending requests of ¥100.00
    pending = [submit(consumed, vendor, "100.00") for _ in range(10)]
    to_cancel = pending[:5]
    # when, at the same moment, each of five requests is cancelled from two tabs and ten new ¥100.00 requests arrive
    jobs = [_cancel_job(consumed, request.pk) for request in to_cancel for _tab in range(2)]
    jobs += [_submit_job(consumed, vendor) for _ in range(10)]
    results = _run_together(jobs)
    # then each request is cancelled once (the second tab gets a conflict) ...
    cancel_outcomes = Counter(results[:10])
    assert cancel_outcomes == {"cancelled": 5, "cannot_cancel": 5}, results
    # ... at most the ¥500.00 released is applied for again, the rest is refused with a clear code
    submit_outcomes = Counter(result[0] if isinstance(result, tuple) else result for result in results[10:])
    assert set(submit_outcomes) <= {"submitted", "amount_exceeds_invoiceable"}, results
    assert submit_outcomes["submitted"] <= 5
    assert submit_outcomes["submitted"] + submit_outcomes["amount_exceeds_invoiceable"] == 10
    # and the balance equals the active requests, never above what was consumed
    balance = _assert_balance_matches_requests(consumed, vendor)
    assert balance.invoiced == Decimal("500.00") + Decimal("100.00") * submit_outcomes["submitted"]
    assert InvoiceRequest.objects.filter(status="cancelled").count() == 5
    for request in to_cancel:
        assert InvoiceRequest.objects.get(pk=request.pk).events.filter(to_status="cancelled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_retries_with_one_idempotency_key_create_one_request(consumed, vendor, queued):
    # given ¥1000.00 consumed
    # when 20 retries of the same submission (one idempotency key) arrive at the same moment
    results = _run_together([_submit_job(consumed, vendor, idempotency_key="checkout-42") for _ in range(THREADS)])
    # then exactly one request is created and every retry answers with that same request
    assert all(isinstance(result, tuple) for result in results), results
    assert Counter(kind for kind, _pk in results) == {"submitted": 1, "repeated": THREADS - 1}
    assert len({pk for _kind, pk in results}) == 1
    assert InvoiceRequest.objects.filter(customer_account=consumed.customer_account).count() == 1
    balance = _assert_balance_matches_requests(consumed, vendor)
    assert balance.invoiced == Decimal("100.00")
    assert queued == [(results[0][1],)]


@pytest.mark.django_db(transaction=True)
def test_one_idempotency_key_sent_to_two_vendors_at_once_creates_one_request(consumed, vendor, other_vendor):
    # given consumption with two vendors (two balance rows, so two different locks)
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="1000.00")
    # when 20 calls with one idempotency key, half for each vendor, arrive at the same moment
    results = _run_together(
        [_submit_job(consumed, (vendor, other_vendor)[index % 2], idempotency_key="k") for index in range(THREADS)]
    )
    # then one request exists; the calls for its vendor answer with it, the calls for the other vendor are told the
    # key was used for another application (never a database error), and only its vendor is charged
    request = InvoiceRequest.objects.get(customer_account=consumed.customer_account)
    vendors = [(vendor, other_vendor)[index % 2] for index in range(THREADS)]
    same_vendor = [result for result, to in zip(results, vendors, strict=True) if to == request.vendor]
    other = [result for result, to in zip(results, vendors, strict=True) if to != request.vendor]
    assert all(isinstance(result, tuple) for result in same_vendor), results
    assert Counter(kind for kind, _pk in same_vendor) == {"submitted": 1, "repeated": THREADS // 2 - 1}
    assert {pk for _kind, pk in same_vendor} == {request.pk}
    assert other == ["idempotency_key_reused"] * (THREADS // 2), results
    assert _assert_balance_matches_requests(consumed, request.vendor).invoiced == Decimal("100.00")
    charged = {request.vendor_id}
    untouched = other_vendor if vendor.pk in charged else vendor
    assert _assert_balance_matches_requests(consumed, untouched).invoiced == Decimal("0.00")
