import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from apps.billing.models import ConsumptionRecord, VendorBalance
from apps.billing.services import consumption_record
from apps.core.errors import ApplicationError
from tests.factories import CustomerAccountFactory, VendorFactory

AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def account(db):
    return CustomerAccountFactory()


def _balance(account, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=account, vendor=vendor)


def test_consumption_is_recorded_and_added_to_the_balance(account, vendor):
    # given an account without consumption
    # when two consumption records arrive
    first, created_first = consumption_record(
        customer_account=account, vendor=vendor, amount=Decimal("300.00"), consumed_at=AT, external_id="ext-1"
    )
    _, created_second = consumption_record(
        customer_account=account,
        vendor=vendor,
        amount=Decimal("0.50"),
        consumed_at=AT,
        external_id="ext-2",
        description="云主机 11 月",
    )
    # then both are stored and the balance's consumed is their sum
    assert (created_first, created_second) == (True, True)
    assert ConsumptionRecord.objects.get(external_id="ext-1").amount == Decimal("300.00")
    assert ConsumptionRecord.objects.get(external_id="ext-2").description == "云主机 11 月"
    balance = _balance(account, vendor)
    assert (balance.consumed, balance.refunded, balance.invoiced) == (Decimal("300.50"), 0, 0)


def test_the_same_record_twice_counts_once(account, vendor):
    # given a recorded consumption
    first, _ = consumption_record(
        customer_account=account, vendor=vendor, amount=Decimal("300.00"), consumed_at=AT, external_id="ext-1"
    )
    # when exactly the same record arrives again (an import is repeated)
    again, created = consumption_record(
        customer_account=account, vendor=vendor, amount=Decimal("300.00"), consumed_at=AT, external_id="ext-1"
    )
    # then nothing new is recorded and the balance is unchanged
    assert created is False
    assert again.pk == first.pk
    assert ConsumptionRecord.objects.count() == 1
    assert _balance(account, vendor).consumed == Decimal("300.00")


@pytest.mark.parametrize("change", ["amount", "vendor", "account"])
def test_a_conflicting_duplicate_external_id_is_refused(account, vendor, other_vendor, change):
    # given a recorded consumption
    consumption_record(
        customer_account=account, vendor=vendor, amount=Decimal("300.00"), consumed_at=AT, external_id="ext-1"
    )
    # when the same external ID arrives with another amount, vendor or account
    kwargs = {"customer_account": account, "vendor": vendor, "amount": Decimal("300.00")}
    if change == "amount":
        kwargs["amount"] = Decimal("300.01")
    elif change == "vendor":
        kwargs["vendor"] = other_vendor
    else:
        kwargs["customer_account"] = CustomerAccountFactory()
    with pytest.raises(ApplicationError) as raised:
        consumption_record(consumed_at=AT, external_id="ext-1", **kwargs)
    # then it is refused on external_id, and no balance changes
    assert raised.value.code == "external_id_conflict"
    assert list(raised.value.fields) == ["external_id"]
    assert ConsumptionRecord.objects.count() == 1
    assert _balance(account, vendor).consumed == Decimal("300.00")
    assert VendorBalance.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"external_id": "  "}, "external_id_required", "external_id"),
        ({"external_id": "x" * 65}, "invalid_consumption", "external_id"),
        ({"amount": Decimal("0")}, "invalid_amount", "amount"),
        ({"amount": Decimal("-10")}, "invalid_amount", "amount"),
        ({"amount": Decimal("1.001")}, "invalid_amount", "amount"),
        ({"consumed_at": None}, "invalid_consumption", "consumed_at"),
        ({"description": "d" * 201}, "invalid_consumption", "description"),
    ],
)
def test_bad_consumption_is_refused_with_a_field_error(account, vendor, kwargs, code, field):
    # given a consumption record with one bad field
    values = {"amount": Decimal("10.00"), "consumed_at": AT, "external_id": "ext-1", "description": "", **kwargs}
    # when it is recorded
    with pytest.raises(ApplicationError) as raised:
        consumption_record(customer_account=account, vendor=vendor, **values)
    # then that field is reported and nothing is stored
    assert raised.value.code == code
    assert list(raised.value.fields) == [field]
    assert not ConsumptionRecord.objects.exists()
    assert not VendorBalance.objects.filter(consumed__gt=0).exists()


def test_consumed_at_without_a_time_zone_is_asia_shanghai(account, vendor):
    # given a consumption time without a time zone
    # when it is recorded
    consumption_record(
        customer_account=account,
        vendor=vendor,
        amount=Decimal("1.00"),
        consumed_at=dt.datetime(2026, 11, 2, 8, 30),
        external_id="s",
    )
    # then it is stored as that Asia/Shanghai time
    shanghai = timezone.get_default_timezone()
    assert ConsumptionRecord.objects.get(external_id="s").consumed_at.astimezone(shanghai).isoformat() == (
        "2026-11-02T08:30:00+08:00"
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_external_id_for_several_vendors_at_once_records_one_and_refuses_the_others():
    # given one account and eight vendors (eight different balance rows, so eight different locks)
    account = CustomerAccountFactory()
    vendors = [VendorFactory() for _ in range(8)]
    barrier = threading.Barrier(len(vendors))
    outcomes: list[str] = []

    def record(vendor) -> None:
        try:
            barrier.wait()
            consumption_record(
                customer_account=account, vendor=vendor, amount=Decimal("10.00"), consumed_at=AT, external_id="same"
            )
            outcomes.append("created")
        except ApplicationError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - an IntegrityError here is the bug this test guards against
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    # when all record the same external ID at the same moment
    threads = [threading.Thread(target=record, args=(vendor,)) for vendor in vendors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one is recorded, the others are a clear conflict (never a database error), and consumed counts once
    assert sorted(outcomes) == ["created"] + ["external_id_conflict"] * (len(vendors) - 1)
    assert ConsumptionRecord.objects.filter(external_id="same").count() == 1
    assert sum(VendorBalance.objects.filter(customer_account=account).values_list("consumed", flat=True)) == Decimal(
        "10.00"
    )
