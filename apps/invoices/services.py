"""The lifecycle of an invoice request: check, submit, cancel, accept, reject.

Mailing (processing -> mailing) and the mailing CSV import are in `mailing.py`. Every argument is already typed:
forms and serializers turn text into `int`, `Decimal` and model instances before calling these functions.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from apps.accounts.models import CustomerAccount, InvoiceType, User, Vendor
from apps.addresses.models import MailingAddress
from apps.billing.models import VendorBalance
from apps.billing.selectors import InvoiceableRow, invoiceable_row, invoiceable_row_of
from apps.billing.services import balance_lock
from apps.core.defaults import lock_account
from apps.core.errors import ApplicationError, ConflictError
from apps.core.money import format_cny, parse_amount
from apps.core.scope import get_in_scope_or_not_found
from apps.core.validators import checked_text
from apps.core.workdays import DISPATCH_WORKING_DAYS, DueDate, WorkingCalendar, calendar_date, current_calendar
from apps.notifications.models import Notification
from apps.notifications.services import customer_recipients, notify, vendor_recipients
from apps.titles.models import InvoiceTitle

from .models import STATUS_REASON_MAX_LENGTH, InvoiceEvent, InvoiceRequest
from .selectors import REQUEST_NOT_FOUND_MESSAGE


def dispatch_due_date_for(submitted_at: dt.datetime, *, calendar: WorkingCalendar | None = None) -> DueDate:
    """The date by which the vendor must mail the invoice: the 10th working day after the submission date (in
    Asia/Shanghai), provisional when it was counted over a year no calendar data covers yet."""
    calendar = calendar or current_calendar()
    return calendar.due_date_after(calendar_date(submitted_at), DISPATCH_WORKING_DAYS)


def default_invoice_type(vendor: Vendor) -> str:
    """What an application asks for unless the customer chooses: general when the vendor issues it."""
    types = vendor.supported_invoice_types or []
    return InvoiceType.GENERAL if InvoiceType.GENERAL in types or not types else types[0]


@dataclass(frozen=True)
class CheckedApplication:
    """An application that passed every rule (on submit, against the balance row it holds locked)."""

    vendor: Vendor
    amount: Decimal
    title: InvoiceTitle
    address: MailingAddress
    invoice_type: str


def invoice_request_check(
    *,
    customer_account: CustomerAccount,
    vendor: Vendor | None,
    amount: Decimal,
    title: InvoiceTitle | None,
    address: MailingAddress | None,
    invoice_type: str | None = None,
) -> CheckedApplication:
    """Validate an application without writing anything; the confirmation page and submit both use it.

    `vendor`, `title` and `address` are None when the caller found none by the ID it was given; a title or address
    of another account is refused the same way. The amount is compared with the invoiceable amount here for a
    friendly early message; submit runs the same rules against the balance row it holds locked.
    """
    row = invoiceable_row(customer_account=customer_account, vendor_id=vendor.pk) if vendor is not None else None
    return _checked_application(
        customer_account=customer_account,
        vendor=vendor,
        amount=amount,
        title=title,
        address=address,
        invoice_type=invoice_type,
        row=row,
    )


def _checked_application(
    *,
    customer_account: CustomerAccount,
    vendor: Vendor | None,
    amount: Decimal,
    title: InvoiceTitle | None,
    address: MailingAddress | None,
    invoice_type: str | None,
    row: InvoiceableRow | None,
) -> CheckedApplication:
    """Every rule of an application, given the account's invoiceable row with the vendor (None: no consumption)."""
    errors: dict[str, list[str]] = {}
    if vendor is None:
        errors["vendor"] = [_("Choose a vendor you consumed with.")]
    try:
        # The money module owns the amount rule (at least 0.01, two places) and its messages.
        amount = parse_amount(amount)
    except ApplicationError as error:
        errors.update(error.fields)
        amount = None
    if title is None or title.customer_account_id != customer_account.pk:
        errors["title"] = [_("Choose one of your invoice titles.")]
        title = None
    if address is None or address.customer_account_id != customer_account.pk:
        errors["address"] = [_("Choose one of your mailing addresses.")]
        address = None
    if vendor is not None:
        invoice_type = invoice_type or default_invoice_type(vendor)
        if invoice_type not in InvoiceType.values or invoice_type not in vendor.supported_invoice_types:
            errors["invoice_type"] = [
                _("%(vendor)s issues only: %(types)s.")
                % {"vendor": vendor.name, "types": "、".join(vendor.supported_invoice_type_labels())}
            ]
        elif title is not None and invoice_type == InvoiceType.SPECIAL:
            if title.kind == InvoiceTitle.Kind.INDIVIDUAL:
                errors["title"] = [_("An individual title can only receive a general invoice.")]
            elif not title.has_special_invoice_details:
                errors["title"] = [
                    _(
                        "A VAT special invoice needs the title's registered address, phone, bank and account: "
                        "complete the title first."
                    )
                ]
        if row is None:
            # Nothing was ever consumed with this vendor: the vendor is the mistake, not the amount.
            errors["vendor"] = [_("Choose a vendor you consumed with.")]
        elif amount is not None and "amount" not in errors and amount > row.invoiceable:
            errors["amount"] = [_exceeds_message(row.invoiceable, debt=row.invoice_debt)]
    if errors:
        first = next(iter(errors.values()))[0]
        code = "amount_exceeds_invoiceable" if list(errors) == ["amount"] and amount else "invalid_application"
        raise ApplicationError(code, first, errors)
    return CheckedApplication(vendor=vendor, amount=amount, title=title, address=address, invoice_type=invoice_type)


