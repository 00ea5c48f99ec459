"""Vendor queue with 100,000 requests for one vendor: time the first page, a search and the status counts.

Run with `make bench` (PostgreSQL at DATABASE_URL; it creates and drops its own database `invoicing_bench`).
Requests are inserted with bulk_create (the submit service is exercised by the tests; here only the read path is
measured), then the queue page is fetched through the real view with the Django test client.
"""

import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/invoicing_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicing_console.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
REPEAT = 5


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0)
    old_config = runner.setup_databases()
    try:
        run()
    finally:
        runner.teardown_databases(old_config)


def run() -> None:
    from apps.accounts.models import CustomerAccount, User, Vendor
    from apps.billing.models import VendorBalance
    from apps.invoices.models import InvoiceRequest

    call_command("seed_demo", verbosity=0)
    vendor = Vendor.objects.get(users__username="vendor1")
    accounts = [CustomerAccount.objects.create(name=f"压测客户{i:03d}") for i in range(50)]
    customers = [User.objects.create(username=f"bench{i}", customer_account=a) for i, a in enumerate(accounts)]
    for account in accounts:
        VendorBalance.objects.create(customer_account=account, vendor=vendor, consumed=Decimal("100000000"))
    start = time.perf_counter()
    now = timezone.now()
    statuses = ["pending", "processing", "cancelled", "rejected"]
    batch = []
    for i in range(ROWS):
        account = accounts[i % len(accounts)]
        submitted = now - dt.timedelta(minutes=i)
        batch.append(
            InvoiceRequest(
                number=f"BN{i:010d}",
                customer_account=account,
                vendor=vendor,
                submitted_by=customers[i % len(customers)],
                amount=Decimal("10.00") + i % 500,
                title_snapshot={"name": f"压测抬头{i % 997}", "taxpayer_id": "91110000600037341L", "kind": "company"},
                address_snapshot={
                    "recipient": "王五",
                    "phone": "13800138000",
                    "province": "北京市",
                    "city": "北京市",
                    "district": "海淀区",
                    "street": "中关村大街 1 号",
                    "postal_code": "100080",
                },
                submitted_at=submitted,
                dispatch_due_date=(submitted + dt.timedelta(days=14)).date(),
                status=statuses[i % len(statuses)],
            )
        )
        if len(batch) == 5000:
            InvoiceRequest.objects.bulk_create(batch)
            batch = []
    InvoiceRequest.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"inserted {ROWS} requests for one vendor in {time.perf_counter() - start:.1f} s")

    client = Client()
    client.force_login(User.objects.get(username="vendor1"))
    cases = {
        "queue, first page": "/backoffice/",
        "queue, pending tab": "/backoffice/?status=pending",
        "queue, page 200": "/backoffice/?page=200",
        "queue, overdue only": "/backoffice/?overdue=1",
        "queue, search a title name": "/backoffice/?q=压测抬头42",
        "queue, search a request number": "/backoffice/?q=BN0000099999",
    }
    print(f"{'case':34} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for label, url in cases.items():
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label:34} {statistics.median(timings):10.1f} {max(timings):8.1f} {len(queries):8d}")


if __name__ == "__main__":
    main()
