"""The load benchmark's two sides on a tiny bench/data.py load: every endpoint bench/run.py loads answers as the run
expects (so a benchmark never measures an error page), the floor's views do their one query each, and the apply
requests a run makes are removed with the balance restored."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory

from apps.billing.models import VendorBalance
from apps.invoices.models import InvoiceRequest
from bench import run
from bench.data import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    load(scale=0.002)
    with connection.cursor() as cursor:
        cursor.execute(run.FLOOR_APPLY_TABLE)
    return run.prepare()


def test_every_endpoint_answers_what_the_run_expects(ctx):
    balance_before = VendorBalance.objects.get(pk=ctx["balance"].pk).invoiced
    requests_before = InvoiceRequest.objects.count()
    for endpoint in run.endpoints(ctx):
        queries, status = run.count_queries(endpoint, ctx)
        assert status in endpoint.expect, endpoint.name
        assert 0 < queries < 40 or endpoint.reference, endpoint.name
    assert InvoiceRequest.objects.count() == requests_before + 2  # the two applies
    assert run.restore_after_apply(ctx) == 2
    assert InvoiceRequest.objects.count() == requests_before
    assert VendorBalance.objects.get(pk=ctx["balance"].pk).invoiced == balance_before


def test_floor_views_list_the_same_rows_with_one_query(ctx, django_assert_num_queries):
    from bench import floor

    factory = RequestFactory()
    account, vendor = ctx["account"], ctx["vendor"]
    with django_assert_num_queries(1):
        response = floor.urlpatterns[1].callback(factory.get("/api/records/", {"account": account}))
    rows = json.loads(response.content)["results"]
    expected = list(
        InvoiceRequest.objects.filter(customer_account_id=account)
        .order_by("-submitted_at", "-id")
        .values_list("number", flat=True)[:20]
    )
    assert [row["number"] for row in rows] == expected
    with django_assert_num_queries(1):
        response = floor.urlpatterns[6].callback(factory.get("/api/queue/", {"vendor": vendor, "status": "pending"}))
    statuses = {row["status"] for row in json.loads(response.content)["results"]}
    assert statuses <= {"pending"}
    # the search: the same words as the app's, in the title name
    term = ctx["search"][2:8]
    with django_assert_num_queries(1):
        response = floor.urlpatterns[6].callback(factory.get("/api/queue/", {"vendor": vendor, "q": term}))
    names = [json.loads(row["title_snapshot"])["name"] for row in json.loads(response.content)["results"]]
    assert names and all(term.upper() in name.upper() for name in names)
    # Lock, update, insert; in a test the transaction is a savepoint (SAVEPOINT and RELEASE count too).
    with django_assert_num_queries(5):
        response = floor.apply_api(factory.post(f"/api/apply/?balance={ctx['balance'].pk}"))
    assert response.status_code == 201
