"""Counts per vendor and status kept by the database; the customer's records index in the list's exact order.

invoices_vendorstatuscount is adjusted by three statement-level triggers on invoices_invoicerequest with transition
tables: one grouped upsert per statement (a bulk insert or COPY of 100,000 rows costs one upsert per vendor and
status, not one per row). Rows are upserted in (vendor, status) order so two transactions lock them in the same
order. An UPDATE only counts rows whose status or vendor changed, so the SLA sweep's or a mailing's other writes
leave the counters (and their row locks) alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRIGGER_SQL = """
CREATE FUNCTION invoices_vendor_status_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO invoices_vendorstatuscount (vendor_id, status, count)
        SELECT vendor_id, status, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (vendor_id, status) DO UPDATE SET count = invoices_vendorstatuscount.count + EXCLUDED.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO invoices_vendorstatuscount (vendor_id, status, count)
        SELECT vendor_id, status, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (vendor_id, status) DO UPDATE SET count = invoices_vendorstatuscount.count + EXCLUDED.count;
    ELSE
        INSERT INTO invoices_vendorstatuscount (vendor_id, status, count)
        SELECT vendor_id, status, sum(delta) FROM (
            SELECT o.vendor_id, o.status, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status OR o.vendor_id IS DISTINCT FROM n.vendor_id
            UNION ALL
            SELECT n.vendor_id, n.status, 1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status OR o.vendor_id IS DISTINCT FROM n.vendor_id
        ) AS changes GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
        ON CONFLICT (vendor_id, status) DO UPDATE SET count = invoices_vendorstatuscount.count + EXCLUDED.count;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_vendor_status_count_ins AFTER INSERT ON invoices_invoicerequest
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoices_vendor_status_count_apply();
CREATE TRIGGER invoices_vendor_status_count_upd AFTER UPDATE ON invoices_invoicerequest
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION invoices_vendor_status_count_apply();
CREATE TRIGGER invoices_vendor_status_count_del AFTER DELETE ON invoices_invoicerequest
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoices_vendor_status_count_apply();
INSERT INTO invoices_vendorstatuscount (vendor_id, status, count)
SELECT vendor_id, status, count(*) FROM invoices_invoicerequest GROUP BY 1, 2;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS invoices_vendor_status_count_ins ON invoices_invoicerequest;
DROP TRIGGER IF EXISTS invoices_vendor_status_count_upd ON invoices_invoicerequest;
DROP TRIGGER IF EXISTS invoices_vendor_status_count_del ON invoices_invoicerequest;
DROP FUNCTION IF EXISTS invoices_vendor_status_count_apply();
"""


def _create_triggers(apps, schema_editor):
    # PostgreSQL keeps the counters; elsewhere (the SQLite `make run` path) the selectors count the requests instead.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def _drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("addresses", "0002_translated_labels"),
        ("invoices", "0007_refund_return_ticket_event_kinds"),
        ("titles", "0002_translated_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="VendorStatusCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("processing", "Processing"),
                            ("mailing", "Mailing"),
                            ("voided", "Voided"),
                            ("cancelled", "Cancelled"),
                            ("rejected", "Rejected"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("count", models.BigIntegerField(default=0, verbose_name="number of requests")),
            ],
            options={"verbose_name": "requests by status", "verbose_name_plural": "requests by status"},
        ),
        migrations.RemoveIndex(
            model_name="invoicerequest",
            name="invoices_in_custome_999c31_idx",
        ),
        migrations.AddIndex(
            model_name="invoicerequest",
            index=models.Index(
                fields=["customer_account", "-submitted_at", "-id"], name="invoice_request_customer_order"
            ),
        ),
        migrations.AddField(
            model_name="vendorstatuscount",
            name="vendor",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.vendor",
                verbose_name="vendor",
            ),
        ),
        migrations.AddConstraint(
            model_name="vendorstatuscount",
            constraint=models.UniqueConstraint(fields=("vendor", "status"), name="vendor_status_count_unique"),
        ),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]
