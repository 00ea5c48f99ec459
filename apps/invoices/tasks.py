from celery import shared_task
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .models import InvoiceRequest


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_vendor_request_submitted(request_id: int) -> bool:
    """Tell the vendor by email that a new request waits for it (runs after the submit commits)."""
    request = InvoiceRequest.objects.select_related("vendor").filter(pk=request_id).first()
    if request is None or not request.vendor.contact_email:
        return False
    with translation.override("zh-hans"):
        subject = _("New invoice request %(number)s") % {"number": request.number}
        body = _("A customer applied for a paper invoice of ¥%(amount)s (%(title)s). Please mail it by %(due)s.") % {
            "amount": request.amount,
            "title": request.title_snapshot.get("name", ""),
            "due": request.dispatch_due_date,
        }
    send_mail(subject, body, None, [request.vendor.contact_email])
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_customer_request_changed(request_id: int) -> bool:
    """Tell the customer who applied that the vendor accepted, rejected or mailed the request."""
    request = InvoiceRequest.objects.select_related("vendor", "submitted_by").filter(pk=request_id).first()
    if request is None or not request.submitted_by.email:
        return False
    with translation.override("zh-hans"):
        subject = _("Invoice request %(number)s: %(status)s") % {
            "number": request.number,
            "status": request.get_status_display(),
        }
        lines = [subject, _("Vendor: %(vendor)s") % {"vendor": request.vendor.name}]
        if request.status_reason:
            lines.append(_("Reason: %(reason)s") % {"reason": request.status_reason})
        if request.tracking_number:
            lines.append(
                _("Courier: %(courier)s, tracking number %(tracking)s")
                % {"courier": request.get_courier_label(), "tracking": request.tracking_number}
            )
    send_mail(subject, "\n".join(lines), None, [request.submitted_by.email])
    return True
