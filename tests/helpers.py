"""The one set of test helpers: reach every state through the real services, race threads, read errors.

Fixtures that hand these out (clients per role, `english`, `submit`, `run_together`) are in tests/conftest.py.
"""

import threading
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.api import AuthTokenThrottle
from apps.core.errors import ApplicationError
from apps.core.workdays import calendar_date
from apps.invoices.mailing import MailingInfo, invoice_request_mail
from apps.invoices.models import InvoiceRequest
from apps.invoices.services import (
    invoice_request_accept,
    invoice_request_cancel,
    invoice_request_reject,
    invoice_request_submit,
)
from apps.refunds.services.tickets import ticket_open
from apps.refunds.services.voiding import invoice_request_void
from tests.factories import StaffUserFactory, VendorUserFactory

ERROR_KEYS = {"code", "message", "fields"}


def submit(user, vendor, amount: str | Decimal = "100.00", **overrides) -> InvoiceRequest:
    """Submit a request as customer `user` with the account's default title and address (the real service)."""
    account = user.customer_account
    kwargs = {
        "actor": user,
        "customer_account": account,
        "vendor": vendor,
        "amount": Decimal(str(amount)),
        "title": account.titles.get(is_default=True),
        "address": account.addresses.get(is_default=True),
        **overrides,
    }
    request, _created = invoice_request_submit(**kwargs)
    return request


def fresh(request: InvoiceRequest) -> InvoiceRequest:
    """Re-read a request (refresh_from_db() is refused on its protected status field)."""
    return InvoiceRequest.objects.get(pk=request.pk)


def _vendor_user_of(request: InvoiceRequest, vendor_user=None):
    if vendor_user is not None:
        return vendor_user
    return request.vendor.users.filter(role="vendor").first() or VendorUserFactory(vendor=request.vendor)


def accept(request: InvoiceRequest, vendor_user=None) -> InvoiceRequest:
    user = _vendor_user_of(request, vendor_user)
    return invoice_request_accept(actor=user, vendor=user.vendor, invoice_request_id=request.pk)


def reject(
    request: InvoiceRequest, vendor_user=None, reason: str = "The taxpayer ID does not match."
) -> InvoiceRequest:
    user = _vendor_user_of(request, vendor_user)
    return invoice_request_reject(actor=user, vendor=user.vendor, invoice_request_id=request.pk, reason=reason)


def cancel(request: InvoiceRequest, reason: str = "") -> InvoiceRequest:
    customer = request.submitted_by
    return invoice_request_cancel(
        actor=customer, customer_account=request.customer_account, invoice_request_id=request.pk, reason=reason
    )


def mail(
    request: InvoiceRequest,
    vendor_user=None,
    *,
    tracking: str = "",
    invoice: str = "",
    payer: str = "vendor",
    courier: str = "sf",
) -> InvoiceRequest:
    """Accept (when still pending) and mark mailed with an invoice number and tracking number unique per request."""
    user = _vendor_user_of(request, vendor_user)
    if fresh(request).status == InvoiceRequest.Status.PENDING:
        accept(request, user)
    return invoice_request_mail(
        actor=user,
        vendor=user.vendor,
        invoice_request_id=request.pk,
        mailing=MailingInfo(
            invoice_numbers=[invoice or f"{request.pk:08d}"],
            invoice_date=calendar_date(timezone.now()),
            courier=courier,
            tracking_number=tracking or f"SF{request.pk:010d}",
            shipping_payer=payer,
        ),
    )


def reach_status(request: InvoiceRequest, status: str, vendor_user=None) -> InvoiceRequest:
    """Move a pending request to `status` the way users do: accept, reject, mail or cancel through the services;
    `voided` the whole way: mailed, a support ticket about it, and a staff member with the void permission voids it.
    """
    if status == InvoiceRequest.Status.PENDING:
        return fresh(request)
    if status == InvoiceRequest.Status.PROCESSING:
        return accept(request, vendor_user)
    if status == InvoiceRequest.Status.REJECTED:
        return reject(request, vendor_user)
    if status == InvoiceRequest.Status.CANCELLED:
        return cancel(request)
    if status == InvoiceRequest.Status.MAILING:
        return mail(request, vendor_user)
    if status == InvoiceRequest.Status.VOIDED:
        mailed = mail(request, vendor_user)
        ticket = ticket_open(
            actor=mailed.submitted_by,
            customer_account=mailed.customer_account,
            subject="Please void this invoice",
            body="The invoice came back.",
            invoice_request_id=mailed.pk,
        )
        return invoice_request_void(actor=void_staff_user(), ticket_id=ticket.pk, reason="Returned by the customer")
    raise ValueError(f"unknown status {status!r}")


