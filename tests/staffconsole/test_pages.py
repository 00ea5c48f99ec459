"""The staff console's list pages: overdue requests, vendors' on-time rates (sortable), audit findings."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.workdays import calendar_date, working_days_between
from apps.invoices.models import AuditFinding, InvoiceRequest
from apps.invoices.selectors import staff_sla_figures_cache_key
from apps.invoices.sla import sla_sweep
from tests.factories import VendorFactory, consume
from tests.helpers import fresh, mail

pytestmark = pytest.mark.django_db


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


# --- overdue requests -------------------------------------------------------------------------------------------


def test_overdue_requests_across_vendors_with_how_late_and_whom_to_call(
    staff_client, consumed, vendor, other_vendor, submit
):
    # Given two vendors' requests past their mail-by date, one request on time and one mailed late
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    late = submit(consumed, vendor, "100.00", now=_days_ago(40))
    later = submit(consumed, other_vendor, "200.00", now=_days_ago(25))
    on_time = submit(consumed, vendor, "50.00")
    mailed = mail(submit(consumed, vendor, "60.00", now=_days_ago(40)))
    sla_sweep()

    # When staff open the console
    response = staff_client.get(reverse("staffconsole:overdue"))

    # Then the overdue open requests are listed, the most overdue first, each with its working days late
    page = response.content.decode()
    rows = response.context["rows"]
    assert [row.pk for row in rows] == [late.pk, later.pk]
    today = calendar_date(timezone.now())
    for request in (late, later):
        days = working_days_between(fresh(request).dispatch_due_date, today)
        assert f'data-request-id="{request.pk}"' in page
        assert f'data-testid="days-late" data-days="{days}"' in page
    assert f'data-request-id="{on_time.pk}"' not in page and f'data-request-id="{mailed.pk}"' not in page
    # with the vendor's contact, the breach time and a link to the read-only detail
    assert vendor.contact_phone in page and other_vendor.name in page
    assert "breach recorded" in page
    assert reverse("backoffice:detail", args=[late.pk]) in page


def test_nothing_overdue_says_so(staff_client):
    page = staff_client.get(reverse("staffconsole:overdue")).content.decode()
    assert "Nothing is overdue" in page


@pytest.mark.parametrize("url_name", ["staffconsole:overdue", "staffconsole:findings"])
@pytest.mark.parametrize("page", ["abc", "0", "99999"])
def test_a_stale_or_mistyped_page_number_shows_a_page_not_a_404(staff_client, url_name, page):
    assert staff_client.get(reverse(url_name), {"page": page}).status_code == 200


def test_the_overdue_page_runs_a_fixed_number_of_queries(
    staff_client, consumed, vendor, submit, django_assert_max_num_queries
):
    consume(customer_account=consumed.customer_account, vendor=vendor, amount="5000.00")
    for days in range(25, 55):
        submit(consumed, vendor, "10.00", now=_days_ago(days))

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("staffconsole:overdue"))
    assert response.content.decode().count('data-testid="overdue-row"') == 30


# --- vendors' on-time rates -------------------------------------------------------------------------------------


@pytest.fixture
def records(consumed, vendor, other_vendor, submit):
    """`vendor`: one request due in the last 30 days, still open (late, breached). `other_vendor`: two due in the
    window, one mailed on its mail-by date (on time), one mailed late. A third vendor had nothing due."""
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount="500.00")
    submit(consumed, vendor, "100.00", now=_days_ago(25))
    on_time = mail(submit(consumed, other_vendor, "100.00", now=_days_ago(25)))
    mail(submit(consumed, other_vendor, "100.00", now=_days_ago(26)))
    sla_sweep()
    # The vendor mailed this one on its mail-by date: the services stamp "now", so the test moves the stamp back.
    due = fresh(on_time).dispatch_due_date
    InvoiceRequest.objects.filter(pk=on_time.pk).update(
        mailed_at=dt.datetime.combine(due, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    )
    quiet = VendorFactory(name="Zeta 无申请")
    return vendor, other_vendor, quiet


def _order(response) -> list[str]:
    return [figure.vendor.name for figure in response.context["figures"]]


def test_vendors_figures_for_the_last_30_days(staff_client, records):
    vendor, other_vendor, quiet = records

    response = staff_client.get(reverse("staffconsole:vendors"))

    figures = {figure.vendor.pk: figure for figure in response.context["figures"]}
    assert (figures[vendor.pk].due, figures[vendor.pk].late, figures[vendor.pk].breaches) == (1, 1, 1)
    assert (figures[other_vendor.pk].due, figures[other_vendor.pk].on_time) == (2, 1)
    page = response.content.decode()
    assert f'data-vendor="{other_vendor.name}"' in page
    assert ">50%<" in page and ">0%<" in page and "nothing due" in page
    # The worst on-time rate first; a vendor with nothing due last
    assert _order(response) == [vendor.name, other_vendor.name, quiet.name]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-on_time_rate", ["other", "vendor", "quiet"]),
        ("on_time_rate", ["vendor", "other", "quiet"]),
        ("-breaches", ["vendor"]),  # then the two without breaches
        ("late", ["quiet"]),  # then the two with one late request each
    ],
)
def test_sorting_by_a_column(staff_client, records, sort, expected):
    vendor, other_vendor, quiet = records
    names = {"vendor": vendor.name, "other": other_vendor.name, "quiet": quiet.name}

    response = staff_client.get(reverse("staffconsole:vendors"), {"sort": sort})

    assert _order(response)[: len(expected)] == [names[key] for key in expected]


def test_the_column_heading_toggles_the_sort_and_the_window_switches_to_90_days(staff_client, records):
    page = staff_client.get(reverse("staffconsole:vendors"), {"sort": "breaches", "days": 90}).content.decode()
    assert "?sort=-breaches&amp;days=90" in page or "?days=90&amp;sort=-breaches" in page
    assert 'aria-sort="ascending"' in page
    assert 'data-days="90" aria-current="page"' in page


def test_a_bad_sort_or_window_falls_back_to_the_default(staff_client, records):
    response = staff_client.get(reverse("staffconsole:vendors"), {"sort": "price;drop", "days": "7"})
    assert response.status_code == 200
    assert (response.context["days"], response.context["sort"]) == (30, "on_time_rate")


def test_the_vendors_page_runs_a_fixed_number_of_queries(staff_client, records, django_assert_max_num_queries):
    for _index in range(20):
        VendorFactory()
    with django_assert_max_num_queries(6):
        response = staff_client.get(reverse("staffconsole:vendors"))
    assert response.content.decode().count('data-testid="sla-row"') == 23


def _table(response) -> str:
    html = response.content.decode()
    return html[html.index('data-testid="sla-table"') : html.index("</table>")]


def test_the_vendors_page_reads_its_counts_from_the_cache_and_lists_a_new_vendor_at_once(staff_client, records):
    vendor, other_vendor, quiet = records
    cache.delete(staff_sla_figures_cache_key(days=30, today=calendar_date(timezone.now())))
    first = staff_client.get(reverse("staffconsole:vendors"))

    # the next view reads the vendors only: the figures and the returns at fault come from the cache
    with CaptureQueriesContext(connection) as queries:
        again = staff_client.get(reverse("staffconsole:vendors"))
    assert _table(again) == _table(first)
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "accounts_vendor" in read
    assert "invoices_invoicerequest" not in read and "refunds_invoicereturn" not in read

    # a vendor added meanwhile is listed at once (everything counted again), and a renamed one under its new name
    VendorFactory(name="新来的服务商")
    vendor.name = "改名后的服务商"
    vendor.save()
    page = staff_client.get(reverse("staffconsole:vendors")).content.decode()
    assert 'data-vendor="新来的服务商"' in page and 'data-vendor="改名后的服务商"' in page
    assert page.count('data-testid="sla-row"') == 4


# --- audit findings ---------------------------------------------------------------------------------------------


@pytest.fixture
def finding(consumed, vendor, submit):
    """What the nightly audit records when a mailed request broke the shipping-payer rule."""
    request = mail(submit(consumed, vendor, "30.00"), payer="vendor")
    return AuditFinding.objects.create(
        key=f"shipping_rule:{request.pk}",
        kind=AuditFinding.Kind.SHIPPING_RULE,
        invoice_request=request,
        vendor=vendor,
        customer_account=consumed.customer_account,
        details={"amount": "30.00", "shipping_payer": "recipient"},
    )


def test_findings_to_acknowledge_are_listed_with_what_they_concern(staff_client, finding):
    page = staff_client.get(reverse("staffconsole:findings")).content.decode()

    assert f'data-finding-id="{finding.pk}"' in page
    assert "Shipping rule broken" in page and finding.key in page
    assert finding.vendor.name in page
    # What is wrong, as a sentence with money formatted (not the raw details keys).
    assert "¥30.00 (from ¥50.00 the vendor pays) was sent cash on delivery." in page
    assert "shipping_payer" not in page
    assert reverse("staffconsole:finding_acknowledge", args=[finding.pk]) in page


def test_acknowledging_asks_first_then_records_who_and_when(staff_client, staff_user, finding):
    url = reverse("staffconsole:finding_acknowledge", args=[finding.pk])

    # The confirmation says what acknowledging does; nothing changes yet
    assert "does not change any request or balance" in staff_client.get(url).content.decode()
    finding.refresh_from_db()
    assert finding.acknowledged_at is None

    response = staff_client.post(url, follow=True)

    finding.refresh_from_db()
    assert finding.acknowledged_by == staff_user and finding.acknowledged_at is not None
    page = response.content.decode()
    assert "Finding acknowledged" in page
    assert "Nothing to acknowledge" in page  # the open tab is empty now
    acknowledged = staff_client.get(reverse("staffconsole:findings"), {"state": "acknowledged"}).content.decode()
    assert f'data-finding-id="{finding.pk}"' in acknowledged and staff_user.username in acknowledged


def test_acknowledging_an_unknown_finding_is_a_404(staff_client):
    url = reverse("staffconsole:finding_acknowledge", args=[999999])
    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url).status_code == 404


def test_the_findings_page_runs_a_fixed_number_of_queries(
    staff_client, finding, vendor, consumed, django_assert_max_num_queries
):
    for index in range(30):
        AuditFinding.objects.create(
            key=f"balance:{index}",
            kind=AuditFinding.Kind.MONEY_INVARIANT,
            vendor=vendor,
            customer_account=consumed.customer_account,
            details={"invoiced": "10.00", "sum_of_requests": "0.00"},
        )
    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("staffconsole:findings"))
    assert response.content.decode().count('data-testid="finding-row"') == 31
