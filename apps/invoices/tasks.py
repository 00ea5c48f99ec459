from celery import shared_task
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.money import format_cny

from .models import InvoiceRequest


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_vendor_request_submitted(request_id: int) -> bool:
    """Tell the vendor by email that a new request waits for it (runs after the submit commits)."""
    invoice_request = InvoiceRequest.objects.select_related("vendor").filter(pk=request_id).first()
    if invoice_request is None or not invoice_request.vendor.contact_email:
        return False
    with translation.override("zh-hans"):
        subject = _("New invoice request %(number)s") % {"number": invoice_request.number}
        body = _("A customer applied for a paper invoice of %(amount)s (%(title)s). Please mail it by %(due)s.") % {
            "amount": format_cny(invoice_request.amount),
            "title": invoice_request.title_snapshot.get("name", ""),
            "due": invoice_request.dispatch_due_date,
        }
        # The shipping rule in the same words as the queue and the detail page (寄付 / 可到付).
        body += "\n" + _("Shipping rule: %(rule)s") % {"rule": invoice_request.get_shipping_rule_display()}
    send_mail(subject, body, None, [invoice_request.vendor.contact_email])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_customer_request_changed(request_id: int) -> bool:
    """Tell the customer account's users that the vendor accepted, rejected or mailed a request.

    Everyone of the account with an e-mail address hears of it (not only who applied: a colleague may follow up).
    """
    invoice_request = InvoiceRequest.objects.select_related("vendor").filter(pk=request_id).first()
    if invoice_request is None:
        return False
    recipients = list(
        User.objects.filter(customer_account_id=invoice_request.customer_account_id, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return False
    with translation.override("zh-hans"):
        subject = _("Invoice request %(number)s: %(status)s") % {
            "number": invoice_request.number,
            "status": invoice_request.get_status_display(),
        }
        lines = [subject, _("Vendor: %(vendor)s") % {"vendor": invoice_request.vendor.name}]
        if invoice_request.status_reason:
            lines.append(_("Reason: %(reason)s") % {"reason": invoice_request.status_reason})
        if invoice_request.tracking_number:
            lines.append(
                _("Courier: %(courier)s, tracking number %(tracking)s")
                % {"courier": invoice_request.get_courier_label(), "tracking": invoice_request.tracking_number}
            )
        if invoice_request.shipping_payer:
            # The payer in the same words as the request's page (服务商付费 / 到付): cash on delivery costs them.
            lines.append(_("Shipping paid by: %(payer)s") % {"payer": invoice_request.get_shipping_payer_display()})
    send_mail(subject, "\n".join(lines), None, recipients)
    return True