def _exceeds_message(available: Decimal, *, debt: Decimal = Decimal("0")) -> str:
    if debt > 0:  # a refund left the account owing invoices: say so, not just "at most ¥0.00"
        return _(
            "You owe this vendor invoices worth %(debt)s (a refund lowered what you consumed), so no new application "
            "is possible until that is settled: return or cancel the invoices the invoice debt notice lists."
        ) % {"debt": format_cny(debt)}
    return _("The amount is more than you can invoice with this vendor: at most %(available)s.") % {
        "available": format_cny(available)
    }


@transaction.atomic
def invoice_request_submit(
    *,
    actor: User,
    customer_account: CustomerAccount,
    vendor: Vendor | None,
    amount: Decimal,
    title: InvoiceTitle | None,
    address: MailingAddress | None,
    invoice_type: str | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> tuple[InvoiceRequest, bool]:
    """Record an application. Returns (request, created); repeating an idempotency key returns the first one.

    `now` (the submission time, default the current time) is for tests and imports that pass time in.

    The per-account-per-vendor balance row is locked while the amount is checked and recorded, so no number of
    simultaneous submissions can take the requests above consumed - refunded (a PostgreSQL trigger refuses it too).
    Between the locks and the commit it only writes: the request (its ID reserved by the balance lock's query, so its
    number is written with it), the balance, the timeline's first line and the vendor users' notifications.
    """
    idempotency_key = _checked_idempotency_key(idempotency_key)
    submission = {"vendor": vendor, "amount": amount, "title": title, "address": address, "invoice_type": invoice_type}
    # Every submission of the account takes the account's lock first. Titles and addresses are changed and deleted
    # under it too: one deleted at this moment is either gone before the check (refused next to its field) or deleted
    # after this request commits (and detached from it, SET_NULL), never a foreign-key error at commit (a 500). And
    # two submissions with one idempotency key (a double click, a retried POST, even for two vendors) run one after
    # the other, so the second finds the first, committed, here.
    lock_account(customer_account.pk)
    existing = _existing(customer_account, idempotency_key)
    if existing is not None:
        return _replayed(existing, **submission), False
    title = _as_it_is_now(InvoiceTitle, title, customer_account)
    address = _as_it_is_now(MailingAddress, address, customer_account)
    balance = None
    if vendor is not None:
        # The rules are checked against the locked row itself: what is invoiceable cannot change before the commit.
        balance = balance_lock(
            customer_account_id=customer_account.pk,
            vendor_id=vendor.pk,
            create=False,
            annotations=_reserved_request_id(),
        )
        if balance is not None:
            balance.vendor = vendor
    checked = _checked_application(
        customer_account=customer_account,
        vendor=vendor,
        amount=amount,
        title=title,
        address=address,
        invoice_type=invoice_type,
        row=invoiceable_row_of(balance),
    )

    submitted_at = now or timezone.now()
    due = dispatch_due_date_for(submitted_at)
    reserved_id = getattr(balance, "reserved_request_id", None)
    invoice_request = InvoiceRequest.objects.create(
        pk=reserved_id,
        number=_request_number(submitted_at, reserved_id) if reserved_id else None,
        customer_account=customer_account,
        vendor=checked.vendor,
        submitted_by=actor,
        amount=checked.amount,
        invoice_type=checked.invoice_type,
        title=checked.title,
        address=checked.address,
        title_snapshot=checked.title.snapshot(),
        address_snapshot=checked.address.snapshot(),
        submitted_at=submitted_at,
        dispatch_due_date=due.date,
        dispatch_due_date_provisional=due.provisional,
        idempotency_key=idempotency_key,
    )
    if not reserved_id:  # SQLite (`make run`): the number needs the ID the insert gave
        invoice_request.number = _request_number(submitted_at, invoice_request.pk)
        invoice_request.save(update_fields=["number"])
    balance.invoiced += checked.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=invoice_request, actor=actor, from_status="")
    notify_status_change(invoice_request, new_event=True)
    return invoice_request, True


