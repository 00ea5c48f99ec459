"""In PostgreSQL, a balance row refuses any *increase* of `invoiced` beyond consumed - refunded.

A refund may leave an account owing invoices (invoiced > consumed - refunded: invoice debt), so that state cannot be a
CHECK constraint; but no new application may be recorded until the debt is settled. A CHECK cannot tell which column
changed, a trigger can: it refuses the write that raises `invoiced` (a new application), never the refund that lowers
the net. SQLite (the embedded `make run` path) has no such trigger; the service's check under the row lock holds there.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION balance_no_new_invoicing_under_debt() RETURNS trigger AS $$
BEGIN
    IF NEW.invoiced > NEW.consumed - NEW.refunded
       AND (TG_OP = 'INSERT' OR NEW.invoiced > OLD.invoiced) THEN
        RAISE EXCEPTION 'invoiced % exceeds consumed % - refunded %', NEW.invoiced, NEW.consumed, NEW.refunded
            USING ERRCODE = 'check_violation', CONSTRAINT = 'balance_no_new_invoicing_under_debt';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS balance_no_new_invoicing_under_debt ON billing_vendorbalance;
CREATE TRIGGER balance_no_new_invoicing_under_debt
    BEFORE INSERT OR UPDATE ON billing_vendorbalance
    FOR EACH ROW EXECUTE FUNCTION balance_no_new_invoicing_under_debt();
"""

DROP = """
DROP TRIGGER IF EXISTS balance_no_new_invoicing_under_debt ON billing_vendorbalance;
DROP FUNCTION IF EXISTS balance_no_new_invoicing_under_debt();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_translated_labels")]

    operations = [migrations.RunPython(create, drop)]