def void_staff_user():
    """A marketplace staff member with the permission to void invoices."""
    staff = StaffUserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="void_invoicerequest"))
    return User.objects.get(pk=staff.pk)  # fresh: the permission cache is empty


def run_together(fn: Callable[[int], object], n: int, *, timeout: float = 60) -> list[object]:
    """Run `fn(index)` in `n` threads released at once by a Barrier; return each result in order.

    A result is `fn`'s return value, `(code, fields)` of the ApplicationError it raised, or the text of any other
    error (a database error or deadlock must show up in the assertions). Each thread closes its own database
    connection, so none stays open for the test database's teardown. A thread still running after `timeout`
    seconds fails the test.
    """
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = fn(index)
        except ApplicationError as error:
            results[index] = (error.code, error.fields)
        except Exception as error:  # noqa: BLE001 - reported in the results, asserted by the test
            results[index] = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,), name=f"run_together-{index}") for index in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"threads still running after {timeout} s (deadlock?): {stuck}"
    return results


def assert_error(response, status: int, code: str, message: str | None = None, fields: dict | None = None) -> dict:
    """Every API error answers `{"code", "message", "fields"}`; check the values we expect."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code, body
    if message is not None:
        assert body["message"] == message, body
    if fields is not None:
        assert body["fields"] == fields, body
    return body


def api_client(user=None, *, language: str = "en") -> APIClient:
    """An API client with `user`'s token (anonymous without a user), asking for `language` so tests read messages."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def page_client(user=None, *, language: str = "en") -> Client:
    """A Django test client logged in as `user` (anonymous without a user), asking for pages in `language`."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def clear_token_throttle(address: str = "127.0.0.1") -> None:
    """Forget the token endpoint's request count for `address` (the test client's) on the shared cache."""
    cache.delete(AuthTokenThrottle.cache_format % {"scope": AuthTokenThrottle.scope, "ident": address})


# --- notifications (apps/notifications) ------------------------------------------------------------------------------

VENDOR_NOTIFICATION_KINDS = {"submitted", "cancelled"}


def record_queued_notifications(monkeypatch) -> dict[str, list[tuple]]:
    """E-mail deliveries handed to the broker after a commit, recorded instead of sent (one dict for every thread):
    `{"vendor": [(request_id,), ...], "customer": [...]}`, one entry per queued delivery, by whom it addresses."""
    from apps.notifications.models import Notification
    from apps.notifications.tasks import deliver_notifications_task

    calls: dict[str, list[tuple]] = {"vendor": [], "customer": []}

    def record(args=None, kwargs=None, **options) -> None:
        rows = Notification.objects.filter(pk__in=args[0]).values_list("kind", "invoice_request_id").distinct()
        for kind, request_id in rows:
            calls["vendor" if kind in VENDOR_NOTIFICATION_KINDS else "customer"].append((request_id,))

    monkeypatch.setattr(deliver_notifications_task, "apply_async", record)
    return calls


def send_notification_emails(*, to: str = "") -> int:
    """What the worker does for the queued deliveries (and the outbox drain): e-mail the pending notifications, all
    of them or only those addressing `to` ("vendor" or "customer"). Returns how many e-mails were sent."""
    from apps.notifications.models import Notification
    from apps.notifications.services import notifications_deliver

    if not to:
        return notifications_deliver()
    pending = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
    if to == "vendor":
        pending = pending.filter(kind__in=VENDOR_NOTIFICATION_KINDS)
    else:
        pending = pending.exclude(kind__in=VENDOR_NOTIFICATION_KINDS)
    return notifications_deliver(ids=list(pending.values_list("pk", flat=True)))
