"""Trigram indexes for the queue's search, so a search does not read every request of a large vendor.

The vendor queue (page, API and CSV) searches the request number, the title's name as submitted (a JSON snapshot)
and the taxpayer ID; Django writes `icontains` as UPPER(<column>::text) LIKE UPPER('%…%'), so each index is on
exactly that expression (pg_trgm answers LIKE and = on it). The customer account's name is matched through the
account ids (apps.invoices.selectors._queue), so every arm of the search is on this table and PostgreSQL can
combine the indexes (BitmapOr) instead of scanning.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "invoice_request_number_trgm": """UPPER("number"::text)""",
    "invoice_request_title_name_trgm": """UPPER(("title_snapshot" ->> 'name')::text)""",
    "invoice_request_taxpayer_id_trgm": """UPPER(("title_snapshot" ->> 'taxpayer_id')::text)""",
}


def _create_indexes(apps, schema_editor):
    # Trigram indexes exist on PostgreSQL only; SQLite (the `make run` path) searches without them.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {name} ON invoices_invoicerequest USING gin (({expression}) gin_trgm_ops)", params=None
        )


def _drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0008_perf_counts_and_customer_order")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(_create_indexes, _drop_indexes),
    ]
