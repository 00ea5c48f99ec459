"""The benchmark: every endpoint under load, the project against its bare-Django floor, in one run.

    python bench/run.py --scale 1.0 --duration 10       # make bench
    python bench/run.py --scale 0.05 --duration 3       # make bench-quick

1. Data: the database `--database` (default invoicing_bench, on the server of DATABASE_URL) is loaded by
   bench/data.py at `--scale`, unless its marker table says it already holds that scale (`--reuse`).
2. Servers: the app under gunicorn with production settings (DEBUG off, a random SECRET_KEY, 2 sync workers,
   static files collected) on 127.0.0.1:PORT, and the floor app (bench/floor.py) the same way on PORT+1.
3. Per endpoint: queries per request once through Django's test client (CaptureQueriesContext), then wrk
   (8 connections, `--duration` seconds) against the app and right after against the floor. Signed in as
   benchcustomer / benchvendor / benchstaff (a session cookie, or an API token).
4. Apply posts 0.01 each time; the requests it made are removed afterwards and the balance restored.
5. bench/jobs.py (SLA sweep, imports; on the database `<database>_jobs`) runs last; its table is merged in.

Output: a table on stdout and bench/results/<UTC timestamp>.json (with the machine's core count).
"""

import argparse
import datetime as dt
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = sys.executable
GUNICORN = str(Path(PY).with_name("gunicorn"))
WRK = os.environ.get("WRK", "/usr/bin/wrk")
# bench/floor.py's apply inserts here (the same statement as its CREATE_APPLY_TABLE; not imported: it configures
# Django for itself).
FLOOR_APPLY_TABLE = (
    "CREATE TABLE IF NOT EXISTS bench_floor_apply (id bigserial PRIMARY KEY, balance_id bigint NOT NULL, "
    "amount numeric(14, 2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)
USERS = {"customer": "benchcustomer", "vendor": "benchvendor", "staff": "benchstaff"}


@dataclass
class Endpoint:
    name: str
    app_path: str
    floor_path: str
    who: str  # customer / vendor / staff
    api: bool = False
    method: str = "GET"
    body: str = ""  # JSON for the API, form-encoded for pages
    expect: tuple = (200,)
    reference: bool = False  # shown for comparison; not held to the 0.5 target
    result: dict = field(default_factory=dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="data scale for bench/data.py (1.0: 100,000 …)")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint and server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (app and floor alike)")
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "invoicing_bench"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8401")), help="app; floor +1")
    parser.add_argument("--only", default="", help="run only endpoints whose name contains this")
    parser.add_argument("--no-load", action="store_true", help="use the database as it is (no data.py)")
    parser.add_argument("--no-jobs", action="store_true", help="skip bench/jobs.py")
    parser.add_argument("--jobs-timeout", type=int, default=900, help="seconds bench/jobs.py may take")
    parser.add_argument(
        "--profile", action="store_true", help="also cProfile each endpoint in-process (top functions; .prof files)"
    )
    return parser.parse_args()


def database_url(name: str) -> str:
    base = urllib.parse.urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/invoicing")
    return urllib.parse.urlunsplit(base._replace(path="/" + name))


# --- data ---------------------------------------------------------------------------------------------------------


def ensure_data(args, url: str) -> None:
    """bench/data.py loads the scale asked for, or (--reuse) keeps the database when its marker says it holds it."""
    if args.no_load:
        print(f"data: using {args.database} as it is (--no-load)")
        return
    started = time.perf_counter()
    subprocess.run(
        [PY, str(BENCH / "data.py"), "--scale", str(args.scale), "--database", args.database, "--reuse"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
    )
    print(f"data: ready in {time.perf_counter() - started:.1f} s", flush=True)


# --- the app's side: sign-ins, ids, endpoints, query counts -------------------------------------------------------


def setup_django(url: str) -> None:
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "invoicing_console.settings",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> dict:
    """Sessions, tokens and the ids the endpoints need."""
    from django.db.models import F
    from django.test import Client
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from apps.accounts.models import User, Vendor
    from apps.addresses.selectors import addresses_for_account
    from apps.billing.models import VendorBalance
    from apps.invoices.models import InvoiceRequest
    from apps.invoices.services import default_invoice_type
    from apps.titles.selectors import titles_for_account

    ctx: dict = {"cookies": {}, "tokens": {}, "clients": {}}
    csrf = get_random_string(32)
    for who, username in USERS.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        ctx["clients"][who] = client
        ctx["cookies"][who] = f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"
        Token.objects.filter(user=user).delete()
        ctx["tokens"][who] = Token.objects.create(user=user).key
        ctx[who] = user
    ctx["csrf"] = csrf
    # Signing in saved last_login, which keeps each user out of the user cache for a few seconds (a marker,
    # apps/accounts/user_cache.py): measure the steady state a signed-in user is in, not those first seconds.
    from django.core.cache import cache

    from apps.accounts.user_cache import KEY

    cache.delete_many([KEY.format(ctx[who].pk) for who in USERS])
    account = ctx["customer"].customer_account
    vendor = Vendor.objects.get(users__username=USERS["vendor"])
    balance = (
        VendorBalance.objects.filter(customer_account=account)
        .annotate(available=F("consumed") - F("refunded") - F("invoiced"))
        .order_by("-available")
        .select_related("vendor")
        .first()
    )
    mine = InvoiceRequest.objects.filter(customer_account=account)
    detail = mine.exclude(status="pending").order_by("-submitted_at").first() or mine.order_by("-submitted_at").first()
    # Another customer's request (the benchmark's own applies, and any a stopped run left, are benchcustomer's).
    sample = InvoiceRequest.objects.filter(vendor=vendor).exclude(customer_account=account).order_by("-pk").first()
    ctx.update(
        account=account.pk,
        vendor=vendor.pk,
        balance=balance,
        title=titles_for_account(customer_account=account).order_by("-is_default", "pk").first(),
        address=addresses_for_account(customer_account=account).order_by("-is_default", "pk").first(),
        invoice_type=default_invoice_type(balance.vendor),
        detail=detail.pk,
        # A realistic search: a title name seen in the queue (the app and the floor search the same words).
        search=(sample.title_snapshot or {}).get("name", "") if sample else "",
        max_request_id=InvoiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )
    return ctx


def endpoints(ctx: dict) -> list[Endpoint]:
    account, vendor, q = ctx["account"], ctx["vendor"], urllib.parse.quote(ctx["search"])
    balance = ctx["balance"]
    apply = {"amount": "0.01", "title": ctx["title"].pk, "address": ctx["address"].pk}
    api_body = json.dumps({"vendor": balance.vendor_id, "invoice_type": ctx["invoice_type"], **apply})
    page_body = urllib.parse.urlencode(
        {"invoice_type": ctx["invoice_type"], **apply, "csrfmiddlewaretoken": ctx["csrf"]}
    )
    queue_floor = f"vendor={vendor}"
    queue_page_floor = f"vendor={vendor}&rows=25"  # the back-office page shows 25 rows
    return [
        Endpoint("apply (API)", "/api/v1/invoice-requests/", f"/api/apply/?balance={balance.pk}", "customer",
                 api=True, method="POST", body=api_body, expect=(201,)),
        Endpoint("apply (page)", f"/console/apply/{balance.vendor_id}/confirm/", f"/apply/?balance={balance.pk}",
                 "customer", method="POST", body=page_body, expect=(302,)),
        Endpoint("customer records page", "/console/records/", f"/records/?account={account}", "customer"),
        Endpoint("customer records API", "/api/v1/invoice-requests/", f"/api/records/?account={account}",
                 "customer", api=True),
        Endpoint("invoiceable page", "/console/", f"/invoiceable/?account={account}", "customer"),
        Endpoint("invoiceable API", "/api/v1/invoiceable/", f"/api/invoiceable/?account={account}", "customer",
                 api=True),
        Endpoint("request detail page", f"/console/records/{ctx['detail']}/",
                 f"/records/detail/?pk={ctx['detail']}&account={account}", "customer"),
        Endpoint("vendor queue page", "/backoffice/", f"/queue/?{queue_page_floor}", "vendor"),
        Endpoint("vendor queue page, pending tab", "/backoffice/?status=pending",
                 f"/queue/?{queue_page_floor}&status=pending", "vendor"),
        Endpoint("vendor queue page, search", f"/backoffice/?q={q}", f"/queue/?{queue_page_floor}&q={q}", "vendor"),
        Endpoint("vendor queue API", "/api/v1/vendor/invoice-requests/", f"/api/queue/?{queue_floor}", "vendor",
                 api=True),
        Endpoint("vendor queue API, pending", "/api/v1/vendor/invoice-requests/?status=pending",
                 f"/api/queue/?{queue_floor}&status=pending", "vendor", api=True),
        Endpoint("vendor queue API, search", f"/api/v1/vendor/invoice-requests/?search={q}",
                 f"/api/queue/?{queue_floor}&q={q}", "vendor", api=True),
        Endpoint("staff SLA dashboard", "/staff/vendors/", "/vendors/", "staff"),
        # A reference, not an endpoint: the app's whole stack (middleware, session, signed-in user) answering "ok"
        # against the floor answering "ok". What every page pays before its own work starts.
        Endpoint("reference: signed-in /healthz", "/healthz", "/healthz", "customer", reference=True),
    ]  # fmt: skip


def count_queries(endpoint: Endpoint, ctx: dict) -> tuple[int, int]:
    """(queries, status) of one request through Django's test client, signed in the same way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = ctx["clients"][endpoint.who]
    kwargs: dict = {}
    if endpoint.api:
        kwargs["HTTP_AUTHORIZATION"] = f"Token {ctx['tokens'][endpoint.who]}"
    with CaptureQueriesContext(connection) as captured:
        if endpoint.method == "POST":
            content_type = "application/json" if endpoint.api else "application/x-www-form-urlencoded"
            response = client.post(endpoint.app_path, endpoint.body, content_type=content_type, **kwargs)
        else:
            response = client.get(endpoint.app_path, **kwargs)
    return len(captured), response.status_code


def profile(endpoint: Endpoint, ctx: dict, folder: Path, repeat: int = 5) -> list[str]:
    """cProfile of `repeat` requests through the test client: time in all, in SQL and in templates, then the
    project's functions with the most cumulative time (ms per request); the full profile is saved for pstats."""
    import cProfile
    import io
    import pstats

    count_queries(endpoint, ctx)  # warm: templates, URL resolvers, connection
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        count_queries(endpoint, ctx)
    profiler.disable()
    folder.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in endpoint.name.lower()).strip("-")
    profiler.dump_stats(folder / f"{slug}.prof")
    stats = pstats.Stats(profiler, stream=io.StringIO()).stats

    def cumulative_ms(test) -> float:
        return sum(v[3] for k, v in stats.items() if test(k)) * 1000 / repeat

    total = cumulative_ms(lambda k: k[0].endswith("django/core/handlers/base.py") and k[2] == "get_response")
    # The view and its response rendering; the rest of get_response is the stack every request pays: middleware,
    # session, signed-in user, locale, CSRF, security headers.
    view = cumulative_ms(lambda k: k[0].endswith("django/core/handlers/base.py") and k[2] == "_get_response")
    sql = cumulative_ms(lambda k: k[0] == "~" and "psycopg2" in k[2] and "execute" in k[2])
    # The backend's render is the outermost call per template rendered (includes do not pass through it).
    templates = cumulative_ms(lambda k: k[0].endswith("django/template/backends/django.py") and k[2] == "render")
    lines = [
        f"{total:7.1f} ms  in all: stack (middleware, session, user) {total - view:.1f} ms, view {view:.1f} ms; "
        f"SQL (psycopg2 execute) {sql:.1f} ms, templates {templates:.1f} ms"
    ]
    rows = [
        (v[3] * 1000 / repeat, f"{k[0].replace(str(ROOT) + '/', '')}:{k[1]}({k[2]})")
        for k, v in stats.items()
        if k[0].startswith(str(ROOT / "apps"))
    ]
    rows.sort(reverse=True)
    return lines + [f"{ms:7.1f} ms  {where}" for ms, where in rows[:12]]


def restore_after_apply(ctx: dict) -> int:
    """Remove the requests the apply endpoints made (their amounts back on the balance); how many."""
    from django.db import transaction
    from django.db.models import Sum

    from apps.billing.models import VendorBalance
    from apps.invoices.models import InvoiceEvent, InvoiceRequest

    with transaction.atomic():
        balance = VendorBalance.objects.select_for_update().get(pk=ctx["balance"].pk)
        made = InvoiceRequest.objects.filter(customer_account_id=ctx["account"], pk__gt=ctx["max_request_id"])
        count = made.count()
        total = made.filter(status__in=["pending", "processing", "mailed"]).aggregate(s=Sum("amount"))["s"] or 0
        # The events point at their request with PROTECT; the vendor's status counters follow by trigger.
        InvoiceEvent.objects.filter(request__in=made).delete()
        made.delete()
        VendorBalance.objects.filter(pk=balance.pk).update(invoiced=balance.invoiced - total)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_floor_apply")
    return count


# --- servers and load ---------------------------------------------------------------------------------------------


def start_server(name: str, port: int, target: str, chdir: Path, workers: int, env: dict, log: Path):
    command = [
        GUNICORN, "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
        "--chdir", str(chdir), "--error-logfile", str(log), "--log-level", "warning", target,
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} server exited; see {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310 - loopback
            return process
        except urllib.error.HTTPError:
            return process  # it answers (the floor has no /healthz)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"{name} server did not answer on 127.0.0.1:{port}; see {log}")


def stop_server(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


LUA_DONE = r"""
function done(summary, latency, requests)
  io.write(string.format(
    "BENCHJSON {\"requests\":%d,\"duration_us\":%d,\"p50\":%d,\"p95\":%d,\"p99\":%d," ..
    "\"status_errors\":%d,\"socket_errors\":%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_script(endpoint: Endpoint, ctx: dict, *, floor: bool, folder: Path) -> Path:
    lines = [f'wrk.method = "{endpoint.method}"']
    if endpoint.method == "POST":
        content_type = "application/json" if endpoint.api else "application/x-www-form-urlencoded"
        lines += [f"wrk.body = [==[{endpoint.body}]==]", f'wrk.headers["Content-Type"] = "{content_type}"']
    if not floor:
        if endpoint.api:
            lines.append(f'wrk.headers["Authorization"] = "Token {ctx["tokens"][endpoint.who]}"')
        else:
            lines.append(f'wrk.headers["Cookie"] = "{ctx["cookies"][endpoint.who]}"')
    path = folder / f"{abs(hash((endpoint.name, floor)))}.lua"
    path.write_text("\n".join(lines) + "\n" + LUA_DONE)
    return path


def warm_up(url: str, endpoint: Endpoint, ctx: dict, *, floor: bool, times: int = 4) -> int:
    """A few requests first (templates, connections); returns the last status."""
    headers = {}
    if not floor:
        headers = (
            {"Authorization": f"Token {ctx['tokens'][endpoint.who]}"}
            if endpoint.api
            else {"Cookie": ctx["cookies"][endpoint.who]}
        )
    data = None
    if endpoint.method == "POST":
        data = endpoint.body.encode()
        headers["Content-Type"] = "application/json" if endpoint.api else "application/x-www-form-urlencoded"
    status = 0

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for _ in range(times):
        request = urllib.request.Request(url, data=data, headers=headers, method=endpoint.method)  # noqa: S310
        try:
            with opener.open(request, timeout=30) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as error:
            status = error.code
    return status


def run_wrk(url: str, script: Path, args) -> dict:
    command = [
        WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
        "-s", str(script), url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCHJSON "))
    raw = json.loads(line.removeprefix("BENCHJSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "requests": raw["requests"],
        "p50_ms": raw["p50"] / 1000,
        "p95_ms": raw["p95"] / 1000,
        "p99_ms": raw["p99"] / 1000,
        "non_2xx_3xx": raw["status_errors"],
        "socket_errors": raw["socket_errors"],
    }


# --- jobs and output ----------------------------------------------------------------------------------------------


def run_jobs(args, url: str) -> dict | None:
    script = BENCH / "jobs.py"
    if args.no_jobs or not script.exists():
        return None
    print("\njobs: bench/jobs.py", flush=True)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    # A database of its own (the jobs write): invoicing_bench_jobs next to invoicing_bench. Its own process group, so
    # that a run past --jobs-timeout ends with the job processes it started.
    command = [PY, str(script), "--scale", str(args.scale), "--database", f"{args.database}_jobs"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = process.communicate(timeout=args.jobs_timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate()
        stderr += f"\njobs: stopped after --jobs-timeout {args.jobs_timeout} s"
    completed = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    print(completed.stdout + (completed.stderr[-3000:] if completed.returncode else ""), flush=True)
    # Its last line names its JSON file ("… results in bench/results/jobs-<time>.json").
    named = [word for word in completed.stdout.split() if word.startswith("bench/results/jobs-")]
    jobs = json.loads((ROOT / named[-1]).read_text()) if named else {}
    return {"exit_code": completed.returncode, "results": jobs, "table": completed.stdout}


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def print_table(rows: list[Endpoint]) -> str:
    header = (
        "| endpoint | app r/s | floor r/s | ratio | app p50 / p95 / p99 ms | floor p50 ms | queries/request |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    lines = [header]
    for endpoint in rows:
        r = endpoint.result
        if "app" not in r:
            continue
        app, floor = r["app"], r["floor"]
        flag = "" if r["ratio"] >= 0.5 or endpoint.reference else " ✗"
        errors = app["non_2xx_3xx"] + app["socket_errors"]
        note = f" ({errors} errors)" if errors else ""
        lines.append(
            f"| {endpoint.name}{note} | {fmt_int(app['rps'])} | {fmt_int(floor['rps'])} | {r['ratio']:.2f}{flag} | "
            f"{app['p50_ms']:.1f} / {app['p95_ms']:.1f} / {app['p99_ms']:.1f} | {floor['p50_ms']:.1f} | "
            f"{r['queries']} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    return table


def main() -> int:
    args = parse_args()
    started = time.time()
    url = database_url(args.database)
    ensure_data(args, url)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", interactive=False, verbosity=0)  # the code may be newer than the loaded data
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_APPLY_TABLE)
    call_command("collectstatic", interactive=False, verbosity=0)
    ctx = prepare()
    chosen = [e for e in endpoints(ctx) if args.only.lower() in e.name.lower()]
    for endpoint in chosen:
        endpoint.result["queries"], endpoint.result["status"] = count_queries(endpoint, ctx)
        if endpoint.result["status"] not in endpoint.expect:
            print(f"warning: {endpoint.name} answered {endpoint.result['status']} to the test client", flush=True)
    if args.profile:
        folder = RESULTS / f"profile-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
        for endpoint in chosen:
            endpoint.result["profile"] = profile(endpoint, ctx, folder)
            print(
                f"\nprofile: {endpoint.name} (cumulative ms per request)\n  " + "\n  ".join(endpoint.result["profile"])
            )
        print(f"profiles: {folder.relative_to(ROOT)}/*.prof", flush=True)
    connection.close()

    logs = Path(tempfile.mkdtemp(prefix="bench-"))
    server_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    floor_env = {**server_env, "FLOOR_DATABASE_URL": url}
    app_port, floor_port = args.port, args.port + 1
    print(
        f"servers: app 127.0.0.1:{app_port}, floor 127.0.0.1:{floor_port}, {args.workers} sync workers each; "
        f"wrk {args.connections} connections, {args.duration} s per endpoint and server; logs in {logs}",
        flush=True,
    )
    app = start_server("app", app_port, "invoicing_console.wsgi:application", ROOT, args.workers, server_env,
                       logs / "app.log")  # fmt: skip
    floor = None
    try:
        floor = start_server("floor", floor_port, "floor:application", BENCH, args.workers, floor_env,
                             logs / "floor.log")  # fmt: skip
        for endpoint in chosen:
            for side, port, path in (("app", app_port, endpoint.app_path), ("floor", floor_port, endpoint.floor_path)):
                target = f"http://127.0.0.1:{port}{path}"
                status = warm_up(target, endpoint, ctx, floor=side == "floor")
                if status not in endpoint.expect:
                    print(f"warning: {endpoint.name} ({side}) answered {status}", flush=True)
                script = lua_script(endpoint, ctx, floor=side == "floor", folder=logs)
                endpoint.result[side] = run_wrk(target, script, args)
            endpoint.result["ratio"] = endpoint.result["app"]["rps"] / max(endpoint.result["floor"]["rps"], 1e-9)
            r = endpoint.result
            print(
                f"  {endpoint.name:32} app {r['app']['rps']:8.1f} r/s  floor {r['floor']['rps']:8.1f} r/s  "
                f"ratio {r['ratio']:.2f}  p50 {r['app']['p50_ms']:.1f} ms  queries {r['queries']}",
                flush=True,
            )
    finally:
        stop_server(app)
        if floor is not None:
            stop_server(floor)
    removed = restore_after_apply(ctx)
    print(f"apply: removed the {removed} requests it made; balance restored", flush=True)
    connection.close()

    table = print_table(chosen)
    jobs = run_jobs(args, url)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "timestamp": stamp,
                "machine": {
                    "cores": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "settings": {
                    "scale": args.scale,
                    "duration_s": args.duration,
                    "connections": args.connections,
                    "wrk_threads": args.threads,
                    "gunicorn_workers": args.workers,
                    "database": args.database,
                },
                "endpoints": [
                    {**asdict(e), "result": e.result} | {"body": "…" if e.body else ""} for e in chosen if e.result
                ],
                "table": table,
                "jobs": jobs,
                "seconds": round(time.time() - started, 1),
            },
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    )
    print(f"\nresults: {out.relative_to(ROOT)}  ({time.time() - started:.0f} s in all, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
