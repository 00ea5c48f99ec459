"""Reasons and the courier's name are text people type: no control characters; the courier's name is GBK."""

import pytest
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.workdays import calendar_date
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceRequest
from tests.helpers import accept, cancel, fresh, reject


@pytest.fixture
def pending(consumed, vendor, vendor_user, submit):
    return submit(consumed, vendor, "100.00")


@pytest.mark.parametrize("reason", ["不需要了\x00", "抬头\x1b[31m有误", "\x7f"])
def test_a_cancel_reason_with_control_characters_is_refused(pending, reason):
    with pytest.raises(ApplicationError) as raised:
        cancel(pending, reason=reason)
    assert list(raised.value.fields) == ["reason"]
    assert "control characters" in str(raised.value.fields["reason"][0])
    assert fresh(pending).status == InvoiceRequest.Status.PENDING


def test_a_reject_reason_may_have_several_lines_but_no_nul(pending, vendor_user):
    # given a vendor rejecting with a NUL byte in the reason
    with pytest.raises(ApplicationError) as raised:
        reject(pending, vendor_user, reason="纳税人识别号不符\x00")
    # then it is refused and the request stays pending
    assert list(raised.value.fields) == ["reason"]
    assert fresh(pending).status == InvoiceRequest.Status.PENDING
    # when the reason has line breaks (a textarea) instead
    rejected = reject(pending, vendor_user, reason="纳税人识别号不符。\r\n请核对后重新申请。")
    # then it is kept as typed
    assert rejected.status == InvoiceRequest.Status.REJECTED
    assert fresh(pending).status_reason == "纳税人识别号不符。\r\n请核对后重新申请。"


def _mail_with_courier_name(request, vendor_user, courier_name: str) -> InvoiceRequest:
    return invoice_request_mail(
        actor=vendor_user,
        vendor=vendor_user.vendor,
        invoice_request_id=request.pk,
        mailing=MailingInfo(
            invoice_numbers=[f"{request.pk:08d}"],
            invoice_date=calendar_date(timezone.now()),
            courier="other",
            courier_name=courier_name,
            tracking_number=f"OT{request.pk:010d}",
            shipping_payer="vendor",
        ),
    )


@pytest.mark.parametrize(
    ("courier_name", "message"),
    [
        ("极兔😀速递", "GBK"),  # the slip printer cannot print it
        ("𠮷野快递", "GBK"),
        ("百世\x00快递", "control characters"),
        ("百世快递\t", "control characters"),
    ],
)
def test_the_courier_name_obeys_the_text_rules(pending, vendor_user, courier_name, message):
    accept(pending, vendor_user)
    with pytest.raises(ApplicationError) as raised:
        _mail_with_courier_name(pending, vendor_user, courier_name)
    assert list(raised.value.fields) == ["courier_name"]
    assert message in str(raised.value.fields["courier_name"][0])
    assert fresh(pending).status == InvoiceRequest.Status.PROCESSING


def test_an_ordinary_courier_name_is_accepted(pending, vendor_user):
    accept(pending, vendor_user)
    mailed = _mail_with_courier_name(pending, vendor_user, "百世快递（杭州）")
    assert (mailed.status, fresh(pending).courier_name) == (InvoiceRequest.Status.MAILING, "百世快递（杭州）")
