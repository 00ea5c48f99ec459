"""Benchmark data: a marketplace's volume loaded into PostgreSQL with COPY in well under a minute.

    python bench/data.py --scale 1.0 --database invoicing_bench           # drop, create, migrate, load, VACUUM
    python bench/data.py --scale 0.05 --database invoicing_bench --reuse  # keep the database if that scale is in it

At scale 1.0: 2,000 customer accounts (user customer<N>, a default company title and address), 50 vendors (user
vendor<N>), 1,000,000 consumption records, 200,000 invoice requests in every status with their timeline events
(invoice numbers, courier, tracking number and shipping payer for the mailed ones; the overdue open ones marked
breached as the SLA sweep would have), one vendor "bench-vendor" (user benchvendor) with 100,000 of the requests, one
customer account (users benchcustomer and customer1) with 10,000, and a staff user benchstaff; the password of every
user is bench12345. Balances agree with the rows (consumed = the records' sum, invoiced = the sum of the pending,
processing and mailing requests, nothing refunded), so the nightly audit finds nothing. The bench customer's
balances keep ¥1,000,000 invoiceable, so a load run may apply as often as it likes.

Rows are made by plain Python (seeded random: the same scale gives the same data) into in-memory buffers and sent with
COPY; the big tables' secondary indexes and foreign keys are dropped first and rebuilt after, which is faster than
maintaining them row by row. `load(scale=...)` does the same on Django's current database connection in one
transaction (the tests call it); the command line also creates and migrates the database, VACUUMs it (visibility map
for index-only scans) and records the scale in the table `bench_meta`, which `loaded_scale()` reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench12345"
BENCH_VENDOR_NAME = "bench-vendor"
BENCH_VENDOR_USER = "benchvendor"
BENCH_CUSTOMER_USER = "benchcustomer"
BENCH_STAFF_USER = "benchstaff"
META_TABLE = "bench_meta"
SEED = 20260609

DAY = 86_400
SHANGHAI_OFFSET = 8 * 3600  # Asia/Shanghai has no daylight saving time
COPY_CHUNK_ROWS = 100_000
# The bench customer's balances keep this much invoiceable (in cents) so a load run can apply again and again.
BENCH_CUSTOMER_HEADROOM = 100_000_000

# The mix of statuses (weights) of the generated requests: most are mailed, a quarter still owed.
STATUS_WEIGHTS = {"pending": 12, "processing": 8, "mailing": 60, "voided": 2, "cancelled": 10, "rejected": 8}
ACTIVE = frozenset({"pending", "processing", "mailing"})
OPEN = frozenset({"pending", "processing"})
COURIERS = ["sf", "ems", "jd", "zto", "yto", "sto", "yunda", "jt", "deppon"]
REJECT_REASONS = [
    "纳税人识别号与开户银行信息不一致，请核对抬头后重新申请。",
    "专用发票需要完整的开户行和账号，请补充后重新申请。",
    "申请金额与订单不符，请核对后重新申请。",
]
CANCEL_REASONS = ["抬头选错了", "地址需要修改", "重复申请", ""]
VOID_REASON = "客户退回发票，已作废。"
PROVINCES = [
    ("北京市", "北京市", "海淀区", "100080"),
    ("上海市", "上海市", "浦东新区", "200120"),
    ("浙江省", "杭州市", "西湖区", "310012"),
    ("广东省", "深圳市", "南山区", "518057"),
    ("江苏省", "南京市", "鼓楼区", "210008"),
    ("四川省", "成都市", "武侯区", "610041"),
]
FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "秀英"]

# Tables whose secondary indexes and foreign keys are rebuilt after COPY instead of maintained row by row.
BIG_TABLES = (
    "billing_consumptionrecord",
    "invoices_invoicerequest",
    "invoices_invoiceevent",
    "invoices_issuedinvoice",
)


@dataclass(frozen=True)
class Sizes:
    accounts: int
    vendors: int
    consumption: int
    requests: int
    big_vendor_requests: int
    big_customer_requests: int

    @classmethod
    def for_scale(cls, scale: float) -> Sizes:
        if scale <= 0:
            raise ValueError("scale must be positive")

        def scaled(full: int, minimum: int) -> int:
            return max(minimum, round(full * scale))

        requests = scaled(200_000, 40)
        return cls(
            accounts=scaled(2_000, 4),
            vendors=scaled(50, 3),
            consumption=scaled(1_000_000, 100),
            requests=requests,
            big_vendor_requests=min(scaled(100_000, 10), requests // 2),
            big_customer_requests=min(scaled(10_000, 5), requests // 5),
        )


@dataclass
class Result:
    scale: float
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def table(self) -> str:
        lines = [f"bench data at scale {self.scale:g}"]
        lines += [f"  {name:28} {count:>10,}" for name, count in self.rows.items()]
        lines += [f"  {step:28} {seconds:>9.1f}s" for step, seconds in self.seconds.items()]
        return "\n".join(lines)


# --- COPY helpers -------------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """A value for COPY's text format: backslash, tab and new lines escaped."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json(value) -> str:
    return _text(json.dumps(value, ensure_ascii=False, separators=(", ", ": ")))


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


