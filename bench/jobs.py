"""Job benchmarks: the SLA sweep over 200,000 open requests, a 10,000-row consumption import, a 1,000-row mailing
import. Time, queries and peak memory of each, as a table and bench/results/jobs-<timestamp>.json.

    python bench/jobs.py [--scale 1.0] [--database invoicing_bench_jobs]

The jobs write (the sweep marks requests, the imports add rows), so they run on a database of their own, never the
load test's: created and migrated on the first run, its open requests bulk-created (200,000 x scale, spread over 20
vendors and 200 accounts: 0.5% overdue, 1% at risk, the rest due later) and reused by later runs of the same scale
(a marker table), with the sweep's marks and notes reset before each run. The mailing import works on 1,000 fresh
processing requests each run (their numbers carry the run's id), the consumption import on 10,000 new external IDs.

Each job runs in a child process of its own (`--job NAME`), so its peak RSS (resource.getrusage) is the job's and not
the data generation's; "RSS +MB" is how much the job raised it. The sweep runs twice: once with the overdue and
at-risk requests to handle, once with nothing left to do (the scan alone, under tracemalloc for Python's peak).
E-mails are not queued (no broker work in a benchmark); the notification rows are written as in production.
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

OPEN_REQUESTS = 200_000
CONSUMPTION_ROWS = 10_000
MAILING_ROWS = 1_000
VENDORS, ACCOUNTS = 20, 200
OVERDUE_SHARE, AT_RISK_SHARE = 0.005, 0.01


def _database_url(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/" + name


def _setup_django(database: str) -> None:
    os.environ["DATABASE_URL"] = _database_url(database)
    os.environ.setdefault("SECRET_KEY", "bench-jobs-" + "q7W2eR9tY4uI8oP1aS5dF3gH6jK0lZ" * 2)
    os.environ.setdefault("DEBUG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "invoicing_console.settings"
    import django

    django.setup()
    # No broker work in a benchmark: the notification rows are written, their e-mails are not queued.
    import apps.notifications.services as notification_services

    notification_services._queue_delivery = lambda ids: None


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _rss_mb() -> float:
    """The process's resident memory now (Linux /proc), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _measure(function, *, trace: bool = False) -> dict:
    """Run `function` once: seconds, queries, how much the process's peak RSS grew (MB) and, with `trace`,
    tracemalloc's peak (the most Python memory held at once; it slows the run down several times, so the timed runs
    go without it)."""
    from django.db import connection

    counter = _QueryCounter()
    rss_before = _rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = function()
    seconds = time.perf_counter() - start
    python_peak = None
    if trace:
        python_peak = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 3),
        "queries": counter.count,
        "rss_growth_mb": round(max(peak_after - max(peak_before, rss_before), 0.0), 1),
        "max_rss_mb": round(peak_after, 1),
        "python_peak_mb": python_peak,
        **(result or {}),
    }


# --- the database ----------------------------------------------------------------------------------------------------


