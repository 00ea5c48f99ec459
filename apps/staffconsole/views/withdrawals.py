"""Withdrawals (提现) for marketplace staff: the queue by status, pay (after the bank transfer) or reject with a
reason (the amount goes back to the customer's refund balance). Writes go through rm's withdrawal services."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from apps.console.views.mixins import add_service_errors
from apps.core.errors import ApplicationError, NotFoundError
from apps.refunds.models import Withdrawal
from apps.refunds.selectors import withdrawals_for_staff
from apps.refunds.services.withdrawals import withdrawal_pay, withdrawal_reject

from ..forms import WITHDRAWAL_STATUSES, WithdrawalRejectForm
from .mixins import StaffRequiredMixin


def withdrawal_or_404(pk: int) -> Withdrawal:
    withdrawal = withdrawals_for_staff().filter(pk=pk).first()
    if withdrawal is None:
        raise Http404(_("Not found."))
    return withdrawal


class WithdrawalListView(StaffRequiredMixin, ListView):
    """Requested withdrawals first (oldest waiting longest on top), then paid or rejected ones by tab."""

    template_name = "staffconsole/withdrawal_list.html"
    context_object_name = "withdrawals"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status")
        self.status = status if status in WITHDRAWAL_STATUSES else "requested"
        rows = withdrawals_for_staff(status=None if self.status == "all" else self.status)
        if self.status == "requested":
            rows = rows.order_by("created_at", "id")
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.status
        return context


class WithdrawalPayView(StaffRequiredMixin, TemplateView):
    """GET: confirmation with the bank details to transfer to. POST: mark it paid."""

    template_name = "staffconsole/withdrawal_pay.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["withdrawal"] = withdrawal_or_404(self.kwargs["pk"])
        return context

    def post(self, request, pk: int):
        try:
            withdrawal = withdrawal_pay(actor=request.user, withdrawal_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staffconsole:withdrawals")
        messages.success(
            request,
            _("Withdrawal %(number)s marked paid: the customer is notified.") % {"number": f"W{withdrawal.pk}"},
        )
        return redirect("staffconsole:withdrawals")


class WithdrawalRejectView(StaffRequiredMixin, FormView):
    """GET: the reason form. POST: reject; the amount goes back to the customer's refund balance."""

    template_name = "staffconsole/withdrawal_reject.html"
    form_class = WithdrawalRejectForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["withdrawal"] = withdrawal_or_404(self.kwargs["pk"])
        return context

    def form_valid(self, form):
        pk = self.kwargs["pk"]
        try:
            withdrawal = withdrawal_reject(
                actor=self.request.user, withdrawal_id=pk, reason=form.cleaned_data["reason"]
            )
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Withdrawal %(number)s rejected: the amount is back in the customer's refund balance.")
            % {"number": f"W{withdrawal.pk}"},
        )
        return redirect("staffconsole:withdrawals")
