"""Small helpers shared by the domain tests: submit through the real service, force a later-issue status."""

from decimal import Decimal

from apps.invoices.models import InvoiceRequest
from apps.invoices.services import invoice_request_submit


def submit(user, vendor, amount: str | Decimal = "100.00", **overrides) -> InvoiceRequest:
    """Submit a request as `user` with the account's default title and address."""
    account = user.customer_account
    kwargs = {
        "actor": user,
        "customer_account": account,
        "vendor_id": vendor.pk,
        "amount": amount,
        "title_id": account.titles.get(is_default=True).pk,
        "address_id": account.addresses.get(is_default=True).pk,
        **overrides,
    }
    request, _created = invoice_request_submit(**kwargs)
    return request


def force_status(request: InvoiceRequest, status: str) -> InvoiceRequest:
    """Put a request in a status whose transition comes with a later issue (the field itself is protected)."""
    mailed = {}
    if status in (InvoiceRequest.Status.MAILING, InvoiceRequest.Status.VOIDED):
        # A mailed request always carries its tracking number and shipping payer (a database CHECK).
        mailed = {"courier": "sf", "tracking_number": f"SF{request.pk:010d}", "shipping_payer": "vendor"}
    InvoiceRequest.objects.filter(pk=request.pk).update(status=status, **mailed)
    return InvoiceRequest.objects.get(pk=request.pk)
