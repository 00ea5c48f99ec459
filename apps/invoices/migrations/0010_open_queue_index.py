# The vendor queue's default view (pending and processing, by mail-by date) read from its own partial index.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("addresses", "0002_translated_labels"),
        ("invoices", "0009_search_trigram_indexes"),
        ("titles", "0002_translated_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="invoicerequest",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "processing"])),
                fields=["vendor", "dispatch_due_date", "submitted_at", "id"],
                name="invoice_request_open_queue",
            ),
        ),
    ]
