"""The floor: a bare Django project on the benchmark's database doing the minimum equivalent work per endpoint.

`bench/run.py` serves it under gunicorn exactly like the app (`gunicorn floor:application`, same workers, same
database and connection reuse) and loads it right after the app's endpoint, in the same run, so the ratio
app r/s ÷ floor r/s says how much of a request's cost is the project's own and not Django + PostgreSQL + the server.

Each view is what the endpoint cannot avoid: one indexed query of the same table with the same filter and order,
as many rows as the endpoint shows (20; the back-office queue page 25), rendered as JSON or through a trivial
template; apply is one locked balance update plus one insert. No middleware, no sessions, no authentication: the
account/vendor/request ids come in the query string. `/healthz` answers "ok" (the reference row of bench/run.py).

Settings: `FLOOR_DATABASE_URL` (else `DATABASE_URL`), `DB_CONN_MAX_AGE` (60 like the app).
"""

import json
import os

import dj_database_url
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-" + "x" * 60,
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
        TIME_ZONE="Asia/Shanghai",
        USE_I18N=False,
        DATABASES={
            "default": dj_database_url.parse(
                os.environ.get("FLOOR_DATABASE_URL") or os.environ["DATABASE_URL"],
                conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE") or 60),
                conn_health_checks=True,
            )
        },
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "OPTIONS": {}}],
        LOGGING_CONFIG=None,
    )

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

# The table apply inserts into (run.py creates it, empties it afterwards): the floor's "one insert".
APPLY_TABLE = "bench_floor_apply"
CREATE_APPLY_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {APPLY_TABLE} (id bigserial PRIMARY KEY, balance_id bigint NOT NULL, "
    "amount numeric(14, 2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
)

REQUEST_COLUMNS = "id, number, amount, status, submitted_at, dispatch_due_date, title_snapshot"
LIST_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><head><title>list</title></head><body><table>"
    "{% for r in rows %}<tr><td>{{ r.number }}</td><td>{{ r.amount }}</td><td>{{ r.status }}</td>"
    "<td>{{ r.submitted_at|date:'Y-m-d H:i' }}</td><td>{{ r.dispatch_due_date|date:'Y-m-d' }}</td>"
    "<td>{{ r.title_snapshot.name }}</td></tr>{% endfor %}</table></body></html>"
)
DETAIL_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html><head><title>{{ r.number }}</title></head><body><h1>{{ r.number }}</h1>"
    "<p>{{ r.amount }} {{ r.status }} {{ r.title_snapshot.name }} {{ r.address_snapshot.recipient }}</p><ol>"
    "{% for e in events %}<li>{{ e.created_at|date:'Y-m-d H:i' }} {{ e.kind }} {{ e.to_status }}</li>{% endfor %}"
    "</ol></body></html>"
)


def _rows(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _json(rows: list[dict]) -> JsonResponse:
    return JsonResponse({"results": rows}, json_dumps_params={"default": str, "ensure_ascii": False})


def _html(template, **context) -> HttpResponse:
    return HttpResponse(template.render(context))


def _int(request, name: str) -> int:
    return int(request.GET.get(name) or 0)


def customer_requests(request) -> list[dict]:
    return _rows(
        f"SELECT {REQUEST_COLUMNS} FROM invoices_invoicerequest WHERE customer_account_id = %s "
        "ORDER BY submitted_at DESC, id DESC LIMIT 20",
        [_int(request, "account")],
    )


def vendor_requests(request) -> list[dict]:
    """The queue: 20 rows for the API, `?rows=25` for the page (the back-office shows 25 per page)."""
    vendor, status, search = _int(request, "vendor"), request.GET.get("status"), request.GET.get("q")
    rows = min(_int(request, "rows") or 20, 100)
    where, params = "vendor_id = %s", [vendor]
    if status:
        where, params = where + " AND status = %s", [*params, status]
    if search:  # the title name contains the term, by its trigram index: the search's least (the app also matches
        # the request number, the customer account and the taxpayer ID)
        where = where + " AND UPPER((title_snapshot ->> 'name')::text) LIKE UPPER(%s)"
        params = [*params, "%" + search + "%"]
    return _rows(
        f"SELECT {REQUEST_COLUMNS} FROM invoices_invoicerequest WHERE {where} "
        "ORDER BY dispatch_due_date, submitted_at, id LIMIT %s",
        [*params, rows],
    )


def balances(request) -> list[dict]:
    return _rows(
        "SELECT b.id, v.name, b.consumed, b.refunded, b.invoiced, b.consumed - b.refunded - b.invoiced AS invoiceable "
        "FROM billing_vendorbalance b JOIN accounts_vendor v ON v.id = b.vendor_id "
        "WHERE b.customer_account_id = %s ORDER BY v.name LIMIT 20",
        [_int(request, "account")],
    )


def vendors(request) -> list[dict]:
    return _rows("SELECT id, name FROM accounts_vendor ORDER BY name LIMIT 20", [])


def detail_page(request):
    rows = _rows(
        "SELECT id, number, amount, status, title_snapshot, address_snapshot FROM invoices_invoicerequest "
        "WHERE id = %s AND customer_account_id = %s",
        [_int(request, "pk"), _int(request, "account")],
    )
    events = _rows(
        "SELECT created_at, kind, to_status FROM invoices_invoiceevent WHERE request_id = %s ORDER BY created_at, id",
        [_int(request, "pk")],
    )
    return _html(DETAIL_TEMPLATE, r=rows[0] if rows else {}, events=events)


def _apply(request) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        balance = int(request.GET.get("balance") or 0)
        cursor.execute("SELECT id FROM billing_vendorbalance WHERE id = %s FOR UPDATE", [balance])
        cursor.execute("UPDATE billing_vendorbalance SET updated_at = now() WHERE id = %s", [balance])
        cursor.execute(f"INSERT INTO {APPLY_TABLE} (balance_id, amount) VALUES (%s, 0.01) RETURNING id", [balance])
        return cursor.fetchone()[0]


def apply_api(request):
    return JsonResponse({"id": _apply(request)}, status=201)


def apply_page(request):
    return HttpResponseRedirect(f"/records/{_apply(request)}/")


urlpatterns = [
    path("records/", lambda request: _html(LIST_TEMPLATE, rows=customer_requests(request))),
    path("api/records/", lambda request: _json(customer_requests(request))),
    path("records/detail/", detail_page),
    path("invoiceable/", lambda request: _html(LIST_TEMPLATE, rows=balances(request))),
    path("api/invoiceable/", lambda request: _json(balances(request))),
    path("queue/", lambda request: _html(LIST_TEMPLATE, rows=vendor_requests(request))),
    path("api/queue/", lambda request: _json(vendor_requests(request))),
    path("vendors/", lambda request: _html(LIST_TEMPLATE, rows=vendors(request))),
    path("apply/", apply_page),
    path("api/apply/", apply_api),
    path("healthz", lambda request: HttpResponse("ok")),
]

application = get_wsgi_application()


if __name__ == "__main__":  # a quick self-check: python bench/floor.py
    print(json.dumps([str(pattern.pattern) for pattern in urlpatterns]))
