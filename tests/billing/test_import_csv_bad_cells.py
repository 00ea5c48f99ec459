"""A consumption CSV with a NUL or an oversized cell: a report naming the line, nothing imported, never a crash."""

import csv

import pytest

from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.services import consumption_import_csv
from tests.factories import CustomerAccountFactory, VendorFactory

HEADER = "external_id,customer_account,vendor,amount,consumed_at,description\n"


@pytest.fixture
def account(db):
    return CustomerAccountFactory()


@pytest.fixture
def vendor(db):
    return VendorFactory(name="云帆数据服务有限公司")


def _good_row(account, vendor, external_id: str = "c-1") -> str:
    return f"{external_id},{account.pk},{vendor.pk},10.00,2026-11-01,云主机\n"


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("c-\x002,{account},{vendor},5.00,2026-11-02,x\n", "external_id holds a control character"),
        ("c-2,{account},{vendor},5.00,2026-11-02,云\x1b主机\n", "description holds a control character"),
    ],
)
def test_a_control_character_in_a_cell_is_a_row_error_and_nothing_is_imported(account, vendor, bad_row, message):
    # given a good row followed by a row with a control character (a NUL used to crash the import in PostgreSQL)
    text = HEADER + _good_row(account, vendor) + bad_row.format(account=account.pk, vendor=vendor.pk)
    # when it is imported
    report = consumption_import_csv(text=text)
    # then line 3 is reported and the good row was not recorded either
    assert [line for line, _message in report.errors] == [3]
    assert message in report.errors[0][1]
    assert not ConsumptionRecord.objects.exists()
    assert not VendorBalance.objects.filter(consumed__gt=0).exists()


def test_a_cell_over_the_csv_size_limit_refuses_the_file(account, vendor):
    huge = "x" * (csv.field_size_limit() + 1)
    text = HEADER + _good_row(account, vendor) + f"c-2,{account.pk},{vendor.pk},5.00,2026-11-02,{huge}\n"
    report = consumption_import_csv(text=text)
    assert report.errors == [(3, f"A cell on this line is longer than {csv.field_size_limit():,} characters.")]
    assert not ConsumptionRecord.objects.exists()
