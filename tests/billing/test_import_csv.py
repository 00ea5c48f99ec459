from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.services import consumption_import_csv
from tests.factories import CustomerAccountFactory, VendorFactory

HEADER = "external_id,customer_account,vendor,amount,consumed_at,description\n"


@pytest.fixture
def account(db):
    return CustomerAccountFactory()


@pytest.fixture
def vendors(db):
    return VendorFactory(name="云帆数据服务有限公司"), VendorFactory(name="北辰安全科技有限公司")


def _good_file(account, vendors) -> str:
    yunfan, beichen = vendors
    return (
        HEADER
        + f"c-1,{account.pk},{yunfan.pk},1200.00,2026-11-01T10:00:00+08:00,云主机\n"
        + f'c-2,{account.pk},{beichen.name},300.50,2026-11-02,"安全服务, 年付"\n'
        + f"c-3,{account.pk},{yunfan.pk},0.01,2026-11-03 09:15,\n"
    )


def _consumed(account, vendor) -> Decimal:
    return VendorBalance.objects.get(customer_account=account, vendor=vendor).consumed


def test_a_good_file_records_every_row(account, vendors):
    # given a file with three good rows (vendor by ID or by exact name, several date formats, a quoted comma)
    text = _good_file(account, vendors)
    # when it is imported
    report = consumption_import_csv(text=text)
    # then all rows are created and the balances add up
    assert (report.created, report.skipped, report.errors) == (3, 0, [])
    yunfan, beichen = vendors
    assert _consumed(account, yunfan) == Decimal("1200.01")
    assert _consumed(account, beichen) == Decimal("300.50")
    second = ConsumptionRecord.objects.get(external_id="c-2")
    assert second.description == "安全服务, 年付"
    assert timezone.localtime(second.consumed_at).isoformat() == "2026-11-02T00:00:00+08:00"
    third = ConsumptionRecord.objects.get(external_id="c-3")
    assert timezone.localtime(third.consumed_at).isoformat() == "2026-11-03T09:15:00+08:00"


def test_a_repeated_file_counts_nothing_twice(account, vendors):
    # given a file that was imported
    text = _good_file(account, vendors)
    consumption_import_csv(text=text)
    # when it is imported again
    report = consumption_import_csv(text=text)
    # then every row is skipped and the balances are unchanged
    assert (report.created, report.skipped, report.errors) == (0, 3, [])
    assert ConsumptionRecord.objects.count() == 3
    assert _consumed(account, vendors[0]) == Decimal("1200.01")


def test_a_file_with_one_new_row_appended_creates_only_that_row(account, vendors):
    # given an imported file
    text = _good_file(account, vendors)
    consumption_import_csv(text=text)
    # when the next export, with one more row, is imported
    report = consumption_import_csv(text=text + f"c-4,{account.pk},{vendors[0].pk},99.00,2026-11-04,\n")
    # then only the new row is created
    assert (report.created, report.skipped) == (1, 3)
    assert _consumed(account, vendors[0]) == Decimal("1299.01")


def test_a_file_with_one_bad_row_changes_nothing_and_names_the_line(account, vendors):
    # given a file whose third data row (line 4) has an amount with three decimals
    yunfan, _beichen = vendors
    text = (
        HEADER
        + f"c-1,{account.pk},{yunfan.pk},100.00,2026-11-01,\n"
        + f"c-2,{account.pk},{yunfan.pk},200.00,2026-11-02,\n"
        + f"c-3,{account.pk},{yunfan.pk},1.234,2026-11-03,\n"
    )
    # when it is imported
    report = consumption_import_csv(text=text)
    # then nothing is recorded and the error names line 4
    assert (report.created, report.skipped) == (0, 0)
    assert report.errors == [(4, "An amount has at most two decimal places.")]
    assert not ConsumptionRecord.objects.exists()
    assert not VendorBalance.objects.exists()


def test_every_bad_row_is_reported_with_its_line_number(account, vendors):
    # given a file with several bad rows, a blank line in between, and a duplicated external ID
    yunfan, _beichen = vendors
    text = (
        HEADER
        + f"c-1,{account.pk},{yunfan.pk},100.00,2026-11-01,\n"  # line 2: good
        + f"c-2,999999,{yunfan.pk},100.00,2026-11-01,\n"  # line 3: unknown account
        + "\n"  # line 4: blank
        + f"c-3,{account.pk},没有这个服务商,100.00,2026-11-01,\n"  # line 5: unknown vendor
        + f"c-4,{account.pk},{yunfan.pk},abc,2026-02-30,\n"  # line 6: bad amount and impossible date
        + f",{account.pk},{yunfan.pk},1.00,2026-11-01,\n"  # line 7: no external ID
        + f"c-1,{account.pk},{yunfan.pk},100.00,2026-11-01,\n"  # line 8: duplicate of line 2
    )
    # when it is imported
    report = consumption_import_csv(text=text)
    # then every problem is reported with the line it is on, and nothing is recorded
    assert report.errors == [
        (3, "unknown customer account 999999"),
        (5, "unknown vendor 没有这个服务商"),
        (6, "consumed_at is not a date or time: 2026-02-30; Enter an amount such as 100.00."),
        (7, "external_id is empty"),
        (8, "external_id c-1 appears twice in the file"),
    ]
    assert not ConsumptionRecord.objects.exists()


def test_a_row_conflicting_with_an_earlier_import_changes_nothing(account, vendors):
    # given an imported row c-1 of ¥100.00
    yunfan, _beichen = vendors
    consumption_import_csv(text=HEADER + f"c-1,{account.pk},{yunfan.pk},100.00,2026-11-01,\n")
    # when a later file has a new row and c-1 with another amount
    report = consumption_import_csv(
        text=HEADER
        + f"c-9,{account.pk},{yunfan.pk},50.00,2026-11-05,\n"
        + f"c-1,{account.pk},{yunfan.pk},120.00,2026-11-01,\n"
    )
    # then the conflict is reported on line 3 and the new row is not recorded either
    assert report.errors == [(3, "external_id c-1 was already recorded with a different account, vendor or amount")]
    assert (report.created, report.skipped) == (0, 0)
    assert not ConsumptionRecord.objects.filter(external_id="c-9").exists()
    assert _consumed(account, yunfan) == Decimal("100.00")


def test_missing_columns_are_reported_on_line_1(account):
    # given a file without the vendor and amount columns
    text = f"external_id,customer_account,consumed_at\nc-1,{account.pk},2026-11-01\n"
    # when it is imported
    report = consumption_import_csv(text=text)
    # then the header line names the missing columns and nothing is recorded
    assert report.errors == [(1, "Missing columns: vendor, amount")]
    assert not ConsumptionRecord.objects.exists()


def test_an_empty_file_reports_every_missing_column(db):
    # given an empty file
    # when it is imported
    report = consumption_import_csv(text="")
    # then all required columns are missing
    assert report.errors == [(1, "Missing columns: external_id, customer_account, vendor, amount, consumed_at")]


def test_a_utf8_bom_and_spaced_header_are_accepted_and_description_is_optional(account, vendors):
    # given a file saved by Excel: a BOM, headers with spaces and capitals, no description column
    text = "\ufeffExternal_ID, customer_account ,vendor,amount,consumed_at\r\n" + (
        f"c-1,{account.pk},{vendors[0].pk},10.00,2026-11-01\r\n"
    )
    # when it is imported
    report = consumption_import_csv(text=text)
    # then the row is recorded
    assert (report.created, report.errors) == (1, [])
    assert ConsumptionRecord.objects.get().description == ""
