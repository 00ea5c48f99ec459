"""Indexes for the SLA figures and the queue's default search (apps.invoices.selectors).

- what was on time: the mailed requests by (vendor, mail-by date), with status and mailing time included, so the
  count is read from the index alone (index-only scan), not from every request of a large vendor;
- breaches: the requests the SLA sweep marked overdue, by (vendor, breached at): a few rows;
- the title name (as submitted) of the open requests, pending and processing: the queue opens on them, so its search
  looks there first. A trigram index over every request finds a common company name in posting lists as long as the
  table (every title shares "有限公司"); over the open ones only they are a fraction. Any other status tab, or all,
  still uses migration 0009's index;
- the taxpayer ID (as submitted) for the search's exact match: a trigram index answers "= 91110000…" with every
  ID that shares the trigrams (thousands, each read from the table to be rejected); a btree, with the one.

What was due (owed, by status and mail-by date) is already answered by the (vendor, status, mail-by date) index.
PostgreSQL only (INCLUDE, partial and trigram indexes): SQLite, the `make run` path, counts and searches without
them. Like 0009's, they are not in the model's Meta: there is no model state to migrate.
"""

from django.db import migrations

INDEXES = {
    "invoice_request_mailed_due": (
        "(vendor_id, dispatch_due_date) INCLUDE (status, mailed_at) WHERE mailed_at IS NOT NULL"
    ),
    "invoice_request_breached": "(vendor_id, breached_at) WHERE breached_at IS NOT NULL",
    # The expressions are exactly what Django writes for `title_snapshot__name__icontains` and
    # `title_snapshot__taxpayer_id__iexact` (see 0009).
    "invoice_request_open_title_name_trgm": (
        """USING gin ((UPPER(("title_snapshot" ->> 'name')::text)) gin_trgm_ops) """
        """WHERE status IN ('pending', 'processing')"""
    ),
    "invoice_request_taxpayer_id_upper": """((UPPER(("title_snapshot" ->> 'taxpayer_id')::text)))""",
}


def _create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON invoices_invoicerequest {definition}", params=None)


def _drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0010_open_queue_index")]

    operations = [migrations.RunPython(_create_indexes, _drop_indexes)]
