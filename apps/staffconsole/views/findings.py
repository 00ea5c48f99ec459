"""Findings of the nightly audit (shipping-payer rule, balances vs. requests) for staff to acknowledge."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView

from apps.core.errors import ApplicationError, NotFoundError
from apps.core.paging import ForgivingPaginationMixin
from apps.invoices.models import AuditFinding
from apps.invoices.sla import audit_finding_acknowledge

from ..selectors import FINDING_STATES, FINDINGS_OPEN, audit_finding_counts, audit_findings_for_staff
from .mixins import StaffRequiredMixin


class AuditFindingListView(StaffRequiredMixin, ForgivingPaginationMixin, ListView):
    template_name = "staffconsole/finding_list.html"
    context_object_name = "findings"
    paginate_by = 50

    def get_queryset(self):
        state = self.request.GET.get("state")
        self.state = state if state in FINDING_STATES else FINDINGS_OPEN
        return audit_findings_for_staff(state=self.state)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["state"] = self.state
        context["counts"] = audit_finding_counts()
        return context


class AuditFindingAcknowledgeView(StaffRequiredMixin, TemplateView):
    """GET: what is acknowledged (confirmation). POST: acknowledge it."""

    template_name = "staffconsole/finding_acknowledge.html"

    def get_finding(self) -> AuditFinding:
        finding = audit_findings_for_staff(state="all").filter(pk=self.kwargs["pk"]).first()
        if finding is None:
            raise Http404(_("Not found."))
        return finding

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["finding"] = self.get_finding()
        return context

    def post(self, request, pk: int):
        try:
            audit_finding_acknowledge(actor=request.user, finding_id=pk)
        except NotFoundError as error:
            raise Http404(str(error.message)) from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("staffconsole:findings")
        messages.success(
            request,
            _(
                "Finding acknowledged: it moves to the Acknowledged tab with your name and the time. "
                "Correct the data in the administration if needed; the nightly audit checks it again."
            ),
        )
        return redirect("staffconsole:findings")
