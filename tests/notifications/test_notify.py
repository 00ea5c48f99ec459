"""Every status change notifies the people concerned, once, in their language, with a text that says what to do."""

import pytest
from django.db import connection, transaction

from apps.invoices.sla import nightly_audit
from apps.notifications.models import Notification
from apps.notifications.rendering import render_notification
from apps.notifications.services import customer_recipients, notifications_deliver, notify, staff_recipients
from apps.notifications.tasks import deliver_notifications_task, drain_notification_outbox_task
from tests.factories import CustomerUserFactory, StaffUserFactory
from tests.helpers import accept, cancel, fresh, mail, reject, submit

pytestmark = pytest.mark.django_db


def recipients_of(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def names(*users) -> set[str]:
    return {user.username for user in users}


# --- who hears of what, through the real services -----------------------------------------------------------------


def test_a_new_request_notifies_the_vendors_users_and_nobody_else(people, other_vendor_user):
    submit(people["customer"], people["vendor"], "1234.50")

    assert recipients_of("submitted") == names(people["vendor_user"], people["second_vendor_user"])
    assert Notification.objects.count() == 2


@pytest.mark.parametrize(
    ("act", "kind"),
    [(accept, "accepted"), (reject, "rejected"), (mail, "mailed")],
)
def test_what_the_vendor_does_notifies_everyone_of_the_customer_account(people, other_customer, act, kind):
    request = submit(people["customer"], people["vendor"], "100.00")

    act(request, people["vendor_user"])

    assert recipients_of(kind) == names(people["customer"], people["colleague"])


def test_a_cancelled_request_notifies_the_vendor(people):
    request = submit(people["customer"], people["vendor"], "100.00")

    cancel(request, reason="Wrong amount")

    assert recipients_of("cancelled") == names(people["vendor_user"], people["second_vendor_user"])


def test_a_refused_change_notifies_nobody(people):
    request = submit(people["customer"], people["vendor"], "100.00")
    cancel(request)
    before = Notification.objects.count()

    with pytest.raises(Exception):  # noqa: B017, PT011 - the conflict itself is tested in tests/invoices
        accept(request, people["vendor_user"])

    assert Notification.objects.count() == before


def test_a_rolled_back_change_leaves_no_notification(people):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(people["customer"], people["vendor"], "100.00")
        raise RuntimeError("the request is not saved after all")

    assert not Notification.objects.exists()


# --- exactly once -------------------------------------------------------------------------------------------------


def test_the_same_event_notified_twice_makes_one_row_per_recipient(people):
    request = submit(people["customer"], people["vendor"], "100.00")

    again = notify(
        event_key=f"submitted:{request.pk}",
        kind="submitted",
        recipients=[people["vendor_user"], people["vendor_user"]],
        invoice_request=request,
    )

    assert again == 0
    assert Notification.objects.filter(recipient=people["vendor_user"]).count() == 1


def test_a_retried_or_redelivered_task_sends_no_second_email(people, mailoutbox):
    request = submit(people["customer"], people["vendor"], "100.00")
    ids = list(Notification.objects.values_list("pk", flat=True))

    deliver_notifications_task.apply(args=[ids])
    deliver_notifications_task.apply(args=[ids])  # the broker delivered the message again (acks_late)
    drain_notification_outbox_task.apply()

    assert sorted(message.to[0] for message in mailoutbox) == ["ops@vendor.example.com", people["vendor"].contact_email]
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}
    assert request.number in mailoutbox[0].subject


def test_a_user_without_any_address_is_skipped_not_retried(people, mailoutbox):
    request = submit(people["customer"], people["vendor"], "100.00")
    mail(request, people["vendor_user"])
    nobody = CustomerUserFactory(customer_account=people["customer"].customer_account)  # no e-mail
    notify(event_key="test:no-address", kind="mailed", recipients=[nobody], invoice_request=request)

    notifications_deliver()

    assert Notification.objects.get(recipient=nobody).email_status == "skipped"
    assert notifications_deliver() == 0


def test_a_failing_mail_server_is_retried_then_given_up(people, settings, mailoutbox):
    submit(people["customer"], people["vendor"], "100.00")
    settings.EMAIL_BACKEND = "tests.notifications.failing_backend.FailingBackend"

    for _attempt in range(5):
        assert notifications_deliver() == 0

    assert set(Notification.objects.values_list("email_status", "email_attempts")) == {("failed", 5)}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_deliver() == 0  # failed rows are left alone
    assert mailoutbox == []


# --- what they say --------------------------------------------------------------------------------------------------


def test_the_vendor_email_keeps_number_amount_due_date_and_title(people, mailoutbox):
    people["vendor_user"].language = "en"
    people["vendor_user"].save(update_fields=["language"])
    request = submit(people["customer"], people["vendor"], "1234.50")

    notifications_deliver()

    message = next(m for m in mailoutbox if m.to == ["ops@vendor.example.com"])
    assert message.subject == f"New invoice request {request.number}"
    assert "¥1,234.50" in message.body
    assert f"{request.dispatch_due_date:%Y-%m-%d}" in message.body
    assert request.title_snapshot["name"] in message.body
    assert "Shipping rule: " in message.body
    assert f"/backoffice/requests/{request.pk}/" in message.body


