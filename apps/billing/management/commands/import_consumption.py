"""Import consumption records from a CSV file; the same file can be imported again without double counting."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.billing.services import CSV_COLUMNS, CSV_OPTIONAL_COLUMNS, consumption_import_csv


class Command(BaseCommand):
    help = (
        "Import consumption from a UTF-8 CSV file (with or without BOM) with the columns "
        f"{', '.join(CSV_COLUMNS + CSV_OPTIONAL_COLUMNS)}. customer_account is the account ID, vendor the vendor ID "
        "or exact name, consumed_at an ISO date or date-time (Asia/Shanghai when it has no offset). Every row is "
        "checked first: a file with any bad row imports nothing. Rows whose external_id was already imported are "
        "skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the CSV file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path} is not UTF-8 (byte {error.start}); save it as UTF-8 (Excel: CSV UTF-8) and try again."
            ) from error
        del raw  # the import holds the text only (a million-row file is tens of MB)

        report = consumption_import_csv(text=text)
        if report.errors:
            for line, message in report.errors:
                self.stderr.write(f"{path}:{line}: {message}")
            raise CommandError(f"{len(report.errors)} error(s) in {path}; nothing was imported.")
        summary = f"Imported {path}: {report.created} created, {report.skipped} skipped (already imported)."
        self.stdout.write(self.style.SUCCESS(summary))