def _reserved_request_id() -> dict:
    """In PostgreSQL, the next request ID taken from its sequence by the balance lock's query (no query of its own)."""
    if connection.vendor != "postgresql":
        return {}
    table, column = InvoiceRequest._meta.db_table, InvoiceRequest._meta.pk.column
    return {"reserved_request_id": RawSQL("nextval(pg_get_serial_sequence(%s, %s))", [table, column])}


def _request_number(submitted_at: dt.datetime, request_id: int) -> str:
    return f"IR{calendar_date(submitted_at):%Y%m%d}{request_id:06d}"


def _as_it_is_now(model, chosen, customer_account: CustomerAccount):
    """The account's title or address re-read under the account lock: None if deleted meanwhile."""
    if chosen is None:
        return None
    return model.objects.filter(pk=chosen.pk, customer_account=customer_account).first()


IDEMPOTENCY_KEY_MAX_LENGTH = 64  # the model field's max_length


def _checked_idempotency_key(raw: str) -> str:
    """The key as sent (surrounding spaces aside); a longer one is refused, never cut to a key someone else sent."""
    key = (raw or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        message = _("An idempotency key has at most %(limit)d characters.") % {"limit": IDEMPOTENCY_KEY_MAX_LENGTH}
        raise ApplicationError("invalid_idempotency_key", message, {"idempotency_key": [message]})
    return key


def _replayed(
    existing: InvoiceRequest,
    *,
    vendor: Vendor | None,
    amount: Decimal,
    title: InvoiceTitle | None,
    address: MailingAddress | None,
    invoice_type: str | None,
) -> InvoiceRequest:
    """The first request for a repeated idempotency key, if this submission is the same one; otherwise 409."""
    same = (
        existing.vendor_id == (vendor.pk if vendor else None)
        and existing.amount == amount
        and existing.title_id == (title.pk if title else None)
        and existing.address_id == (address.pk if address else None)
        and (not invoice_type or existing.invoice_type == invoice_type)
    )
    if not same:
        raise ConflictError(
            "idempotency_key_reused",
            _(
                "This idempotency key was already used for another application (%(number)s). "
                "Send a new key for a new application."
            )
            % {"number": existing.number},
        )
    return existing


def _existing(customer_account: CustomerAccount, idempotency_key: str) -> InvoiceRequest | None:
    if not idempotency_key:
        return None
    return InvoiceRequest.objects.filter(customer_account=customer_account, idempotency_key=idempotency_key).first()


# --- Cancel and reject: the amount becomes invoiceable again ---------------------------------------------------


def cannot_cancel_message(invoice_request: InvoiceRequest) -> str:
    """Why this request cannot be cancelled (and whom to contact instead): the refusal and the pages' explanation."""
    vendor = invoice_request.vendor
    contact = " / ".join(part for part in [vendor.contact_phone, vendor.contact_email] if part)
    if invoice_request.status in (InvoiceRequest.Status.PROCESSING, InvoiceRequest.Status.MAILING):
        return _(
            "This request is %(status)s, so it can no longer be cancelled here. To have the invoice reissued or "
            "returned, contact %(vendor)s: %(contact)s."
        ) % {"status": invoice_request.get_status_display(), "vendor": vendor.name, "contact": contact or "-"}
    return _("Only a pending request can be cancelled; this one is %(status)s.") % {
        "status": invoice_request.get_status_display()
    }


def _checked_reason(reason: str, *, required_message: str = "") -> str:
    """A cancel or reject reason: the shared text rule with STATUS_REASON_MAX_LENGTH."""
    return checked_text(reason, field="reason", limit=STATUS_REASON_MAX_LENGTH, required_message=required_message)


def _lock_with_balance(
    scope: QuerySet[InvoiceRequest], invoice_request_id: int
) -> tuple[InvoiceRequest, VendorBalance]:
    """Lock the balance row, then the request row: the order submit uses, so the two can never deadlock.

    Only the request row is locked (`of=("self",)`), not the vendor row joined for the messages.
    """
    found = get_in_scope_or_not_found(
        scope.values("customer_account_id", "vendor_id"), invoice_request_id, message=REQUEST_NOT_FOUND_MESSAGE
    )
    balance = balance_lock(customer_account_id=found["customer_account_id"], vendor_id=found["vendor_id"])
    invoice_request = scope.select_for_update(of=("self",)).select_related("vendor").get(pk=invoice_request_id)
    return invoice_request, balance


def _release_and_record(
    *, invoice_request: InvoiceRequest, balance: VendorBalance, actor: User, from_status: str, reason: str
) -> None:
    """The tail of cancel and reject: save the new status with its reason, free the amount, write the timeline."""
    invoice_request.status_reason = reason
    invoice_request.save(update_fields=["status", "status_reason", "updated_at"])
    balance.invoiced -= invoice_request.amount
    balance.save(update_fields=["invoiced", "updated_at"])
    InvoiceEvent.record(request=invoice_request, actor=actor, from_status=from_status, reason=reason)


@transaction.atomic
def invoice_request_cancel(
    *, actor: User, customer_account: CustomerAccount, invoice_request_id: int, reason: str = ""
) -> InvoiceRequest:
    """Cancel a pending request (the customer, or staff for the customer); its amount becomes invoiceable again."""
    reason = _checked_reason(reason)
    invoice_request, balance = _lock_with_balance(
        InvoiceRequest.objects.filter(customer_account=customer_account), invoice_request_id
    )
    if not invoice_request.can_cancel:
        raise ConflictError("cannot_cancel", cannot_cancel_message(invoice_request))
    from_status = invoice_request.status
    invoice_request.cancel()
    _release_and_record(
        invoice_request=invoice_request, balance=balance, actor=actor, from_status=from_status, reason=reason
    )
    notify_status_change(invoice_request)
    return invoice_request


# --- Vendor back-office: accept, reject (mailing is in mailing.py) --------------------------------------------


def vendor_request_for_update(*, vendor: Vendor, invoice_request_id: int) -> InvoiceRequest:
    """One request addressed to the vendor, locked (the vendor row joined for the messages is not)."""
    requests = InvoiceRequest.objects.select_for_update(of=("self",)).select_related("vendor").filter(vendor=vendor)
    return get_in_scope_or_not_found(requests, invoice_request_id, message=REQUEST_NOT_FOUND_MESSAGE)


def not_pending_message(invoice_request: InvoiceRequest) -> str:
    """Why a request cannot be accepted or rejected: the refusal and the back-office pages' explanation."""
    if invoice_request.status == InvoiceRequest.Status.CANCELLED:
        return _(
            "The customer cancelled request %(number)s a moment ago; it can no longer be accepted or rejected."
        ) % {"number": invoice_request.number}
    return _("Request %(number)s is already %(status)s; only a pending request can be accepted or rejected.") % {
        "number": invoice_request.number,
        "status": invoice_request.get_status_display(),
    }


@transaction.atomic
def invoice_request_accept(*, actor: User, vendor: Vendor, invoice_request_id: int) -> InvoiceRequest:
    """pending -> processing. A request the customer cancelled a moment earlier answers a clear conflict."""
    invoice_request = vendor_request_for_update(vendor=vendor, invoice_request_id=invoice_request_id)
    if not can_proceed(invoice_request.accept):
        raise ConflictError("cannot_accept", not_pending_message(invoice_request))
    from_status = invoice_request.status
    invoice_request.accept()
    invoice_request.save(update_fields=["status", "updated_at"])
    InvoiceEvent.record(request=invoice_request, actor=actor, from_status=from_status)
    notify_status_change(invoice_request)
    return invoice_request


@dataclass
class BulkResult:
    accepted: list[InvoiceRequest] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (request id, message)


def invoice_requests_accept_bulk(*, actor: User, vendor: Vendor, invoice_request_ids: list[int]) -> BulkResult:
    """Accept several pending requests; each one on its own, so one that was cancelled meanwhile fails alone."""
    result = BulkResult()
    for invoice_request_id in dict.fromkeys(invoice_request_ids):
        try:
            result.accepted.append(
                invoice_request_accept(actor=actor, vendor=vendor, invoice_request_id=invoice_request_id)
            )
        except ApplicationError as error:
            result.failed.append((invoice_request_id, str(error.message)))
    return result


@transaction.atomic
def invoice_request_reject(*, actor: User, vendor: Vendor, invoice_request_id: int, reason: str) -> InvoiceRequest:
    """pending -> rejected with a reason the customer sees; the amount becomes invoiceable again."""
    reason = _checked_reason(
        reason,
        required_message=_("Tell the customer why the request is rejected, for example that the title is wrong."),
    )
    invoice_request, balance = _lock_with_balance(InvoiceRequest.objects.filter(vendor=vendor), invoice_request_id)
    if not can_proceed(invoice_request.reject):
        raise ConflictError("cannot_reject", not_pending_message(invoice_request))
    from_status = invoice_request.status
    invoice_request.reject()
    _release_and_record(
        invoice_request=invoice_request, balance=balance, actor=actor, from_status=from_status, reason=reason
    )
    notify_status_change(invoice_request)
    return invoice_request


def notify_status_change(invoice_request: InvoiceRequest, *, new_event: bool = False) -> None:
    """Tell the people concerned, in this transaction (the rows are the e-mail outbox): a new request its vendor's
    users, a cancelled one too; accepted, rejected and mailed ones everyone of the customer account.

    `new_event`: the request was created in this transaction, so nobody can have heard of this event yet."""
    kind = {
        InvoiceRequest.Status.PENDING: Notification.Kind.SUBMITTED,
        InvoiceRequest.Status.PROCESSING: Notification.Kind.ACCEPTED,
        InvoiceRequest.Status.REJECTED: Notification.Kind.REJECTED,
        InvoiceRequest.Status.MAILING: Notification.Kind.MAILED,
        InvoiceRequest.Status.CANCELLED: Notification.Kind.CANCELLED,
    }[invoice_request.status]
    if kind in (Notification.Kind.SUBMITTED, Notification.Kind.CANCELLED):
        recipients = vendor_recipients(invoice_request.vendor)
    else:
        recipients = customer_recipients(invoice_request.customer_account)
    notify(
        event_key=f"{kind}:{invoice_request.pk}",
        kind=kind,
        recipients=recipients,
        invoice_request=invoice_request,
        new_event=new_event,
    )
