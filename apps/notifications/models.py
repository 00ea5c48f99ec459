from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user about one event: the bell's list and, at once, the e-mail outbox.

    Written in the same transaction as the change it reports, so nothing is lost when the broker is down; the
    e-mail goes out from `email_status = pending` rows (a task queued on commit, and a periodic drain that catches
    whatever that task missed). `(recipient, event_key)` is unique: a retried task or a second sweep cannot notify
    anyone twice about the same event. The text is rendered from `kind` + `params` in the recipient's language when
    shown or mailed, never stored translated.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("New invoice request")
        ACCEPTED = "accepted", _("Request accepted")
        REJECTED = "rejected", _("Request rejected")
        MAILED = "mailed", _("Invoice mailed")
        CANCELLED = "cancelled", _("Request cancelled")
        AT_RISK = "at_risk", _("Mail-by date is close")
        BREACHED = "breached", _("Mail-by date missed")
        ESCALATED = "escalated", _("Vendor missed a mail-by date")
        DUE_DATE_CHANGED = "due_date_changed", _("Mail-by date changed")
        AUDIT_FINDING = "audit_finding", _("Audit finding")
        # Refunds, invoice returns, support tickets, voiding and withdrawals (apps.refunds).
        REFUND_REQUESTED = "refund_requested", _("Refund requested")
        REFUND_APPROVED = "refund_approved", _("Refund approved")
        REFUND_REJECTED = "refund_rejected", _("Refund rejected")
        RETURN_REQUESTED = "return_requested", _("Invoice return requested")
        RETURN_AGREED = "return_agreed", _("Invoice return agreed")
        RETURN_DECLINED = "return_declined", _("Invoice return declined")
        RETURN_SHIPPED = "return_shipped", _("Returned invoice sent back")
        RETURN_RECEIVED = "return_received", _("Returned invoice received")
        TICKET_OPENED = "ticket_opened", _("Support ticket opened")
        TICKET_REPLIED = "ticket_replied", _("Support ticket reply")
        TICKET_RESOLVED = "ticket_resolved", _("Support ticket resolved")
        VOIDED = "voided", _("Invoice voided")
        WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested")
        WITHDRAWAL_PAID = "withdrawal_paid", _("Withdrawal paid")
        WITHDRAWAL_REJECTED = "withdrawal_rejected", _("Withdrawal rejected")

    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("To send")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent (no e-mail address)")
        FAILED = "failed", _("Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event_key = models.CharField(_("event"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    invoice_request = models.ForeignKey(
        "invoices.InvoiceRequest",
        verbose_name=_("invoice request"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [
            # The bell: a user's unread count and latest notifications.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # The outbox drain: only rows still to be e-mailed.
            models.Index(fields=["id"], condition=Q(email_status="pending"), name="notification_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.kind} {self.event_key}"