_UTC = dt.UTC


def _ts(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, _UTC).isoformat()


def _copy(cursor, table: str, columns: Iterable[str], lines: Iterable[str]) -> int:
    """COPY rows (text-format lines ending in a new line) into `table`, COPY_CHUNK_ROWS at a time."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= COPY_CHUNK_ROWS:
            cursor.copy_expert(statement, io.StringIO("".join(chunk)))
            count += len(chunk)
            chunk = []
    if chunk:
        cursor.copy_expert(statement, io.StringIO("".join(chunk)))
        count += len(chunk)
    return count


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _sync_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))", [table]
    )


@contextmanager
def _indexes_rebuilt_after(cursor, tables: Iterable[str]) -> Iterator[None]:
    """Drop the tables' secondary indexes, unique and foreign-key constraints; recreate them (same names and
    definitions, read from the catalog) when the block ends. Primary keys and CHECK constraints stay: COPY checks
    every row against them."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred trigger events pending on a table we ALTER
    saved: list[tuple[str, str, str, str]] = []  # (table, kind, name, definition)
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
            [table],
        )
        saved += [(table, "constraint", name, definition) for name, definition in cursor.fetchall()]
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY c.relname",
            [table],
        )
        saved += [(table, "index", name, definition) for name, definition in cursor.fetchall()]
    for table, kind, name, _definition in saved:
        if kind == "constraint":
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for table, kind, name, definition in sorted(saved, key=lambda row: row[1] == "constraint"):
        if kind == "index":
            cursor.execute(definition)
        else:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


# --- the plan: who deals with whom, and how much -------------------------------------------------------------------


@dataclass
class Pair:
    """One customer account's dealings with one vendor: its balance row."""

    account: int  # index into accounts
    vendor: int  # index into vendors
    active_cents: int = 0
    records: int = 0
    consumed_cents: int = 0


def _plan_pairs(sizes: Sizes, rng: random.Random) -> list[Pair]:
    """Account 0 is the bench customer, vendor 0 the bench vendor. The bench customer deals with up to 10 vendors,
    every other account with 1 to 4, half of them with the bench vendor."""
    pairs = [Pair(0, v) for v in range(min(sizes.vendors, 10))]
    others = list(range(1, sizes.vendors))
    for account in range(1, sizes.accounts):
        vendors = set(rng.sample(others, min(len(others), rng.randint(1, 3))))
        if account % 2 == 1:  # the bench vendor serves every other account (at least account 1)
            vendors.add(0)
        pairs += [Pair(account, v) for v in sorted(vendors)]
    return pairs


