"""The read serializers build each row's dict directly (apps.core.api.render) instead of going field by field: the
JSON must be exactly what DRF's generic rendering of the same declared fields gives, key order included, for every
status, in both languages. And the lists read what they need in a fixed number of queries."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from rest_framework import serializers

from apps.billing.api.serializers import InvoiceableRowSerializer
from apps.billing.selectors import invoiceable_rows
from apps.core.api.render import SnapshotRenderer, iso_formats_in_use
from apps.invoices.api.serializers import (
    InvoiceEventSerializer,
    InvoiceRequestDetailSerializer,
    InvoiceRequestSerializer,
    TitleSnapshotSerializer,
    issued_invoices_prefetch,
)
from apps.invoices.api.vendor_serializers import VendorInvoiceRequestDetailSerializer, VendorInvoiceRequestSerializer
from apps.invoices.models import InvoiceRequest
from apps.invoices.selectors import deadlines_for, timeline_prefetch
from tests.factories import consume
from tests.helpers import mail, reach_status, submit

LIST_SERIALIZERS = [
    InvoiceRequestSerializer,
    InvoiceRequestDetailSerializer,
    VendorInvoiceRequestSerializer,
    VendorInvoiceRequestDetailSerializer,
]


def generic(serializer, instance) -> dict:
    """DRF's own rendering of the serializer's declared fields (what the fast path replaces)."""
    return serializers.Serializer.to_representation(serializer, instance)


def same(fast: dict, slow: dict) -> bool:
    return list(fast) == list(slow) and json.dumps(fast) == json.dumps(slow)


@pytest.fixture
def requests_in_every_status(consumed, vendor, vendor_user):
    made = [reach_status(submit(consumed, vendor, "10.00"), status, vendor_user) for status in InvoiceRequest.Status]
    made.append(submit(consumed, vendor, "49.99", invoice_type="general"))
    made.append(mail(submit(consumed, vendor, "60.00"), vendor_user, courier="jd", payer="vendor"))
    made.append(reach_status(submit(consumed, vendor, "0.01"), "rejected", vendor_user))
    return list(
        InvoiceRequest.objects.filter(pk__in=[made_request.pk for made_request in made])
        .select_related("vendor", "customer_account", "submitted_by__customer_account", "submitted_by__vendor")
        .prefetch_related(issued_invoices_prefetch(), timeline_prefetch())
        .order_by("pk")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("serializer_class", LIST_SERIALIZERS, ids=lambda cls: cls.__name__)
def test_a_row_is_what_drf_renders_field_by_field(requests_in_every_status, serializer_class, language):
    rows = requests_in_every_status
    with translation.override(language):
        today = timezone.localdate()
        fast = serializer_class(rows, many=True, context={"today": today}).data
        reference = serializer_class(many=True, context={"today": today, "deadlines": deadlines_for(rows, today=today)})
        for row, fast_row in zip(rows, fast, strict=True):
            assert list(fast_row) == list(serializer_class.Meta.fields)
            assert same(fast_row, generic(reference.child, row)), row.status
        # one object (a detail answer, the 201 of an application) too
        single = serializer_class(rows[0], context={"today": today})
        assert same(single.data, generic(single, rows[0]))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_timeline_line_is_what_drf_renders(requests_in_every_status, language):
    events = [event for row in requests_in_every_status for event in row.events.all()]
    assert {event.kind for event in events} >= {"status_changed"}
    with translation.override(language):
        serializer = InvoiceEventSerializer(context={})
        for event in events:
            assert same(serializer.to_representation(event), generic(serializer, event))


@pytest.mark.django_db
def test_the_other_courier_shows_its_typed_name(requests_in_every_status):
    row = requests_in_every_status[0]
    InvoiceRequest.objects.filter(pk=row.pk).update(courier="other", courier_name="同城闪送")
    row = InvoiceRequest.objects.select_related("vendor").get(pk=row.pk)
    serializer = InvoiceRequestSerializer(row)
    assert serializer.data["courier_label"] == "同城闪送"
    assert same(serializer.data, generic(serializer, row))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_invoiceable_row_is_what_drf_renders(consumed, vendor, other_vendor, language):
    consume(customer_account=consumed.customer_account, vendor=other_vendor, amount=Decimal("12.34"))
    submit(consumed, vendor, "99.99")
    rows = invoiceable_rows(customer_account=consumed.customer_account)
    assert len(rows) == 2
    with translation.override(language):
        serializer = InvoiceableRowSerializer(context={})
        for row in rows:
            assert same(serializer.to_representation(row), generic(serializer, row))


@pytest.mark.parametrize(
    "snapshot",
    [
        {"kind": "company", "name": "甲公司", "taxpayer_id": "91110000600037341L", "taxpayer_id_verified": True},
        {"name": "only a name"},  # missing keys are left out, as DRF does
        {},
        {"kind": "", "name": None, "taxpayer_id_verified": "false", "bank_account": 12345},
        {"kind": "unknown", "taxpayer_id_verified": 1, "registered_phone": 3.5, "extra": "ignored"},
        {"name": ["a nested value"], "kind": {"odd": True}},  # unusual JSON: DRF's own rendering
        None,
    ],
)
def test_a_snapshot_is_what_drf_renders(snapshot):
    rendered = SnapshotRenderer(TitleSnapshotSerializer)(snapshot)
    expected = None if snapshot is None else TitleSnapshotSerializer(snapshot).data
    assert rendered == expected
    assert list(rendered or {}) == list(expected or {})


def test_the_helpers_render_drfs_default_formats():
    assert iso_formats_in_use()
