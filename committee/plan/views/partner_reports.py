"""Partner reports: the partners' side (/espace/plan/) and the officials' inbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.http import form_post, plan_roles
from committee.plan import forms as f
from committee.plan import selectors as plan_selectors
from committee.plan.models import (
    Action,
    PartnerReport,
)
from committee.plan.services import indicators as indicator_services
from committee.plan.services import partner_reports as partner_report_services
from members.permissions import Perm, require


@login_required
@require_GET
def reports_inbox(request):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    status = request.GET.get("etat", PartnerReport.Status.SUBMITTED)
    if status not in PartnerReport.Status.values and status != "tous":
        status = PartnerReport.Status.SUBMITTED
    return render(
        request,
        "plan_admin/reports.html",
        {
            "reports": plan_selectors.reports_inbox(None if status == "tous" else status),
            "status": status,
            "statuses": PartnerReport.Status.choices,
            "counts": plan_selectors.report_counts(),
        },
    )


def _report_page(request, pk: int, *, form=None, status=200):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    try:
        report = plan_selectors.report_for_official(pk)
    except PartnerReport.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "plan_admin/report_detail.html",
        {"report": report, "form": form or f.ReportDecisionForm(), **plan_roles(request.user)},
        status=status,
    )


@login_required
@require_GET
def report_detail(request, pk: int):
    return _report_page(request, pk)


@login_required
@require_POST
def report_decide(request, pk: int):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    report = get_object_or_404(PartnerReport, pk=pk)
    form = f.ReportDecisionForm(request.POST)
    decisions = {
        "accept": (
            partner_report_services.partner_report_accept,
            _("Le compte rendu est accepté : le plan d'action en tient compte."),
        ),
        "return": (
            partner_report_services.partner_report_return,
            _("Le compte rendu est renvoyé au partenaire."),
        ),
    }
    decide, told = decisions.get(request.POST.get("decision"), (None, None))

    def write(data):
        if decide is None:
            raise ValidationError(_("Choisissez d'accepter ou de renvoyer le compte rendu."))
        decide(report=report, by=request.user, comment=data["comment"])

    return form_post(
        request,
        form,
        write,
        success=told,
        then="plan_admin:reports",
        failed=lambda: _report_page(request, pk, form=form, status=400),
    )


@login_required
@require_GET
def partner_index(request):
    require(request.user, Perm.PLAN_REPORT)
    indicator_services.plan_refresh_if_stale()
    return render(
        request,
        "plan_admin/partner/index.html",
        {
            "actions": plan_selectors.actions_led_by(request.user),
            "reports": plan_selectors.reports_of_partner(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_report_new(request, pk: int):
    action = get_object_or_404(Action.objects.prefetch_related("lead_partners"), pk=pk)
    require(
        request.user,
        Perm.PLAN_REPORT,
        action,
        message=_("Votre association ne pilote pas cette action."),
    )
    organisations = partner_report_services.reporting_organisations(request.user, action)
    form = f.PartnerReportForm(request.POST or None, action=action, organisations=organisations)

    def page():
        return render(
            request,
            "plan_admin/partner/report_form.html",
            {"form": form, "action": action},
            status=400 if form.errors else 200,
        )

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda c: partner_report_services.partner_report_submit(
            action=action,
            by=request.user,
            organisation=c["organisation"],
            account=c["account"],
            milestone=c["milestone"],
            reached_on=c["reached_on"],
            indicator=c["indicator"],
            indicator_value=c["indicator_value"],
            initiatives=c["initiatives"],
        ),
        success=_(
            "Votre compte rendu est transmis. Le plan d'action public en tiendra compte "
            "une fois qu'il aura été accepté."
        ),
        then="plan_partner:index",
        failed=page,
    )


@login_required
@require_GET
def partner_report_detail(request, pk: int):
    require(request.user, Perm.PLAN_REPORT)
    report = plan_selectors.report_for_partner(request.user, pk)
    if report is None:
        raise Http404
    return render(request, "plan_admin/partner/report_detail.html", {"report": report})
