"""Counts per customer account and status kept by the database, like 0008's per vendor: the records list of an
account with 10,000 requests reads its size from a few rows instead of a COUNT(*) on every view.

Three statement-level triggers with transition tables, one grouped upsert per statement, rows upserted in
(account, status) order; an UPDATE only counts rows whose status or account changed.
"""

import django.db.models.deletion
from django.db import migrations, models

TRIGGER_SQL = """
CREATE FUNCTION invoices_customer_status_count_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO invoices_customerstatuscount (customer_account_id, status, count)
        SELECT customer_account_id, status, count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (customer_account_id, status)
        DO UPDATE SET count = invoices_customerstatuscount.count + EXCLUDED.count;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO invoices_customerstatuscount (customer_account_id, status, count)
        SELECT customer_account_id, status, -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (customer_account_id, status)
        DO UPDATE SET count = invoices_customerstatuscount.count + EXCLUDED.count;
    ELSE
        INSERT INTO invoices_customerstatuscount (customer_account_id, status, count)
        SELECT customer_account_id, status, sum(delta) FROM (
            SELECT o.customer_account_id, o.status, -1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status OR o.customer_account_id IS DISTINCT FROM n.customer_account_id
            UNION ALL
            SELECT n.customer_account_id, n.status, 1 AS delta FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status OR o.customer_account_id IS DISTINCT FROM n.customer_account_id
        ) AS changes GROUP BY 1, 2 HAVING sum(delta) <> 0 ORDER BY 1, 2
        ON CONFLICT (customer_account_id, status)
        DO UPDATE SET count = invoices_customerstatuscount.count + EXCLUDED.count;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_customer_status_count_ins AFTER INSERT ON invoices_invoicerequest
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION invoices_customer_status_count_apply();
CREATE TRIGGER invoices_customer_status_count_upd AFTER UPDATE ON invoices_invoicerequest
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION invoices_customer_status_count_apply();
CREATE TRIGGER invoices_customer_status_count_del AFTER DELETE ON invoices_invoicerequest
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION invoices_customer_status_count_apply();
INSERT INTO invoices_customerstatuscount (customer_account_id, status, count)
SELECT customer_account_id, status, count(*) FROM invoices_invoicerequest GROUP BY 1, 2;
"""

REVERSE_SQL = """
DROP TRIGGER IF EXISTS invoices_customer_status_count_ins ON invoices_invoicerequest;
DROP TRIGGER IF EXISTS invoices_customer_status_count_upd ON invoices_invoicerequest;
DROP TRIGGER IF EXISTS invoices_customer_status_count_del ON invoices_invoicerequest;
DROP FUNCTION IF EXISTS invoices_customer_status_count_apply();
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
        ("invoices", "0011_sla_and_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerStatusCount",
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
                (
                    "customer_account",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.customeraccount",
                        verbose_name="customer account",
                    ),
                ),
            ],
            options={
                "verbose_name": "customer requests by status",
                "verbose_name_plural": "customer requests by status",
                "constraints": [
                    models.UniqueConstraint(fields=("customer_account", "status"), name="customer_status_count_unique")
                ],
            },
        ),
        migrations.RunPython(_create_triggers, _drop_triggers),
    ]