def test_the_email_follows_the_recipients_language(people, mailoutbox):
    people["customer"].language = "en"
    people["customer"].save(update_fields=["language"])
    people["colleague"].language = "zh-hans"
    people["colleague"].save(update_fields=["language"])
    request = mail(submit(people["customer"], people["vendor"], "100.00"), people["vendor_user"])
    mailoutbox.clear()

    notifications_deliver()

    english = next(m for m in mailoutbox if m.to == ["buyer@example.com"] and "Mailing" in m.subject)
    chinese = next(m for m in mailoutbox if m.to == ["colleague@example.com"] and "邮寄中" in m.subject)
    assert english.subject == f"Invoice request {request.number}: Mailing"
    assert chinese.subject == f"开票申请 {request.number}：邮寄中"
    assert f"/console/records/{request.pk}/" in chinese.body


def test_a_rejection_tells_the_customer_why_and_what_to_do(people):
    people["customer"].language = "en"
    people["customer"].save(update_fields=["language"])
    request = reject(submit(people["customer"], people["vendor"], "100.00"), people["vendor_user"], reason="Bad ID")

    rendered = render_notification(Notification.objects.get(kind="rejected", recipient=people["customer"]))

    assert "Reason: Bad ID" in rendered.text
    assert "apply again" in rendered.text
    assert rendered.url == f"/console/records/{request.pk}/"


def test_a_breach_tells_the_customer_whom_to_contact_and_that_staff_know(people):
    vendor = people["vendor"]
    request = submit(people["customer"], vendor, "1234.50")
    customer = people["customer"]
    customer.language = "en"
    customer.save(update_fields=["language"])
    staff = StaffUserFactory(language="en")

    notify(
        event_key=f"breached:{request.pk}",
        kind="breached",
        recipients=customer_recipients(request.customer_account),
        invoice_request=request,
        params={"due": "2026-01-15"},
    )
    notify(
        event_key=f"escalated:{request.pk}",
        kind="escalated",
        recipients=staff_recipients(),
        invoice_request=request,
        params={"due": "2026-01-15"},
    )

    to_customer = render_notification(Notification.objects.get(kind="breached", recipient=customer))
    assert "has not mailed your invoice by its mail-by date, 2026-01-15" in to_customer.text
    assert vendor.contact_email in to_customer.text
    assert "Marketplace staff have been told" in to_customer.text
    to_staff = render_notification(Notification.objects.get(kind="escalated", recipient=staff))
    assert vendor.name in to_staff.subject
    assert "¥1,234.50" in to_staff.text
    assert to_staff.url.startswith("/staff/")


@pytest.mark.parametrize(
    ("kind", "params", "expected"),
    [
        ("at_risk", {"due": "2026-01-15", "working_days_left": 2}, "2 working days left"),
        ("breached", {"due": "2026-01-15"}, "You missed its mail-by date, 2026-01-15"),
        ("due_date_changed", {"old": "2027-02-18", "new": "2027-02-22"}, "from 2027-02-18 to 2027-02-22"),
        # Only the provisional flag went: no "moved from 2027-01-12 to 2027-01-12".
        ("due_date_changed", {"old": "2027-01-12", "new": "2027-01-12"}, "the mail-by date 2027-01-12 is now final"),
    ],
)
def test_vendor_texts_of_the_sla_kinds(people, kind, params, expected):
    request = submit(people["customer"], people["vendor"], "100.00")
    people["vendor_user"].language = "en"
    people["vendor_user"].save(update_fields=["language"])
    notify(event_key=f"{kind}:{request.pk}", kind=kind, recipients=[people["vendor_user"]], invoice_request=request)
    notification = Notification.objects.get(kind=kind)
    notification.params = params

    rendered = render_notification(notification)

    assert expected in rendered.text
    assert rendered.url == f"/backoffice/requests/{request.pk}/"


def test_an_audit_finding_names_the_problem_and_the_next_step():
    staff = StaffUserFactory(language="en")
    notify(
        event_key="audit_finding:shipping_rule:IR1",
        kind="audit_finding",
        recipients=[staff],
        params={"finding_kind": "shipping_rule", "summary": "IR1 was sent cash on delivery at ¥80.00."},
    )

    rendered = render_notification(Notification.objects.get())

    assert rendered.subject == "Audit finding: Shipping rule broken"
    assert "IR1 was sent cash on delivery" in rendered.text
    assert "acknowledge it in the staff console" in rendered.text


def test_the_text_is_rendered_when_read_so_a_later_due_date_shows(people):
    request = submit(people["customer"], people["vendor"], "100.00")
    people["vendor_user"].language = "en"
    people["vendor_user"].save(update_fields=["language"])
    notification = Notification.objects.get(recipient=people["vendor_user"])

    assert f"{fresh(request).dispatch_due_date:%Y-%m-%d}" in render_notification(notification).text


def test_an_audit_finding_reads_in_each_staff_members_language(staff_user, consumed, vendor):
    # given a balance some other path left wrong, found by the nightly audit
    submit(consumed, vendor, "100.00")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_vendorbalance SET invoiced = invoiced - 5")
    nightly_audit()
    notification = Notification.objects.get(recipient=staff_user, kind=Notification.Kind.AUDIT_FINDING)

    # then an English reader gets the whole message in English, a Chinese reader the whole message in Chinese
    english = render_notification(notification, language="en").text
    chinese = render_notification(notification, language="zh-hans").text
    assert "Invoiced ¥95.00, but the pending, processing and mailed requests total ¥100.00." in english
    assert "已申请金额记为 ¥95.00，但待处理、处理中和邮寄中的申请合计 ¥100.00。" in chinese
    assert "已申请" not in english
