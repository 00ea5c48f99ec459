"""One vocabulary for shipping: the rule by amount (寄付 / 可到付) and the payer the vendor chose (服务商付费 / 到付)
each have one label, the models' TextChoices, shown the same on every page, in the CSV, e-mails, admin and API."""

import csv
import io

import pytest
from django.core import mail as outbox
from django.urls import reverse
from django.utils import translation

from apps.invoices.models import InvoiceRequest, ShippingPayer
from tests.helpers import api_client, send_notification_emails

from .helpers import mail, submit

pytestmark = pytest.mark.django_db

RULE = InvoiceRequest.ShippingRule


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {
            "cod_allowed": str(RULE.COD_ALLOWED.label),
            "vendor_pays": str(RULE.VENDOR_PAYS.label),
            "recipient": str(ShippingPayer.RECIPIENT.label),
            "vendor": str(ShippingPayer.VENDOR.label),
        }


def test_the_four_labels_are_four_different_words():
    for language in ("en", "zh-hans"):
        assert len(set(_labels(language).values())) == 4


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_place_shows_the_same_words(browser_for, shopper, vendor, vendor_user, staff_user, language):
    # given a ¥45.00 request mailed cash on delivery, and a ¥80.00 one still pending
    mailed = mail(
        submit(shopper, vendor, "45.00"), vendor_user, tracking="YT1000000003", invoice="0445003", payer="recipient"
    )
    pending = submit(shopper, vendor, "80.00")
    words = _labels(language)

    # the back-office queue and detail
    backoffice = browser_for(vendor_user, language=language)
    queue = backoffice.get(reverse("backoffice:queue"), {"status": "all"}).content.decode()
    assert 'data-rule="vendor_pays" title="' in queue and f">{words['vendor_pays']}</span>" in queue
    assert f'data-payer="recipient">{words["recipient"]}</span>' in queue
    detail = backoffice.get(reverse("backoffice:detail", args=[mailed.pk])).content.decode()
    assert f">{words['cod_allowed']}</span>" in detail and f'data-payer="recipient">{words["recipient"]}<' in detail
    # the console detail
    console = browser_for(shopper, language=language).get(reverse("console:record_detail", args=[mailed.pk]))
    html = console.content.decode()
    assert words["cod_allowed"] in html.split('data-rule="cod_allowed"')[1][:200]
    assert f'data-payer="recipient">{words["recipient"]}<' in html
    # the CSV export
    raw = b"".join(backoffice.get(reverse("backoffice:export"), {"status": "all"}).streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    by_number = {row[0]: row for row in rows[1:]}
    assert words["cod_allowed"] in by_number[mailed.number] and words["recipient"] in by_number[mailed.number]
    assert words["vendor_pays"] in by_number[pending.number]
    # the API *_display fields
    with translation.override(language):
        api = api_client(vendor_user, language=language)
        shown = api.get(f"/api/v1/vendor/invoice-requests/{mailed.pk}/").json()
    assert (shown["shipping_rule_display"], shown["shipping_payer_display"]) == (
        words["cod_allowed"],
        words["recipient"],
    )
    # the admin
    admin_page = browser_for(staff_user, language=language).get(
        reverse("admin:invoices_invoicerequest_change", args=[mailed.pk])
    )
    assert admin_page.status_code == 200
    assert words["cod_allowed"] in admin_page.content.decode()


def test_the_e_mails_use_the_same_words(shopper, vendor, vendor_user):
    # the e-mails are in Chinese: the rule to the vendor, the payer to the customer
    vendor.contact_email = "invoices@vendor.example"
    vendor.save()
    shopper.email = "buyer@customer.example"
    shopper.save()
    mail(submit(shopper, vendor, "45.00"), vendor_user, tracking="YT1000000004", invoice="0445004", payer="recipient")
    outbox.outbox.clear()
    send_notification_emails(to="vendor")
    vendor_mail = outbox.outbox[-1]
    send_notification_emails(to="customer")
    customer_mail = outbox.outbox[-1]
    words = _labels("zh-hans")
    assert words["cod_allowed"] in vendor_mail.body
    assert words["recipient"] in customer_mail.body
