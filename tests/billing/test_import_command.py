from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.billing.models import ConsumptionRecord, VendorBalance
from tests.factories import CustomerAccountFactory

HEADER = "external_id,customer_account,vendor,amount,consumed_at,description\n"


@pytest.fixture
def account(db):
    return CustomerAccountFactory()


def _run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_consumption", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_file_and_a_repeat_skips_every_row(tmp_path, account, vendor):
    # given a UTF-8 file with a BOM and two rows
    path = tmp_path / "consumption.csv"
    path.write_text(
        HEADER
        + f"c-1,{account.pk},{vendor.pk},100.00,2026-11-01,云主机\n"
        + f"c-2,{account.pk},{vendor.name},23.45,2026-11-02T08:00:00+08:00,\n",
        encoding="utf-8-sig",
    )
    # when it is imported twice
    first_out, first_err = _run(path)
    second_out, second_err = _run(path)
    # then the first run creates two records, the second skips both, and the balance counts them once
    assert "2 created, 0 skipped" in first_out
    assert "0 created, 2 skipped" in second_out
    assert (first_err, second_err) == ("", "")
    assert ConsumptionRecord.objects.count() == 2
    assert VendorBalance.objects.get(customer_account=account, vendor=vendor).consumed == Decimal("123.45")


def test_command_accepts_utf8_without_bom(tmp_path, account, vendor):
    # given a UTF-8 file without BOM with Chinese text
    path = tmp_path / "consumption.csv"
    path.write_text(HEADER + f"c-1,{account.pk},{vendor.pk},1.00,2026-11-01,安全服务\n", encoding="utf-8")
    # when it is imported
    out, _err = _run(path)
    # then the row and its description are stored
    assert "1 created, 0 skipped" in out
    assert ConsumptionRecord.objects.get().description == "安全服务"


def test_command_with_a_bad_row_fails_prints_the_line_and_imports_nothing(tmp_path, account, vendor):
    # given a file whose line 3 has a negative amount and line 4 an unknown vendor
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + f"c-1,{account.pk},{vendor.pk},100.00,2026-11-01,\n"
        + f"c-2,{account.pk},{vendor.pk},-5,2026-11-01,\n"
        + f"c-3,{account.pk},nobody,5.00,2026-11-01,\n",
        encoding="utf-8",
    )
    # when it is imported

    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_consumption", str(path), stdout=StringIO(), stderr=err)
    # then the command fails, each bad line is on stderr, and nothing was recorded
    assert str(raised.value) == f"2 error(s) in {path}; nothing was imported."
    assert err.getvalue().splitlines() == [
        f"{path}:3: The amount must be at least 0.01.",
        f"{path}:4: unknown vendor nobody",
    ]
    assert not ConsumptionRecord.objects.exists()
    assert not VendorBalance.objects.exists()


def test_command_reports_missing_columns(tmp_path, account):
    # given a file without an amount column
    path = tmp_path / "columns.csv"
    path.write_text("external_id,customer_account,vendor,consumed_at\n", encoding="utf-8")
    # when it is imported

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_consumption", str(path), stdout=StringIO(), stderr=err)
    # then the header line is named
    assert err.getvalue().strip() == f"{path}:1: Missing columns: amount"


def test_command_refuses_a_file_that_is_not_utf8(tmp_path, account, vendor):
    # given a file saved in GBK (a common Excel default in China)
    path = tmp_path / "gbk.csv"
    path.write_bytes((HEADER + f"c-1,{account.pk},{vendor.pk},1.00,2026-11-01,安全服务\n").encode("gbk"))
    # when it is imported
    # then the command says to save it as UTF-8, and nothing is recorded
    with pytest.raises(CommandError, match="is not UTF-8"):
        call_command("import_consumption", str(path))
    assert not ConsumptionRecord.objects.exists()


def test_command_refuses_a_missing_file(tmp_path, db):
    # given a path where no file exists
    # when it is imported
    # then the command fails with a clear message
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_consumption", str(tmp_path / "missing.csv"))
