"""The consumption import works in chunks (a fixed number of queries per chunk), all or nothing, and repeatable;
two imports at once leave every balance equal to the sum of its records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.billing import services
from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.services import consumption_import_csv, consumption_record
from tests.factories import CustomerAccountFactory, VendorFactory
from tests.helpers import run_together

HEADER = "external_id,customer_account,vendor,amount,consumed_at,description\n"
AT = "2026-11-01T10:00:00+08:00"


@pytest.fixture(params=["kept", "read again"])
def small_chunks(request, monkeypatch):
    """Chunks of 2 rows, so a short file crosses several chunks; the rows kept between the check and the writes,
    or (as for a file over CONSUMPTION_IMPORT_KEEP_ROWS) read again."""
    monkeypatch.setattr(services, "CONSUMPTION_IMPORT_CHUNK_SIZE", 2)
    if request.param == "read again":
        monkeypatch.setattr(services, "CONSUMPTION_IMPORT_KEEP_ROWS", 0)
    return request.param


def _row(external_id: str, account, vendor, amount: str, description: str = "") -> str:
    return f"{external_id},{account.pk},{vendor.pk},{amount},{AT},{description}\n"


def _import_in_english(text: str) -> services.ImportReport:
    with translation.override("en"):
        return consumption_import_csv(text=text)


def _balances() -> dict[tuple[int, int], Decimal]:
    return {
        (balance.customer_account_id, balance.vendor_id): balance.consumed for balance in VendorBalance.objects.all()
    }


def _sums_of_records() -> dict[tuple[int, int], Decimal]:
    rows = ConsumptionRecord.objects.values("customer_account_id", "vendor_id").annotate(total=Sum("amount"))
    return {(row["customer_account_id"], row["vendor_id"]): row["total"] for row in rows}


def test_a_file_mixing_new_repeated_and_bad_rows_over_several_accounts_and_vendors(db, small_chunks):
    # given two accounts, three vendors, and two records imported before (one of them by the API's path)
    accounts = [CustomerAccountFactory(), CustomerAccountFactory()]
    vendors = [VendorFactory(), VendorFactory(), VendorFactory()]
    consumption_import_csv(
        text=HEADER + _row("old-1", accounts[0], vendors[0], "10.00") + _row("old-3", accounts[0], vendors[1], "9.00")
    )
    consumption_record(
        customer_account=accounts[1],
        vendor=vendors[2],
        amount=Decimal("7.00"),
        consumed_at=dt.datetime(2026, 11, 1, 10),
        external_id="old-2",
    )
    good = [
        _row("n-1", accounts[0], vendors[0], "1.00"),  # line 2
        _row("old-1", accounts[0], vendors[0], "10.00"),  # line 3: imported before, same values
        _row("n-2", accounts[0], vendors[1], "2.50"),  # line 4
        _row("n-3", accounts[1], vendors[0], "3.00"),  # line 5
        _row("old-2", accounts[1], vendors[2], "7.00"),  # line 6: recorded by the API before
        _row("n-4", accounts[1], vendors[2], "4.25"),  # line 7
        _row("n-5", accounts[0], vendors[0], "5.00"),  # line 8
    ]
    bad = [
        _row("n-1", accounts[1], vendors[1], "1.00"),  # line 9: twice in the file
        _row("old-3", accounts[0], vendors[1], "11.00"),  # line 10: recorded before with another amount
        f"n-6,999999,{vendors[0].pk},1.00,{AT},\n",  # line 11: unknown account
        _row("n-7", accounts[0], vendors[1], "0"),  # line 12: amount below 0.01
    ]
    before = _balances()
    # when the file with its bad rows is imported
    report = consumption_import_csv(text=HEADER + "".join(good + bad))
    # then every bad row is named by its line, and nothing changed
    assert report.errors == [
        (9, "external_id n-1 appears twice in the file"),
        (10, "external_id old-3 was already recorded with a different account, vendor or amount"),
        (11, "unknown customer account 999999"),
        (12, "The amount must be at least 0.01."),
    ]
    assert (report.created, report.skipped) == (0, 0)
    assert ConsumptionRecord.objects.count() == 3
    assert _balances() == before
    # when the good rows alone are imported
    report = consumption_import_csv(text=HEADER + "".join(good))
    # then the new rows are created, the repeated ones skipped, and every balance is the sum of its records
    assert (report.created, report.skipped, report.errors) == (5, 2, [])
    assert _balances() == _sums_of_records()
    assert _balances() == {
        (accounts[0].pk, vendors[0].pk): Decimal("16.00"),
        (accounts[0].pk, vendors[1].pk): Decimal("11.50"),
        (accounts[1].pk, vendors[0].pk): Decimal("3.00"),
        (accounts[1].pk, vendors[2].pk): Decimal("11.25"),
    }
    assert ConsumptionRecord.objects.get(external_id="n-4").amount == Decimal("4.25")


def test_importing_the_same_file_again_changes_nothing(db, small_chunks):
    # given an imported file over two accounts and two vendors
    accounts = [CustomerAccountFactory(), CustomerAccountFactory()]
    vendors = [VendorFactory(), VendorFactory()]
    text = HEADER + "".join(
        _row(f"r-{n}", accounts[n % 2], vendors[n // 2 % 2], f"{n + 1}.10", f"行{n}") for n in range(7)
    )
    first = consumption_import_csv(text=text)
    assert (first.created, first.skipped, first.errors) == (7, 0, [])
    balances = list(VendorBalance.objects.order_by("pk").values())
    records = list(ConsumptionRecord.objects.order_by("pk").values())
    # when it is imported again
    again = consumption_import_csv(text=text)
    # then every row is skipped and no row changed, not even a balance's last-changed time
    assert (again.created, again.skipped, again.errors) == (0, 7, [])
    assert list(VendorBalance.objects.order_by("pk").values()) == balances
    assert list(ConsumptionRecord.objects.order_by("pk").values()) == records
    assert _balances() == _sums_of_records()


def test_the_query_count_does_not_grow_with_the_rows_of_a_chunk(db):
    # given two accounts and two vendors, and files of 4 and of 40 new rows over them
    accounts = [CustomerAccountFactory(), CustomerAccountFactory()]
    vendors = [VendorFactory(), VendorFactory()]

    def import_counting(prefix: str, rows: int) -> int:
        text = HEADER + "".join(
            _row(f"{prefix}-{n}", accounts[n % 2], vendors[n // 2 % 2], "1.00") for n in range(rows)
        )
        with CaptureQueriesContext(connection) as queries:
            report = consumption_import_csv(text=text)
        assert (report.created, report.errors) == (rows, [])
        return len(queries)

    # when each is imported
    # then both cost the same 10 queries: accounts and vendors (2), the check of the one chunk (1), the savepoint
    # (2), the balance rows created if missing and locked (2), the chunk's read and insert (2), the balances' update
    assert import_counting("small", 4) == import_counting("big", 40) == 10
    assert _balances() == _sums_of_records()


def test_a_conflict_recorded_between_the_check_and_the_writes_changes_nothing(db, monkeypatch):
    # given a file whose c-2 is recorded by the API for another vendor while the import checks the file
    account = CustomerAccountFactory()
    yunfan, beichen = VendorFactory(), VendorFactory()
    text = HEADER + _row("c-1", account, yunfan, "5.00") + _row("c-2", account, yunfan, "6.00")
    lock = services._balances_lock

    def record_first_then_lock(pairs):
        consumption_record(
            customer_account=account,
            vendor=beichen,
            amount=Decimal("6.00"),
            consumed_at=dt.datetime(2026, 11, 1),
            external_id="c-2",
        )
        return lock(pairs)

    monkeypatch.setattr(services, "_balances_lock", record_first_then_lock)
    # when it is imported
    report = consumption_import_csv(text=text)
    # then line 3 is a conflict, as consumption_record words it, and the import recorded nothing
    assert report.errors == [(3, "External ID c-2 was already recorded with a different account, vendor or amount.")]
    assert (report.created, report.skipped) == (0, 0)
    assert not ConsumptionRecord.objects.filter(vendor=yunfan).exists()


def test_a_conflicting_insert_that_won_a_race_is_reported_not_raised(db, monkeypatch):
    # given c-2 recorded for another vendor, which the import's reads do not see (as if it committed while the
    # import's insert waited for it)
    account = CustomerAccountFactory()
    yunfan, beichen = VendorFactory(), VendorFactory()
    consumption_import_csv(text=HEADER + _row("c-2", account, beichen, "6.00"))
    recorded = services._recorded
    calls = []

    def missing_it_twice(chunk):
        calls.append(chunk)
        return {} if len(calls) <= 2 else recorded(chunk)

    monkeypatch.setattr(services, "_recorded", missing_it_twice)
    # when a file with c-1 and c-2 for the first vendor is imported
    report = consumption_import_csv(
        text=HEADER + _row("c-1", account, yunfan, "5.00") + _row("c-2", account, yunfan, "6.00")
    )
    # then the unique constraint's refusal becomes the conflict on line 3, and nothing was recorded
    assert report.errors == [(3, "External ID c-2 was already recorded with a different account, vendor or amount.")]
    assert (report.created, report.skipped) == (0, 0)
    assert not ConsumptionRecord.objects.filter(vendor=yunfan).exists()
    assert _balances() == _sums_of_records()


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_overlapping_files_at_once_count_every_row_once(monkeypatch):
    # given three accounts and three vendors (some balances exist, others not yet), and two files sharing half their
    # rows, in chunks of 5 rows
    monkeypatch.setattr(services, "CONSUMPTION_IMPORT_CHUNK_SIZE", 5)
    accounts = [CustomerAccountFactory() for _ in range(3)]
    vendors = [VendorFactory() for _ in range(3)]
    consumption_import_csv(text=HEADER + _row("seed", accounts[0], vendors[0], "1.00"))
    rows = [_row(f"o-{n}", accounts[n % 3], vendors[n * 7 % 3], f"{n % 9 + 1}.25") for n in range(60)]
    files = [HEADER + "".join(rows[:40]), HEADER + "".join(reversed(rows[20:]))]
    # when both are imported at the same moment
    reports = run_together(lambda index: _import_in_english(files[index]), 2)
    # then no error, every row is recorded once, and each balance is the sum of its records
    assert [report.errors for report in reports] == [[], []], reports
    assert sorted((report.created, report.skipped) for report in reports) == [(20, 20), (40, 0)]
    assert ConsumptionRecord.objects.count() == 61
    assert _balances() == _sums_of_records()


@pytest.mark.django_db(transaction=True)
def test_imports_recording_one_external_id_for_different_vendors_at_once_record_it_once():
    # given one account, four vendors and a file per vendor with the same external ID
    account = CustomerAccountFactory()
    vendors = [VendorFactory() for _ in range(4)]
    files = [HEADER + _row("same", account, vendor, "10.00") for vendor in vendors]
    # when the four files are imported at the same moment
    reports = run_together(lambda index: _import_in_english(files[index]), len(files))
    # then one import records it; the others report the conflict on line 2, found by the check (the winner had
    # committed) or by the insert (it waited for the winner), never a database error
    assert sorted(report.created for report in reports) == [0, 0, 0, 1], reports
    conflicts = {
        "external_id same was already recorded with a different account, vendor or amount",
        "External ID same was already recorded with a different account, vendor or amount.",
    }
    losers = [report for report in reports if not report.created]
    assert all(len(report.errors) == 1 and report.errors[0][0] == 2 for report in losers), reports
    assert {report.errors[0][1] for report in losers} <= conflicts, reports
    assert ConsumptionRecord.objects.filter(external_id="same").count() == 1
    # and the others left nothing behind, not even a balance row
    assert _balances() == _sums_of_records()
