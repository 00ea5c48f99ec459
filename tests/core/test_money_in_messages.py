"""Money named in messages, formulas and e-mails reads like the pages: ¥4,267.50."""

from decimal import Decimal

import pytest
from django.core import mail as outbox

from apps.billing.selectors import invoiceable_row
from apps.core.errors import ApplicationError
from apps.invoices.mailing import shipping_payer_check
from tests.factories import VendorUserFactory, consume
from tests.helpers import send_notification_emails


@pytest.fixture
def consumed_4267_50(customer, vendor):
    consume(customer_account=customer.customer_account, vendor=vendor, amount="4267.50")
    return customer


def test_the_amount_exceeds_message_shows_the_maximum_as_money(consumed_4267_50, vendor, submit):
    # given a customer who may invoice ¥4,267.50 with the vendor
    # when it applies for more
    with pytest.raises(ApplicationError) as raised:
        submit(consumed_4267_50, vendor, amount="5000.00")
    # then the refusal names the maximum the way every page shows money
    assert raised.value.code == "amount_exceeds_invoiceable"
    assert "¥4,267.50" in str(raised.value.fields["amount"][0])
    assert "4267.50" not in str(raised.value.message)


def test_the_cash_on_delivery_refusal_shows_both_amounts_as_money():
    # given an invoice of 1,234.50, which must ship at the vendor's cost
    # when the vendor chooses cash on delivery
    with pytest.raises(ApplicationError) as raised:
        shipping_payer_check(amount=Decimal("1234.50"), payer="recipient")
    # then the message shows the amount and the threshold as money
    message = str(raised.value.message)
    assert "¥1,234.50" in message and "¥50.00" in message


def test_the_invoiceable_formula_tooltip_shows_money(consumed_4267_50, vendor, submit):
    # given ¥4,267.50 consumed and ¥1,000.00 applied for
    submit(consumed_4267_50, vendor, amount="1000.00")
    # when the formula is read
    formula = invoiceable_row(customer_account=consumed_4267_50.customer_account, vendor_id=vendor.pk).formula
    # then every amount in it has the one money look
    assert formula == (
        "Invoiceable ¥3,267.50 = consumed ¥4,267.50 − refunded ¥0.00 − "
        "applied for (pending, processing, mailing) ¥1,000.00"
    )


def test_the_vendor_email_shows_the_amount_as_money(consumed_4267_50, vendor, submit, settings):
    # given a vendor with a contact e-mail and a request of ¥4,267.50
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    vendor.contact_email = "invoices@vendor.example"
    vendor.save()
    VendorUserFactory(vendor=vendor)
    request = submit(consumed_4267_50, vendor, amount="4267.50")
    # when the vendor is told
    assert send_notification_emails() == 1
    assert request.number in outbox.outbox[-1].subject
    # then the (Chinese) e-mail shows ¥4,267.50
    assert "¥4,267.50" in outbox.outbox[-1].body
