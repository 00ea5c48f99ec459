"""Refund requests (退款) addressed to the vendor: a queue by status, and one request's page to approve it (with an
optional note) or reject it with a reason. Staff see every vendor's refunds read-only.

The views parse the form and call `apps.refunds.services.refunds`; the service decides (amounts, balance, races) and
its messages are shown next to the fields, or at the top of the page for conflicts.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from apps.console.views.mixins import add_service_errors
from apps.core.errors import ApplicationError, ConflictError, NotFoundError
from apps.core.money import format_cny
from apps.refunds.models import Refund
from apps.refunds.services.refunds import refund_already_decided_error, refund_approve, refund_reject

from ..forms import RefundApproveForm, RefundRejectForm
from ..selectors import refund_counts, refund_for_backoffice, refunds_for_backoffice
from .mixins import BackofficeMixin, VendorRequiredMixin

PAGE_SIZE = 50


class RefundQueueView(BackofficeMixin, TemplateView):
    """Tabs: waiting for the vendor (the default), approved, rejected, all."""

    template_name = "backoffice/refund_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", Refund.Status.REQUESTED)
        if status != "all" and status not in Refund.Status.values:
            status = Refund.Status.REQUESTED
        counts = refund_counts(vendor=self.vendor)
        tabs = [(value, label, counts.get(value, 0)) for value, label in Refund.Status.choices]
        # get_page: a stale or mistyped ?page= (past the end after deciding the last row, 0, text) shows the
        # nearest page, like the request queue.
        page = Paginator(
            refunds_for_backoffice(vendor=self.vendor, status=None if status == "all" else status), PAGE_SIZE
        ).get_page(self.request.GET.get("page"))
        context.update(
            status=status,
            tabs=tabs,
            total_count=sum(counts.values()),
            page_obj=page,
            rows=list(page.object_list),
        )
        return context


class RefundMixin:
    def get_refund(self, pk: int) -> Refund:
        try:
            return refund_for_backoffice(vendor=self.vendor, refund_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error


class RefundDetailView(RefundMixin, BackofficeMixin, View):
    """One refund request: what the customer asked and why; approve or reject it while it is waiting."""

    template_name = "backoffice/refund_detail.html"

    def get(self, request, pk: int):
        return render_refund(request, self.get_refund(pk), read_only=self.read_only)


def render_refund(request, refund: Refund, *, read_only: bool, approve_form=None, reject_form=None, status=200):
    context = {
        "refund": refund,
        "read_only": read_only,
        "can_decide": not read_only and refund.status == Refund.Status.REQUESTED,
        "approve_form": approve_form or RefundApproveForm(),
        "reject_form": reject_form or RefundRejectForm(),
    }
    return render(request, "backoffice/refund_detail.html", context, status=status)


def _already_decided(request, refund: Refund):
    # Decided meanwhile (another tab, a colleague): the page no longer shows the form and its errors, so say so.
    messages.error(request, str(refund_already_decided_error(refund).message))
    return redirect("backoffice:refund_detail", pk=refund.pk)


class _RefundDecisionView(RefundMixin, VendorRequiredMixin, View):
    """Approve or reject: the form, the service and what to say differ; the flow around them is one."""

    http_method_names = ["post"]
    form_class: type = RefundApproveForm
    form_name = "approve_form"

    def decide(self, refund: Refund, reason: str) -> Refund:
        raise NotImplementedError

    def success_message(self, refund: Refund) -> str:
        raise NotImplementedError

    def post(self, request, pk: int):
        refund = self.get_refund(pk)
        if refund.status != Refund.Status.REQUESTED:
            return _already_decided(request, refund)
        form = self.form_class(request.POST)
        if not form.is_valid():
            return render_refund(request, refund, read_only=False, status=400, **{self.form_name: form})
        try:
            refund = self.decide(refund, form.cleaned_data["reason"])
        except ConflictError as error:
            messages.error(request, str(error.message))
            return redirect("backoffice:refund_detail", pk=pk)
        except ApplicationError as error:
            add_service_errors(form, error)
            return render_refund(request, refund, read_only=False, status=400, **{self.form_name: form})
        messages.success(request, self.success_message(refund))
        return redirect("backoffice:refund_detail", pk=pk)


class RefundApproveView(_RefundDecisionView):
    form_class = RefundApproveForm
    form_name = "approve_form"

    def decide(self, refund: Refund, reason: str) -> Refund:
        return refund_approve(actor=self.request.user, vendor=self.vendor, refund_id=refund.pk, reason=reason)

    def success_message(self, refund: Refund) -> str:
        return _("Approved the refund of %(amount)s to %(customer)s. It lowers what they consumed with you.") % {
            "amount": format_cny(refund.amount),
            "customer": refund.customer_account.name,
        }


class RefundRejectView(_RefundDecisionView):
    form_class = RefundRejectForm
    form_name = "reject_form"

    def decide(self, refund: Refund, reason: str) -> Refund:
        return refund_reject(actor=self.request.user, vendor=self.vendor, refund_id=refund.pk, reason=reason)

    def success_message(self, refund: Refund) -> str:
        return _("Rejected the refund of %(amount)s. The customer sees your reason.") % {
            "amount": format_cny(refund.amount)
        }