def _assign_requests(sizes: Sizes, pairs: list[Pair], rng: random.Random) -> list[int]:
    """Which pair each request belongs to: the bench customer's and the bench vendor's shares, then the rest."""
    by_index = range(len(pairs))
    customer_pairs = [i for i in by_index if pairs[i].account == 0]
    shared = next(i for i in customer_pairs if pairs[i].vendor == 0)  # the bench customer with the bench vendor
    customer_others = [i for i in customer_pairs if i != shared] or [shared]
    vendor_pairs = [i for i in by_index if pairs[i].vendor == 0 and pairs[i].account != 0]
    rest_pairs = [i for i in by_index if pairs[i].vendor != 0 and pairs[i].account != 0]

    both = max(1, sizes.big_customer_requests // 10)
    assigned = [shared] * both
    assigned += rng.choices(customer_others, k=sizes.big_customer_requests - both)
    assigned += rng.choices(vendor_pairs, k=max(0, sizes.big_vendor_requests - both))
    assigned += rng.choices(rest_pairs, k=max(0, sizes.requests - len(assigned)))
    return assigned


# --- the load -----------------------------------------------------------------------------------------------------


def load(*, scale: float = 1.0, now: dt.datetime | None = None, rebuild_indexes: bool = True) -> Result:
    """Load the bench data at `scale` into Django's default database, in one transaction, and ANALYZE it."""
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        _check_columns(cursor)
        return _Loader(cursor, scale=scale, now=now or timezone.now(), rebuild_indexes=rebuild_indexes).run()


# Columns the generator fills, per table; any other column must have a database default or be nullable.
COLUMNS = {
    "accounts_customeraccount": ("id", "created_at", "updated_at", "name"),
    "accounts_vendor": (
        "id",
        "created_at",
        "updated_at",
        "name",
        "contact_phone",
        "contact_email",
        "service_hours",
        "supported_invoice_types",
    ),
    "accounts_user": (
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "role",
        "language",
        "customer_account_id",
        "vendor_id",
    ),
    "titles_invoicetitle": (
        "id",
        "created_at",
        "updated_at",
        "kind",
        "name",
        "taxpayer_id",
        "taxpayer_id_verified",
        "registered_address",
        "registered_phone",
        "bank_name",
        "bank_account",
        "is_default",
        "customer_account_id",
    ),
    "addresses_mailingaddress": (
        "id",
        "created_at",
        "updated_at",
        "recipient",
        "phone",
        "province",
        "city",
        "district",
        "street",
        "postal_code",
        "is_default",
        "customer_account_id",
    ),
    "billing_consumptionrecord": (
        "id",
        "created_at",
        "updated_at",
        "customer_account_id",
        "vendor_id",
        "amount",
        "consumed_at",
        "external_id",
        "description",
    ),
    "billing_vendorbalance": (
        "id",
        "customer_account_id",
        "vendor_id",
        "consumed",
        "refunded",
        "invoiced",
        "updated_at",
    ),
    "invoices_invoicerequest": (
        "id",
        "number",
        "customer_account_id",
        "vendor_id",
        "submitted_by_id",
        "amount",
        "invoice_type",
        "title_id",
        "address_id",
        "title_snapshot",
        "address_snapshot",
        "status",
        "status_reason",
        "submitted_at",
        "dispatch_due_date",
        "dispatch_due_date_provisional",
        "idempotency_key",
        "invoice_date",
        "courier",
        "courier_name",
        "tracking_number",
        "shipping_payer",
        "mailed_at",
        "at_risk_notified_at",
        "breached_at",
        "updated_at",
    ),
    "invoices_invoiceevent": (
        "id",
        "request_id",
        "created_at",
        "actor_id",
        "from_status",
        "to_status",
        "reason",
        "kind",
        "params",
    ),
    "invoices_issuedinvoice": ("id", "request_id", "vendor_id", "number", "created_at"),
}


def _check_columns(cursor) -> None:
    """Fail clearly when a migration added a required column this generator does not fill yet."""
    for table, columns in COLUMNS.items():
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL "
            "AND is_identity = 'NO' AND is_generated = 'NEVER'",
            [table],
        )
        missing = sorted({name for (name,) in cursor.fetchall()} - set(columns))
        if missing:
            raise RuntimeError(f"bench/data.py does not fill {table}.{', '.join(missing)}: teach it these columns")


