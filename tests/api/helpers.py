from decimal import Decimal

from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_submit

ERROR_KEYS = {"code", "message", "fields"}


def submit(user, vendor, amount: str = "100.00") -> InvoiceRequest:
    """Submit through the real service with the account's default title and address."""
    account = user.customer_account
    request, _created = invoice_request_submit(
        actor=user,
        customer_account=account,
        vendor_id=vendor.pk,
        amount=Decimal(amount),
        title_id=account.titles.get(is_default=True).pk,
        address_id=account.addresses.get(is_default=True).pk,
    )
    return request


def assert_error(response, status: int, code: str, message: str | None = None, fields: dict | None = None) -> dict:
    """Every error answers `{"code", "message", "fields"}`; check the values we expect."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code, body
    if message is not None:
        assert body["message"] == message, body
    if fields is not None:
        assert body["fields"] == fields, body
    return body