def _ensure_database(database: str, scale: float) -> None:
    """Create and migrate the database unless it holds data of this scale already; then reset the sweep's marks."""
    import psycopg2

    admin = psycopg2.connect(_database_url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        exists = cursor.fetchone() is not None
    marker = None
    if exists:
        with psycopg2.connect(_database_url(database)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_jobs_marker') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT scale FROM bench_jobs_marker")
                row = cursor.fetchone()
                marker = row and row[0]
    if marker != scale:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    data = _run_child(database, scale, "data")
    print(f"jobs: {database} ready with {data['open_requests']:,} open requests ({data['seconds']} s)", flush=True)


def _generate(scale: float) -> dict:
    """Migrate (first run only), bulk-create the open requests, reset the sweep's marks; returns the row counts."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from apps.accounts.models import CustomerAccount, User, Vendor
    from apps.core.workdays import calendar_date
    from apps.invoices.models import InvoiceEvent, InvoiceRequest
    from apps.invoices.selectors import at_risk_cutoff
    from apps.notifications.models import Notification

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_jobs_marker (scale double precision)")
        cursor.execute("SELECT scale FROM bench_jobs_marker")
        loaded = cursor.fetchone()
    now = timezone.now()
    today = calendar_date(now)
    start = time.perf_counter()
    if loaded is None:
        vendors = Vendor.objects.bulk_create([Vendor(name=f"压测服务商{n:02d}") for n in range(VENDORS)])
        accounts = CustomerAccount.objects.bulk_create(
            [CustomerAccount(name=f"压测客户{n:03d}") for n in range(ACCOUNTS)]
        )
        users = User.objects.bulk_create(
            [
                User(username=f"jobcustomer{n}", role=User.Role.CUSTOMER, customer_account=account)
                for n, account in enumerate(accounts)
            ]
            + [User(username=f"jobvendor{n}", role=User.Role.VENDOR, vendor=vendor) for n, vendor in enumerate(vendors)]
            + [User(username="jobstaff", role=User.Role.STAFF, is_staff=True)]
        )
        total = int(OPEN_REQUESTS * scale)
        overdue, at_risk = int(total * OVERDUE_SHARE), int(total * AT_RISK_SHARE)
        later = at_risk_cutoff(today=today) + dt.timedelta(days=30)
        for first in range(0, total, 5000):
            InvoiceRequest.objects.bulk_create(
                [
                    InvoiceRequest(
                        number=f"JB{n:012d}",
                        customer_account=accounts[n % ACCOUNTS],
                        vendor=vendors[n % VENDORS],
                        submitted_by=users[n % ACCOUNTS],
                        amount=Decimal("10.00") + n % 500,
                        title_snapshot={"name": f"压测抬头{n % 997}", "taxpayer_id": "91110000600037341L"},
                        address_snapshot={"recipient": "王五", "phone": "13800138000", "city": "北京市"},
                        status="pending" if n % 3 else "processing",
                        submitted_at=now - dt.timedelta(days=20 if n < overdue else 1),
                        dispatch_due_date=(
                            today - dt.timedelta(days=3) if n < overdue else today if n < overdue + at_risk else later
                        ),
                    )
                    for n in range(first, min(first + 5000, total))
                ]
            )
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_jobs_marker VALUES (%s)", [scale])
            cursor.execute("ANALYZE")
    # Every run starts from the same state: nothing reminded or breached yet.
    InvoiceRequest.objects.filter(status__in=["pending", "processing"]).exclude(
        at_risk_notified_at=None, breached_at=None
    ).update(at_risk_notified_at=None, breached_at=None)
    InvoiceEvent.objects.filter(kind__in=[InvoiceEvent.Kind.VENDOR_REMINDED, InvoiceEvent.Kind.BREACHED]).delete()
    Notification.objects.filter(kind__in=["at_risk", "breached", "escalated"]).delete()
    return {
        "open_requests": InvoiceRequest.objects.filter(status__in=["pending", "processing"]).count(),
        "seconds": round(time.perf_counter() - start, 1),
    }


# --- the jobs --------------------------------------------------------------------------------------------------------


def _job_sweep() -> dict:
    from apps.invoices.models import InvoiceRequest
    from apps.invoices.sla import sla_sweep

    open_requests = InvoiceRequest.objects.filter(status__in=["pending", "processing"]).count()

    def sweep():
        result = sla_sweep()
        return {"reminded": result.reminded, "breached": result.breached}

    first = _measure(sweep)
    again = _measure(sweep, trace=True)  # the scan alone, traced: what it holds with nothing to do
    return {"open_requests": open_requests, "first": first, "again": again}


def _job_consumption() -> dict:
    from apps.accounts.models import CustomerAccount, Vendor
    from apps.billing.services import consumption_import_csv

    accounts = list(CustomerAccount.objects.order_by("pk").values_list("pk", flat=True)[:ACCOUNTS])
    vendors = list(Vendor.objects.order_by("pk").values_list("pk", flat=True)[:VENDORS])
    run = f"{time.time_ns():x}"
    text = "external_id,customer_account,vendor,amount,consumed_at,description\n" + "".join(
        f"C{run}-{n},{accounts[n % len(accounts)]},{vendors[n % len(vendors)]},{1 + n % 300}.50,2026-01-01T10:00:00,"
        f"压测消费{n}\n"
        for n in range(CONSUMPTION_ROWS)
    )

    def importing():
        report = consumption_import_csv(text=text)
        assert not report.errors, report.errors[:3]
        return {"rows": CONSUMPTION_ROWS, "created": report.created, "skipped": report.skipped}

    return {"first": _measure(importing)}


def _processing_requests(run: str, label: str):
    from django.utils import timezone

    from apps.accounts.models import CustomerAccount, User, Vendor
    from apps.core.workdays import calendar_date
    from apps.invoices.models import InvoiceRequest

    vendor = Vendor.objects.order_by("pk").first()
    account = CustomerAccount.objects.order_by("pk").first()
    submitter = User.objects.filter(customer_account=account).first()
    now = timezone.now()
    requests = InvoiceRequest.objects.bulk_create(
        [
            InvoiceRequest(
                number=f"M{label}{run}{n:05d}",
                customer_account=account,
                vendor=vendor,
                submitted_by=submitter,
                amount=Decimal("30.00") + n % 40,
                title_snapshot={"name": "压测抬头"},
                address_snapshot={"recipient": "王五"},
                status="processing",
                submitted_at=now - dt.timedelta(days=1),
                dispatch_due_date=calendar_date(now) + dt.timedelta(days=10),
            )
            for n in range(MAILING_ROWS)
        ]
    )
    today = calendar_date(now).isoformat()
    text = "request_number,invoice_numbers,invoice_date,courier,tracking_number,shipping_payer\n" + "".join(
        f"{request.number},{label}{run}{n:06d},{today},顺丰,SF{label}{run}{n:06d},寄付\n"
        for n, request in enumerate(requests)
    )
    return vendor, User.objects.filter(vendor=vendor).first(), text


def _job_mailing() -> dict:
    from apps.invoices.mailing import _mailing_import_one_by_one, mailing_csv_rows, mailing_import_csv

    run = f"{time.time_ns() % 10**10:010d}"
    vendor, actor, text = _processing_requests(run, "B")

    def batched():
        report = mailing_import_csv(actor=actor, vendor=vendor, text=text)
        assert len(report.applied) == MAILING_ROWS, report.errors[:3]
        return {"rows": MAILING_ROWS, "applied": len(report.applied)}

    result = {"batched": _measure(batched)}
    # The path every row took before: one transaction and about ten queries per row (kept for a lost race).
    vendor, actor, text = _processing_requests(run, "R")

    def row_by_row():
        report = _mailing_import_one_by_one(actor=actor, vendor=vendor, rows=mailing_csv_rows(text))
        assert len(report.applied) == MAILING_ROWS, report.errors[:3]
        return {"rows": MAILING_ROWS, "applied": len(report.applied)}

    result["row_by_row"] = _measure(row_by_row)
    return result


JOBS = {"data": None, "sweep": _job_sweep, "consumption": _job_consumption, "mailing": _job_mailing}


def _child(database: str, scale: float, job: str) -> None:
    _setup_django(database)
    result = _generate(scale) if job == "data" else JOBS[job]()
    print("RESULT " + json.dumps(result))


def _run_child(database: str, scale: float, job: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--database", database, "--scale", str(scale), "--job", job],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(next(line for line in output.splitlines() if line.startswith("RESULT "))[7:])


def _table(results: dict) -> str:
    lines = [
        f"{'job':<44} {'rows':>9} {'seconds':>8} {'queries':>8} {'RSS +MB':>8} {'max RSS MB':>10} {'py peak MB':>10}",
    ]

    def line(name, rows, measured):
        lines.append(
            f"{name:<44} {rows:>9,} {measured['seconds']:>8.2f} {measured['queries']:>8,} "
            f"{measured['rss_growth_mb']:>8.1f} {measured['max_rss_mb']:>10.1f} "
            f"{measured['python_peak_mb'] if measured['python_peak_mb'] is not None else '-':>10}"
        )

    sweep = results["sweep"]
    first, again = sweep["first"], sweep["again"]
    line(
        f"SLA sweep ({first['breached']:,} breached, {first['reminded']:,} reminded)",
        sweep["open_requests"],
        first,
    )
    line("SLA sweep again (nothing left to do)", sweep["open_requests"], again)
    line("consumption import (import_consumption)", CONSUMPTION_ROWS, results["consumption"]["first"])
    line("mailing import (batched)", MAILING_ROWS, results["mailing"]["batched"])
    line("mailing import, old row-by-row path", MAILING_ROWS, results["mailing"]["row_by_row"])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="open requests = 200,000 x scale (default 1.0)")
    parser.add_argument("--database", default="invoicing_bench_jobs")
    parser.add_argument("--job", choices=list(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        _child(args.database, args.scale, args.job)
        return
    start = time.perf_counter()
    _ensure_database(args.database, args.scale)
    results = {
        "scale": args.scale,
        "cpu_count": os.cpu_count(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    for job in ("sweep", "consumption", "mailing"):
        results[job] = _run_child(args.database, args.scale, job)
    results["seconds"] = round(time.perf_counter() - start, 1)
    print(_table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"jobs-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"jobs: {results['seconds']} s in all; results in {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