class _Loader:
    def __init__(self, cursor, *, scale: float, now: dt.datetime, rebuild_indexes: bool):
        self.cursor = cursor
        self.scale = scale
        self.sizes = Sizes.for_scale(scale)
        self.now = now.timestamp()
        self.now_text = _ts(self.now)
        self.today = self._day(self.now)
        self.rng = random.Random(SEED)
        self.rebuild_indexes = rebuild_indexes
        self.result = Result(scale=scale)
        self._started = time.perf_counter()
        self._dates: dict[int, str] = {}
        self._due: dict[int, tuple[int, bool]] = {}

    # time helpers: a "day" is an Asia/Shanghai calendar date as days since 1970-01-01
    @staticmethod
    def _day(epoch: float) -> int:
        return int((epoch + SHANGHAI_OFFSET) // DAY)

    def _date(self, day: int) -> str:
        text = self._dates.get(day)
        if text is None:
            text = self._dates[day] = (dt.date(1970, 1, 1) + dt.timedelta(days=day)).isoformat()
        return text

    def _due_date(self, day: int) -> tuple[int, bool]:
        """The mail-by day (10 working days on the real calendar) and whether it is provisional."""
        due = self._due.get(day)
        if due is None:
            due_date = self.calendar.due_date_after(dt.date(1970, 1, 1) + dt.timedelta(days=day), self.working_days)
            due = self._due[day] = ((due_date.date - dt.date(1970, 1, 1)).days, due_date.provisional)
        return due

    def _step(self, name: str) -> None:
        now = time.perf_counter()
        self.result.seconds[name] = now - self._started
        self._started = now

    def run(self) -> Result:
        from apps.core.workdays import DISPATCH_WORKING_DAYS, WorkingCalendar

        self.calendar = WorkingCalendar.load()
        self.working_days = DISPATCH_WORKING_DAYS
        self._people()
        self._step("accounts, vendors, users")
        pairs = _plan_pairs(self.sizes, self.rng)
        requests = self._plan_requests(pairs)
        self._step("plan")
        if self.rebuild_indexes:
            with _indexes_rebuilt_after(self.cursor, BIG_TABLES):
                self._copy_requests(pairs, requests)
                self._step("requests, events, invoices")
                self._copy_consumption(pairs)
                self._step("consumption")
            self._step("indexes and foreign keys")
        else:
            self._copy_requests(pairs, requests)
            self._step("requests, events, invoices")
            self._copy_consumption(pairs)
            self._step("consumption")
        self._copy_balances(pairs)
        for table in COLUMNS:
            _sync_sequence(self.cursor, table)
            self.cursor.execute(f"ANALYZE {table}")
        self._step("balances, analyze")
        return self.result

    def _put(self, table: str, lines: Iterable[str]) -> None:
        self.result.rows[table] = _copy(self.cursor, table, COLUMNS[table], lines)

    # --- accounts, vendors, users, titles, addresses ---------------------------------------------------------------

    def _people(self) -> None:
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        cursor, sizes, now = self.cursor, self.sizes, self.now_text
        # One hash for everyone (hashing 2,000 passwords would take minutes), with the default hasher of production
        # settings, so the load runner logs in through the real login with the same cost as anyone.
        hasher = PBKDF2PasswordHasher()
        password = _text(hasher.encode(PASSWORD, hasher.salt()))

        account0 = _next_id(cursor, "accounts_customeraccount")
        self.account_ids = [account0 + i for i in range(sizes.accounts)]
        self.account_names = ["压测大客户科技有限公司"] + [
            f"压测客户{i:04d}科技有限公司" for i in range(1, sizes.accounts)
        ]
        self._put(
            "accounts_customeraccount",
            (f"{pk}\t{now}\t{now}\t{name}\n" for pk, name in zip(self.account_ids, self.account_names, strict=True)),
        )
        vendor0 = _next_id(cursor, "accounts_vendor")
        self.vendor_ids = [vendor0 + i for i in range(sizes.vendors)]
        self.vendor_special = [i % 2 == 0 for i in range(sizes.vendors)]  # the bench vendor issues both types
        vendor_lines = []
        for i, pk in enumerate(self.vendor_ids):
            name = BENCH_VENDOR_NAME if i == 0 else f"压测服务商{i:03d}有限公司"
            types = _json(["general", "special"] if self.vendor_special[i] else ["general"])
            vendor_lines.append(
                f"{pk}\t{now}\t{now}\t{name}\t400-820-{i:04d}\tinvoice{i}@vendor.bench.example.com\t"
                f"工作日 09:00–18:00\t{types}\n"
            )
        self._put("accounts_vendor", vendor_lines)

        user0 = _next_id(cursor, "accounts_user")
        users: list[tuple[str, str, str, str, bool, str, str]] = []  # username, first, last, role, staff, acct, vendor
        self.customer_user: list[int] = []  # index of each account's user customer<N> in `users`
        for i, account_id in enumerate(self.account_ids):
            self.customer_user.append(user0 + len(users))
            given, family = GIVEN_NAMES[i % len(GIVEN_NAMES)], FAMILY_NAMES[i % len(FAMILY_NAMES)]
            users.append((f"customer{i + 1}", given, family, "customer", False, str(account_id), "\\N"))
        self.bench_customer_user = user0 + len(users)
        users.append((BENCH_CUSTOMER_USER, "大", "客户", "customer", False, str(self.account_ids[0]), "\\N"))
        self.vendor_user: list[int] = []
        for i, vendor_id in enumerate(self.vendor_ids):
            self.vendor_user.append(user0 + len(users))
            users.append((f"vendor{i + 1}", "", "", "vendor", False, "\\N", str(vendor_id)))
        self.bench_vendor_user = user0 + len(users)
        users.append((BENCH_VENDOR_USER, "", "", "vendor", False, "\\N", str(self.vendor_ids[0])))
        self.staff_user = user0 + len(users)
        users.append((BENCH_STAFF_USER, "", "", "staff", True, "\\N", "\\N"))
        lines = [
            f"{user0 + n}\t{password}\t{'t' if staff else 'f'}\t{username}\t{first}\t{last}\t"
            f"{username}@bench.example.com\t{'t' if staff else 'f'}\tt\t{now}\t{role}\tzh-hans\t{account}\t{vendor}\n"
            for n, (username, first, last, role, staff, account, vendor) in enumerate(users)
        ]
        self._put("accounts_user", lines)
        cursor.execute(
            "INSERT INTO accounts_user_user_permissions (user_id, permission_id) SELECT %s, id FROM auth_permission "
            "WHERE codename = 'void_invoicerequest' ON CONFLICT DO NOTHING",
            [self.staff_user],
        )

        title0 = _next_id(cursor, "titles_invoicetitle")
        address0 = _next_id(cursor, "addresses_mailingaddress")
        self.title_ids = [title0 + i for i in range(sizes.accounts)]
        self.address_ids = [address0 + i for i in range(sizes.accounts)]
        self.title_snapshots: list[str] = []
        self.address_snapshots: list[str] = []
        title_lines, address_lines = [], []
        for i, account_id in enumerate(self.account_ids):
            province, city, district, postal = PROVINCES[i % len(PROVINCES)]
            title = {
                "kind": "company",
                "name": self.account_names[i],
                "taxpayer_id": f"9111{i:014d}",
                "taxpayer_id_verified": False,
                "registered_address": f"{province}{city}{district}科技路 {i % 300 + 1} 号",
                "registered_phone": f"010-{60000000 + i}",
                "bank_name": "招商银行股份有限公司",
                "bank_account": f"6214{i:012d}",
            }
            address = {
                "recipient": FAMILY_NAMES[i % len(FAMILY_NAMES)] + GIVEN_NAMES[(i // 7) % len(GIVEN_NAMES)],
                "phone": f"138{i:08d}",
                "province": province,
                "city": city,
                "district": district,
                "street": f"创业大街 {i % 500 + 1} 号 {i % 20 + 1} 楼",
                "postal_code": postal,
            }
            self.title_snapshots.append(_json(title))
            self.address_snapshots.append(_json(address))
            t = {key: _text(str(value)) for key, value in title.items()}
            title_lines.append(
                f"{self.title_ids[i]}\t{now}\t{now}\tcompany\t{t['name']}\t{t['taxpayer_id']}\tf\t"
                f"{t['registered_address']}\t{t['registered_phone']}\t{t['bank_name']}\t{t['bank_account']}\tt\t"
                f"{account_id}\n"
            )
            a = {key: _text(value) for key, value in address.items()}
            address_lines.append(
                f"{self.address_ids[i]}\t{now}\t{now}\t{a['recipient']}\t{a['phone']}\t{a['province']}\t{a['city']}\t"
                f"{a['district']}\t{a['street']}\t{a['postal_code']}\tt\t{account_id}\n"
            )
        self._put("titles_invoicetitle", title_lines)
        self._put("addresses_mailingaddress", address_lines)

    # --- invoice requests, their events and issued invoices ------------------------------------------------------

    def _plan_requests(self, pairs: list[Pair]) -> list[tuple[float, int, str, int]]:
        """(submitted at, pair, status, amount in cents) per request, oldest first (ids grow with time)."""
        rng = self.rng
        random_ = rng.random
        statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=self.sizes.requests)
        planned = []
        now = self.now
        for pair_index, status in zip(_assign_requests(self.sizes, pairs, rng), statuses, strict=False):
            # Still owed: most within the 10 working days, some overdue by up to two months; the rest over a year.
            open_age = random_() * (14 if random_() < 0.85 else 60) * DAY
            age = open_age if status in OPEN else (3 + random_() * 362) * DAY
            # A fifth are small enough to be sent cash on delivery (below 50.00).
            cents = 100 + int(random_() * 4_900) if random_() < 0.2 else 5_000 + int(random_() * 495_000)
            if status in ACTIVE:
                pairs[pair_index].active_cents += cents
            planned.append((now - age, pair_index, status, cents))
        planned.sort()
        return planned

    def _copy_requests(self, pairs: list[Pair], planned: list[tuple[float, int, str, int]]) -> None:
        from django.conf import settings
        from django.utils import translation

        from apps.invoices.models import InvoiceEvent

        cursor, rng, now = self.cursor, self.rng, self.now
        random_ = rng.random
        request0 = _next_id(cursor, "invoices_invoicerequest")
        event_id = _next_id(cursor, "invoices_invoiceevent")
        issued_id = _next_id(cursor, "invoices_issuedinvoice")
        request_lines: list[str] = []
        event_lines: list[str] = []
        issued_lines: list[str] = []
        breached_text: dict[str, str] = {}
        ts = _ts

        def event(request_id, at, actor, from_status, to_status, reason="", kind="status_changed", params="{}"):
            nonlocal event_id
            event_lines.append(
                f"{event_id}\t{request_id}\t{ts(at)}\t{actor}\t{from_status}\t{to_status}\t{reason}\t{kind}\t{params}\n"
            )
            event_id += 1

        for n, (submitted, pair_index, status, cents) in enumerate(planned):
            pk = request0 + n
            pair = pairs[pair_index]
            account, vendor = pair.account, pair.vendor
            customer_user = self.bench_customer_user if account == 0 and n % 2 else self.customer_user[account]
            vendor_user = self.bench_vendor_user if vendor == 0 and n % 2 else self.vendor_user[vendor]
            submitted_day = self._day(submitted)
            due_day, provisional = self._due_date(submitted_day)
            invoice_type = "special" if self.vendor_special[vendor] and n % 10 == 0 else "general"
            invoice_date = mailed_at = breached_at = "\\N"
            courier = tracking = payer = ""
            status_reason = ""
            updated = submitted
            event(pk, submitted, customer_user, "", "pending")
            if status in ("processing", "mailing", "voided"):
                accepted = min(submitted + (0.05 + random_() * 2) * DAY, submitted + (now - submitted) * 0.5)
                event(pk, accepted, vendor_user, "pending", "processing")
                updated = accepted
                if status != "processing":
                    mailed = min(accepted + (0.2 + random_() * 5) * DAY, accepted + (now - accepted) * 0.5)
                    mailed_at = ts(mailed)
                    invoice_date = self._date(self._day(mailed))
                    courier = COURIERS[n % len(COURIERS)]
                    tracking = f"{courier.upper()}{pk:012d}"
                    payer = "recipient" if cents < 5_000 and random_() < 0.5 else "vendor"
                    event(pk, mailed, vendor_user, "processing", "mailing")
                    for copy_number in range(2 if n % 10 == 3 else 1):
                        issued_lines.append(
                            f"{issued_id}\t{pk}\t{self.vendor_ids[vendor]}\t"
                            f"{4 + copy_number:02d}{pk:010d}\t{mailed_at}\n"
                        )
                        issued_id += 1
                    updated = mailed
                    if status == "voided":
                        voided = min(mailed + (1 + random_() * 20) * DAY, now - 60)
                        status_reason = VOID_REASON
                        event(pk, voided, self.staff_user, "mailing", "voided", VOID_REASON)
                        updated = voided
            elif status in ("cancelled", "rejected"):
                decided = submitted + (0.02 + random_() * 3) * DAY
                if status == "cancelled":
                    status_reason = CANCEL_REASONS[n % len(CANCEL_REASONS)]
                    event(pk, decided, customer_user, "pending", "cancelled", status_reason)
                else:
                    status_reason = REJECT_REASONS[n % len(REJECT_REASONS)]
                    event(pk, decided, vendor_user, "pending", "rejected", status_reason)
                updated = decided
            if status in OPEN and due_day < self.today:
                # What the SLA sweep did at 01:00 the day after the mail-by date.
                breached = min((due_day + 1) * DAY - SHANGHAI_OFFSET + 3600, now - 60)
                breached_at = ts(breached)
                due = self._date(due_day)
                if due not in breached_text:
                    note = InvoiceEvent(kind=InvoiceEvent.Kind.BREACHED, params={"due": due})
                    with translation.override(settings.LANGUAGE_CODE):
                        breached_text[due] = _text(note.text)
                event(pk, breached, "\\N", status, status, breached_text[due], "breached", _json({"due": due}))
                updated = max(updated, breached)
            request_lines.append(
                f"{pk}\tIR{self._date(submitted_day).replace('-', '')}{pk:06d}\t{self.account_ids[account]}\t"
                f"{self.vendor_ids[vendor]}\t{customer_user}\t{_money(cents)}\t{invoice_type}\t"
                f"{self.title_ids[account]}\t{self.address_ids[account]}\t{self.title_snapshots[account]}\t"
                f"{self.address_snapshots[account]}\t{status}\t{_text(status_reason)}\t{ts(submitted)}\t"
                f"{self._date(due_day)}\t{'t' if provisional else 'f'}\t\t{invoice_date}\t{courier}\t\t{tracking}\t"
                f"{payer}\t{mailed_at}\t\\N\t{breached_at}\t{ts(updated)}\n"
            )
        self._put("invoices_invoicerequest", request_lines)
        self._put("invoices_invoiceevent", event_lines)
        self._put("invoices_issuedinvoice", issued_lines)

    # --- consumption and balances --------------------------------------------------------------------------------

    def _copy_consumption(self, pairs: list[Pair]) -> None:
        """Every pair gets at least one record; the amounts are topped up so that consumed covers the pair's active
        requests with some headroom (¥1,000,000 for the bench customer)."""
        rng = self.rng
        random_ = rng.random
        total = max(self.sizes.consumption, len(pairs))
        counts = [1] * len(pairs)
        for index in rng.choices(range(len(pairs)), k=total - len(pairs)):
            counts[index] += 1
        # Consumption times from a pool of strings: formatting a million datetimes would cost more than the COPY.
        pool = [_ts(self.now - (1 + random_() * 400) * DAY) for _ in range(min(total, 20_000))]
        pool_size = len(pool)
        record0 = _next_id(self.cursor, "billing_consumptionrecord")

        def lines() -> Iterator[str]:
            pk = record0
            for pair, count in zip(pairs, counts, strict=True):
                amounts = [100 + int(random_() * 99_900) for _ in range(count)]
                headroom = BENCH_CUSTOMER_HEADROOM if pair.account == 0 else pair.active_cents // 5 + 10_000
                deficit = pair.active_cents + headroom - sum(amounts)
                if deficit > 0:  # spread the top-up over the pair's records
                    share, remainder = divmod(deficit, count)
                    amounts = [amount + share for amount in amounts]
                    amounts[0] += remainder
                pair.records = count
                pair.consumed_cents = sum(amounts)
                prefix = f"\t{self.account_ids[pair.account]}\t{self.vendor_ids[pair.vendor]}\t"
                for cents in amounts:
                    at = pool[int(random_() * pool_size)]
                    yield f"{pk}\t{at}\t{at}{prefix}{cents // 100}.{cents % 100:02d}\t{at}\tbench-{pk}\t云资源消耗\n"
                    pk += 1

        self._put("billing_consumptionrecord", lines())

    def _copy_balances(self, pairs: list[Pair]) -> None:
        balance0 = _next_id(self.cursor, "billing_vendorbalance")
        lines = [
            f"{balance0 + n}\t{self.account_ids[pair.account]}\t{self.vendor_ids[pair.vendor]}\t"
            f"{_money(pair.consumed_cents)}\t0.00\t{_money(pair.active_cents)}\t{self.now_text}\n"
            for n, pair in enumerate(pairs)
        ]
        self._put("billing_vendorbalance", lines)


# --- the command line: a database of its own -----------------------------------------------------------------------


def _server_dsn(database: str) -> dict:
    """Connection parameters of DATABASE_URL's server (default postgres@127.0.0.1:5432) for `database`."""
    from urllib.parse import unquote, urlparse

    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    params = {"dbname": database, "host": url.hostname or "127.0.0.1", "port": url.port or 5432}
    if url.username:
        params["user"] = unquote(url.username)
    if url.password:
        params["password"] = unquote(url.password)
    return params


def loaded_scale(database: str) -> float | None:
    """The scale a finished load recorded in `database`, or None (no such database, or no finished load)."""
    import psycopg2

    try:
        connection = psycopg2.connect(**_server_dsn(database))
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [META_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT scale FROM {META_TABLE} ORDER BY loaded_at DESC LIMIT 1")
            row = cursor.fetchone()
            return float(row[0]) if row else None
    finally:
        connection.close()


def _recreate_database(database: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(**_server_dsn("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    finally:
        connection.close()


def _setup_django(database: str) -> None:
    from urllib.parse import urlparse, urlunparse

    sys.path.insert(0, str(ROOT))
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{database}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "invoicing_console.settings_test")
    import django

    django.setup()


def build(*, scale: float, database: str, reuse: bool = False) -> Result | None:
    """Create `database`, migrate it, load the data at `scale`, VACUUM ANALYZE and mark it. With `reuse`, a database
    that already holds this scale is kept as it is (returns None)."""
    if reuse and loaded_scale(database) == scale:
        return None
    started = time.perf_counter()
    _recreate_database(database)
    _setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    result = load(scale=scale)
    result.seconds = {"create and migrate": migrated, **result.seconds}
    vacuum_started = time.perf_counter()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # autocommit: outside a transaction
        cursor.execute(
            f"CREATE TABLE {META_TABLE} (scale numeric NOT NULL, loaded_at timestamptz NOT NULL, rows jsonb)"
        )
        cursor.execute(
            f"INSERT INTO {META_TABLE} (scale, loaded_at, rows) VALUES (%s, now(), %s)",
            [scale, json.dumps(result.rows)],
        )
    result.seconds["vacuum analyze"] = time.perf_counter() - vacuum_started
    result.seconds["total"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 200,000 requests (default); 0.05 for quick runs")
    parser.add_argument("--database", default="invoicing_bench", help="dropped and created (default invoicing_bench)")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it already holds this scale")
    args = parser.parse_args(argv)
    result = build(scale=args.scale, database=args.database, reuse=args.reuse)
    if result is None:
        print(f"{args.database} already holds the bench data at scale {args.scale:g}")
    else:
        print(result.table())


if __name__ == "__main__":
    main()
