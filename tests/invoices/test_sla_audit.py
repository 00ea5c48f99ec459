"""The nightly audit: it re-checks what constraints and services should guarantee, whatever path wrote the rows,
records each violation once as an AuditFinding (by key) and tells staff once; staff acknowledge findings.

Bad data is written the way another path would: a raw SQL UPDATE, never through the services (which refuse it).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from apps.billing.models import VendorBalance
from apps.core.errors import NotFoundError
from apps.core.models import AuditLog
from apps.invoices.models import AuditFinding, InvoiceRequest
from apps.invoices.sla import AuditResult, audit_finding_acknowledge, audit_finding_summary, nightly_audit
from apps.invoices.tasks import nightly_audit_task
from apps.notifications.models import Notification
from tests.factories import StaffUserFactory
from tests.helpers import cancel, mail, reach_status

NIGHT = dt.datetime(2026, 3, 11, 18, 30, tzinfo=dt.UTC)  # 02:30 in Shanghai
NEXT_NIGHT = NIGHT + dt.timedelta(days=1)


def raw_sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def drop_cod_constraint_until_rollback() -> None:
    """Drop the shipping-rule CHECK inside the test's transaction (rolled back at the test's end, DDL included).

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: check them now, or ALTER TABLE refuses ("pending
    trigger events")."""
    raw_sql("SET CONSTRAINTS ALL IMMEDIATE", [])
    raw_sql("ALTER TABLE invoices_invoicerequest DROP CONSTRAINT invoice_request_cod_only_below_50", [])


def balance_of(customer, vendor) -> VendorBalance:
    return VendorBalance.objects.get(customer_account=customer.customer_account, vendor=vendor)


def staff_told(kind: str = Notification.Kind.AUDIT_FINDING) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_clean_data_has_no_findings(consumed, vendor, submit, staff_user):
    # given requests in every money-relevant state, all written through the services
    submit(consumed, vendor, "120.00")
    mail(submit(consumed, vendor, "49.99"), payer="recipient")  # cash on delivery below 50.00: allowed
    mail(submit(consumed, vendor, "50.00"))
    cancel(submit(consumed, vendor, "30.00"))

    # when the audit runs, then it finds nothing and tells nobody
    assert nightly_audit(now=NIGHT) == AuditResult(shipping_rule=0, money_invariant=0, new=0)
    assert not AuditFinding.objects.exists()
    assert staff_told() == []


def test_a_balance_written_by_another_path_is_flagged_once_until_staff_acknowledge_it(
    consumed, vendor, submit, staff_user
):
    # given a balance whose `invoiced` another path raised without a request (invoiced 100.00 + 5.00)
    submit(consumed, vendor, "100.00")
    balance = balance_of(consumed, vendor)
    raw_sql("UPDATE billing_vendorbalance SET invoiced = invoiced + 5 WHERE id = %s", [balance.pk])

    # when the audit runs
    result = nightly_audit(now=NIGHT)

    # then one money finding names the balance, with the stored and the expected sum, and staff are told once
    assert result == AuditResult(shipping_rule=0, money_invariant=1, new=1)
    finding = AuditFinding.objects.get()
    assert finding.kind == AuditFinding.Kind.MONEY_INVARIANT
    assert finding.key == f"balance:{consumed.customer_account_id}:{vendor.pk}:invoiced"
    assert (finding.customer_account_id, finding.vendor_id) == (consumed.customer_account_id, vendor.pk)
    assert finding.details == {"field": "invoiced", "stored": "105.00", "expected": "100.00"}
    assert (finding.found_at, finding.last_seen_at) == (NIGHT, NIGHT)
    assert staff_told() == [staff_user.username]
    assert Notification.objects.get(kind="audit_finding").params["finding_id"] == finding.pk
    # and what is wrong reads in one sentence (the staff console and the e-mail show it)
    assert audit_finding_summary(finding=finding) == (
        "Invoiced ¥105.00, but the pending, processing and mailed requests total ¥100.00."
    )

    # when it runs again the next night, the violation still there
    again = nightly_audit(now=NEXT_NIGHT)

    # then it is the same finding, seen again, and staff are not told twice
    assert again == AuditResult(shipping_rule=0, money_invariant=1, new=0)
    finding = AuditFinding.objects.get()
    assert (finding.found_at, finding.last_seen_at) == (NIGHT, NEXT_NIGHT)
    assert staff_told() == [staff_user.username]

    # when staff acknowledge it (twice: a double click)
    audit_finding_acknowledge(actor=staff_user, finding_id=finding.pk)
    acknowledged = audit_finding_acknowledge(actor=staff_user, finding_id=finding.pk)

    # then it is kept with who and when, once in the audit log
    assert acknowledged.acknowledged_by == staff_user and acknowledged.acknowledged_at is not None
    assert AuditLog.objects.filter(action="audit_finding_acknowledge", object_id=str(finding.pk)).count() == 1
    # and a later night's audit keeps it acknowledged, still without a second notification
    nightly_audit(now=NEXT_NIGHT + dt.timedelta(days=1))
    assert AuditFinding.objects.get().acknowledged_by == staff_user
    assert Notification.objects.filter(kind="audit_finding").count() == 1


def test_consumed_out_of_step_with_the_consumption_records_is_flagged(consumed, vendor, staff_user):
    balance = balance_of(consumed, vendor)
    raw_sql("UPDATE billing_vendorbalance SET consumed = 1500 WHERE id = %s", [balance.pk])

    assert nightly_audit(now=NIGHT).money_invariant == 1
    assert AuditFinding.objects.get().details == {"field": "consumed", "stored": "1500.00", "expected": "1000.00"}


def test_open_requests_without_any_balance_are_flagged(consumed, vendor, submit, staff_user):
    submit(consumed, vendor, "100.00")
    raw_sql("DELETE FROM billing_vendorbalance WHERE id = %s", [balance_of(consumed, vendor).pk])

    assert nightly_audit(now=NIGHT).money_invariant == 1
    assert AuditFinding.objects.get().key == f"balance:{consumed.customer_account_id}:{vendor.pk}:missing"


def test_cash_on_delivery_from_50_00_is_flagged_whatever_path_wrote_it(consumed, vendor, submit, staff_user):
    """The CHECK invoice_request_cod_only_below_50 stops every path from writing such a row, and CHECK constraints
    cannot be deferred (SET CONSTRAINTS only defers UNIQUE, FK and EXCLUDE). To see the audit catch a row that got
    past it (a restore without constraints, a constraint dropped by a migration), the test drops the constraint
    inside its own transaction: pytest-django rolls that transaction back at the end of the test, DDL included, so
    the constraint is never missing for anyone else (the table stays locked by this transaction meanwhile)."""
    # given a mailed request of exactly 50.00 whose shipping payer another path changed to cash on delivery
    at_boundary = mail(submit(consumed, vendor, "50.00"))
    allowed = mail(submit(consumed, vendor, "49.99"), payer="recipient")
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("UPDATE invoices_invoicerequest SET shipping_payer = 'recipient' WHERE id = %s", [at_boundary.pk])
    drop_cod_constraint_until_rollback()
    raw_sql("UPDATE invoices_invoicerequest SET shipping_payer = 'recipient' WHERE id = %s", [at_boundary.pk])

    # when the audit runs
    result = nightly_audit(now=NIGHT)

    # then the 50.00 one is a shipping-rule finding (the 49.99 one sent cash on delivery is fine) and staff are told
    assert result == AuditResult(shipping_rule=1, money_invariant=0, new=1)
    finding = AuditFinding.objects.get()
    assert finding.kind == AuditFinding.Kind.SHIPPING_RULE
    assert finding.key == f"shipping_rule:{at_boundary.number}"
    assert finding.invoice_request_id == at_boundary.pk
    assert finding.details == {"number": at_boundary.number, "amount": "50.00", "shipping_payer": "recipient"}
    assert not AuditFinding.objects.filter(invoice_request=allowed).exists()
    assert audit_finding_summary(finding=finding) == (
        f"{at_boundary.number}: ¥50.00 (from ¥50.00 the vendor pays) was sent cash on delivery."
    )
    assert staff_told() == [staff_user.username]
    # and again the next night: the same finding, no second notification
    assert nightly_audit(now=NEXT_NIGHT).new == 0
    assert AuditFinding.objects.count() == 1 and Notification.objects.filter(kind="audit_finding").count() == 1


def test_a_voided_request_is_rechecked_too(consumed, vendor, submit, staff_user):
    voided = reach_status(submit(consumed, vendor, "80.00"), InvoiceRequest.Status.VOIDED)
    drop_cod_constraint_until_rollback()
    raw_sql("UPDATE invoices_invoicerequest SET shipping_payer = 'recipient' WHERE id = %s", [voided.pk])

    assert nightly_audit(now=NIGHT).shipping_rule == 1


def test_only_staff_acknowledge_and_others_are_told_it_does_not_exist(consumed, vendor, vendor_user, staff_user):
    raw_sql("UPDATE billing_vendorbalance SET invoiced = 1 WHERE id = %s", [balance_of(consumed, vendor).pk])
    nightly_audit(now=NIGHT)
    finding = AuditFinding.objects.get()

    for outsider in (consumed, vendor_user):
        with pytest.raises(NotFoundError):
            audit_finding_acknowledge(actor=outsider, finding_id=finding.pk)
    with pytest.raises(NotFoundError):
        audit_finding_acknowledge(actor=StaffUserFactory(), finding_id=finding.pk + 1000)
    assert AuditFinding.objects.get().acknowledged_at is None


def test_the_task_runs_the_audit(consumed, vendor, staff_user):
    raw_sql("UPDATE billing_vendorbalance SET invoiced = 2 WHERE id = %s", [balance_of(consumed, vendor).pk])
    assert nightly_audit_task.run() == {"shipping_rule": 0, "money_invariant": 1, "new": 1}
    assert nightly_audit_task.run() == {"shipping_rule": 0, "money_invariant": 1, "new": 0}
    assert balance_of(consumed, vendor).invoiced == Decimal("2.00")  # the audit reports; it never "fixes" money


def test_the_constraint_dropped_by_the_tests_above_is_back(consumed, vendor, submit):
    # the rollback at the end of each test restored it: the database refuses cash on delivery from 50.00 again
    request = mail(submit(consumed, vendor, "50.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("UPDATE invoices_invoicerequest SET shipping_payer = 'recipient' WHERE id = %s", [request.pk])
