"""Pages of the action plan: its management by the secretariat and the officials
(/pilotage/plan/), and the lead partners' reports (/espace/plan/).

Who sees what (members.permissions.can decides; the services check again):
- officials, reviewers and secretariat (PLAN_VIEW_INTERNAL): the internal plan, its export,
  the partners' reports (accept / send back), the reviews (assess each action, compare);
- the secretariat (PLAN_MANAGE, CONTRIBUTION_MANAGE): edits the plan, imports it, opens and
  closes reviews, manages the policy contributions;
- lead partners' staff (PLAN_REPORT): report on the actions their association leads.
Anonymous visitors are sent to the login page; anyone else without the right gets 403.
Every change is a POST.
"""

from __future__ import annotations

import contextlib
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee import forms_plan as f
from committee import plan_io, plan_selectors, plan_services
from committee.models import (
    Action,
    ActionAssessment,
    Contribution,
    ContributionDocument,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)
from initiatives.documents import SizeLimitUploadHandler, file_download
from initiatives.models import Initiative
from members.permissions import Action as Can
from members.permissions import can


def _require(user, permission: Can, obj=None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(_("Vous n'avez pas accès à cette page."))


def _apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (on the fields it names, if they exist)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _roles(user) -> dict:
    return {
        "may_manage": can(user, Can.PLAN_MANAGE),
        "may_view": can(user, Can.PLAN_VIEW_INTERNAL),
        "may_manage_contributions": can(user, Can.CONTRIBUTION_MANAGE),
    }


# == the internal plan ==========================================================================


@login_required
@require_GET
def plan_index(request):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    plan_services.plan_refresh_if_stale()
    open_review = PlanReview.objects.filter(status=PlanReview.Status.OPEN).first()
    return render(
        request,
        "plan_admin/index.html",
        {
            "axes": plan_selectors.internal_plan(),
            "report_counts": plan_selectors.report_counts(),
            "open_review": open_review,
            **_roles(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    _require(request.user, Can.PLAN_MANAGE)
    form = f.ActionForm(request.POST or None, initial={"status": Action.Status.PLANNED})
    if request.method == "POST" and form.is_valid():
        try:
            action = plan_services.action_create(by=request.user, data=form.to_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("L'action %(code)s est créée.") % {"code": action.code})
            return redirect("plan_admin:action", pk=action.pk)
    return render(request, "plan_admin/action_form.html", {"form": form, "action": None})


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int):
    _require(request.user, Can.PLAN_MANAGE)
    action = get_object_or_404(Action.objects.prefetch_related("lead_partners"), pk=pk)
    form = f.ActionForm.for_action(action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = plan_services.action_update(
                action=action, by=request.user, data=form.to_data()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if changed:
                messages.success(request, _("L'action est enregistrée."))
            else:
                messages.info(request, _("Aucune modification."))
            return redirect("plan_admin:action", pk=action.pk)
    return render(request, "plan_admin/action_form.html", {"form": form, "action": action})


def _action_page(request, pk: int, *, status=200, **forms):
    """The action's page, with empty forms unless bound ones are given (errors shown)."""
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    plan_services.plan_refresh_if_stale()
    try:
        action = plan_selectors.action_page(pk)
    except Action.DoesNotExist:
        raise Http404 from None
    query = request.GET.get("q", "")
    context = {
        "action": action,
        "milestone_form": forms.get("milestone_form") or f.MilestoneForm(prefix="jalon"),
        "indicator_form": forms.get("indicator_form") or f.IndicatorForm(prefix="indicateur"),
        "note_form": forms.get("note_form") or f.NoteForm(prefix="note"),
        "form_errors": forms.get("form_errors"),
        "evidence_query": query,
        "evidence_choices": plan_selectors.published_evidence_choices(action, query),
        **_roles(request.user),
    }
    return render(request, "plan_admin/action_detail.html", context, status=status)


@login_required
@require_GET
def action_detail(request, pk: int):
    return _action_page(request, pk)


def _managed_action(request, pk: int) -> Action:
    _require(request.user, Can.PLAN_MANAGE)
    return get_object_or_404(Action, pk=pk)


def _back(action: Action, anchor: str = ""):
    return redirect(reverse("plan_admin:action", kwargs={"pk": action.pk}) + anchor)


@login_required
@require_POST
def milestone_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.MilestoneForm(request.POST, prefix="jalon")
    if form.is_valid():
        try:
            plan_services.milestone_add(
                action=action,
                by=request.user,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Le jalon est ajouté."))
            return _back(action, "#jalons")
    return _action_page(request, pk, milestone_form=form)


def _milestone(action: Action, milestone_pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=milestone_pk, action=action)


@login_required
@require_POST
def milestone_edit(request, pk: int, milestone_pk: int):
    action = _managed_action(request, pk)
    milestone = _milestone(action, milestone_pk)
    form = f.MilestoneForm(request.POST, prefix=f"jalon-{milestone.pk}")
    if form.is_valid():
        try:
            plan_services.milestone_update(
                milestone=milestone,
                by=request.user,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Le jalon est enregistré."))
            return _back(action, "#jalons")
    return _action_page(request, pk, form_errors=form, status=400)


@login_required
@require_POST
def milestone_reach(request, pk: int, milestone_pk: int):
    action = _managed_action(request, pk)
    milestone = _milestone(action, milestone_pk)
    form = f.MilestoneReachForm(request.POST, prefix=f"atteint-{milestone.pk}")
    if form.is_valid():
        try:
            plan_services.milestone_reach(
                milestone=milestone, by=request.user, reached_on=form.cleaned_data["reached_on"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Le jalon est enregistré ; l'avancement est recalculé."))
            return _back(action, "#jalons")
    return _action_page(request, pk, form_errors=form, status=400)


@login_required
@require_POST
def indicator_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.IndicatorForm(request.POST, prefix="indicateur")
    if form.is_valid():
        try:
            plan_services.indicator_create(action=action, by=request.user, data=form.to_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("L'indicateur est ajouté."))
            return _back(action, "#indicateurs")
    return _action_page(request, pk, indicator_form=form)


def _indicator(action: Action, indicator_pk: int) -> Indicator:
    return get_object_or_404(Indicator, pk=indicator_pk, action=action)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, indicator_pk: int):
    action = _managed_action(request, pk)
    indicator = _indicator(action, indicator_pk)
    form = f.IndicatorForm.for_indicator(indicator, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.indicator_update(
                indicator=indicator, by=request.user, data=form.to_data()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("L'indicateur est enregistré."))
            return _back(action, "#indicateurs")
    return render(
        request,
        "plan_admin/indicator_form.html",
        {"form": form, "action": action, "indicator": indicator},
    )


@login_required
@require_POST
def indicator_value(request, pk: int, indicator_pk: int):
    action = _managed_action(request, pk)
    indicator = _indicator(action, indicator_pk)
    form = f.IndicatorValueForm(request.POST, prefix=f"valeur-{indicator.pk}")
    if form.is_valid():
        try:
            plan_services.indicator_set(
                indicator=indicator, by=request.user, value=form.cleaned_data["value"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("La valeur est enregistrée ; l'avancement est recalculé."))
            return _back(action, "#indicateurs")
    return _action_page(request, pk, form_errors=form, status=400)


@login_required
@require_POST
def evidence_link(request, pk: int):
    action = _managed_action(request, pk)
    form = f.EvidenceForm(request.POST)
    if form.is_valid():
        try:
            linked = plan_services.evidence_link(
                action=action, initiative=form.cleaned_data["initiative"], by=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if linked:
                messages.success(request, _("L'initiative est liée à l'action."))
            else:
                messages.info(request, _("Cette initiative était déjà liée à l'action."))
            return _back(action, "#preuves")
    return _action_page(request, pk, form_errors=form, status=400)


@login_required
@require_POST
def evidence_unlink(request, pk: int, initiative_pk: int):
    action = _managed_action(request, pk)
    initiative = get_object_or_404(Initiative, pk=initiative_pk)
    if plan_services.evidence_unlink(action=action, initiative=initiative, by=request.user):
        messages.success(request, _("L'initiative est retirée des preuves."))
    return _back(action, "#preuves")


@login_required
@require_POST
def note_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            plan_services.action_note_add(
                action=action, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("La note est ajoutée au journal."))
            return _back(action, "#journal")
    return _action_page(request, pk, note_form=form)


# == import / export ============================================================================


@login_required
@require_GET
def plan_export(request):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    out = io.BytesIO()
    plan_io.plan_export(out)
    response = HttpResponse(out.getvalue(), content_type=plan_io.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{plan_io.export_filename()}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request):
    _require(request.user, Can.PLAN_MANAGE)
    form = f.ImportForm(request.POST or None, request.FILES or None)
    errors, result = None, None
    if request.method == "POST" and form.is_valid():
        try:
            result = plan_io.plan_import(upload=form.cleaned_data["file"], by=request.user)
        except plan_io.ImportRefused as refused:
            errors = refused.errors
        else:
            if result.changed:
                messages.success(
                    request,
                    _(
                        "Import réussi : %(created)s action(s) créée(s), %(updated)s modifiée(s), "
                        "%(unchanged)s inchangée(s) ; %(mc)s jalon(s) créé(s), %(mu)s modifié(s)."
                    )
                    % {
                        "created": len(result.created),
                        "updated": len(result.updated),
                        "unchanged": len(result.unchanged),
                        "mc": result.milestones_created,
                        "mu": result.milestones_updated,
                    },
                )
            else:
                messages.info(request, _("Import réussi : le fichier ne change rien au plan."))
            return redirect("plan_admin:index")
    return render(
        request,
        "plan_admin/import.html",
        {
            "form": form,
            "errors": errors,
            "columns": plan_io.ACTION_COLUMNS,
            "milestone_columns": plan_io.MILESTONE_COLUMNS,
        },
        status=400 if errors else 200,
    )


# == partner reports, officials' side ==========================================================


@login_required
@require_GET
def reports_inbox(request):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
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
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    try:
        report = plan_selectors.report_for_official(pk)
    except PartnerReport.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "plan_admin/report_detail.html",
        {"report": report, "form": form or f.ReportDecisionForm(), **_roles(request.user)},
        status=status,
    )


@login_required
@require_GET
def report_detail(request, pk: int):
    return _report_page(request, pk)


@login_required
@require_POST
def report_decide(request, pk: int):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    report = get_object_or_404(PartnerReport, pk=pk)
    form = f.ReportDecisionForm(request.POST)
    decision = request.POST.get("decision")
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if decision == "accept":
                plan_services.partner_report_accept(report=report, by=request.user, comment=comment)
                messages.success(
                    request, _("Le compte rendu est accepté : le plan d'action en tient compte.")
                )
            elif decision == "return":
                plan_services.partner_report_return(report=report, by=request.user, comment=comment)
                messages.success(request, _("Le compte rendu est renvoyé au partenaire."))
            else:
                form.add_error(None, _("Choisissez d'accepter ou de renvoyer le compte rendu."))
        except ValidationError as error:
            _apply_errors(form, error)
        if not form.errors:
            return redirect("plan_admin:reports")
    return _report_page(request, pk, form=form, status=400)


# == plan reviews ===============================================================================


@login_required
@require_GET
def reviews_index(request):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    return _reviews_page(request)


def _reviews_page(request, *, open_form=None, status=200):
    reviews = list(plan_selectors.reviews())
    compare_form = f.CompareForm(
        initial={"a": reviews[1].pk, "b": reviews[0].pk} if len(reviews) > 1 else None
    )
    return render(
        request,
        "plan_admin/reviews.html",
        {
            "reviews": reviews,
            "open_form": open_form or f.ReviewOpenForm(),
            "compare_form": compare_form,
            "has_open": any(r.status == PlanReview.Status.OPEN for r in reviews),
            **_roles(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def review_open(request):
    _require(request.user, Can.PLAN_MANAGE)
    form = f.ReviewOpenForm(request.POST)
    if form.is_valid():
        try:
            review = plan_services.plan_review_open(
                by=request.user,
                title=form.cleaned_data["title"],
                held_on=form.cleaned_data["held_on"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("La revue est ouverte : l'état du plan est figé à ce jour.")
            )
            return redirect("plan_admin:review", pk=review.pk)
    return _reviews_page(request, open_form=form, status=400)


def _review_page(request, review: PlanReview, *, bound=None, close_form=None, status=200):
    rows = plan_selectors.review_rows(review)
    for row in rows:
        prefix = f"a{row.frozen['id']}"
        if bound is not None and bound.prefix == prefix:
            row.form = bound
        elif row.assessment:
            row.form = f.AssessmentForm(
                prefix=prefix,
                initial={
                    "rating": row.assessment.rating,
                    "comment": row.assessment.comment,
                    "next_step": row.assessment.next_step,
                },
            )
        else:
            row.form = f.AssessmentForm(prefix=prefix)
    assessed = sum(1 for row in rows if row.assessment)
    return render(
        request,
        "plan_admin/review_detail.html",
        {
            "review": review,
            "rows": rows,
            "assessed": assessed,
            "close_form": close_form or f.ReviewCloseForm(),
            "ratings": ActionAssessment.Rating.choices,
            "status_labels": dict(Action.Status.choices),
            **_roles(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def review_detail(request, pk: int):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    return _review_page(request, get_object_or_404(PlanReview, pk=pk))


@login_required
@require_POST
def assessment_set(request, pk: int, action_pk: int):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    review = get_object_or_404(PlanReview, pk=pk)
    action = get_object_or_404(Action, pk=action_pk)
    form = f.AssessmentForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            plan_services.assessment_set(
                review=review, action=action, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L'appréciation de l'action %(code)s est enregistrée.") % {"code": action.code},
            )
            return redirect(
                reverse("plan_admin:review", kwargs={"pk": pk}) + f"#action-{action.pk}"
            )
    return _review_page(request, review, bound=form, status=400)


@login_required
@require_POST
def review_close(request, pk: int):
    _require(request.user, Can.PLAN_MANAGE)
    review = get_object_or_404(PlanReview, pk=pk)
    form = f.ReviewCloseForm(request.POST)
    if form.is_valid():
        try:
            plan_services.plan_review_close(
                review=review, by=request.user, summary=form.cleaned_data["summary"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("La revue est close."))
            return redirect("plan_admin:review", pk=pk)
    return _review_page(request, review, close_form=form, status=400)


@login_required
@require_GET
def reviews_compare(request):
    _require(request.user, Can.PLAN_VIEW_INTERNAL)
    form = f.CompareForm(request.GET or None)
    comparison = None
    if form.is_bound and form.is_valid():
        comparison = plan_services.plan_reviews_compare(
            a=form.cleaned_data["a"], b=form.cleaned_data["b"]
        )
    return render(
        request,
        "plan_admin/review_compare.html",
        {
            "form": form,
            "comparison": comparison,
            "status_labels": dict(Action.Status.choices),
            "rating_labels": dict(ActionAssessment.Rating.choices),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# == policy contributions =======================================================================


@login_required
@require_GET
def contributions_index(request):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    return render(
        request,
        "plan_admin/contributions.html",
        {"contributions": plan_selectors.contributions_for_management()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_create(request):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    form = f.ContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contribution = plan_services.contribution_create(by=request.user, data=form.to_data())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("La contribution est enregistrée comme brouillon."))
            return redirect("plan_admin:contribution", pk=contribution.pk)
    return render(
        request, "plan_admin/contribution_form.html", {"form": form, "contribution": None}
    )


def _contribution_page(request, contribution, *, form=None, document_form=None, status=200):
    return render(
        request,
        "plan_admin/contribution_form.html",
        {
            "contribution": contribution,
            "form": form or f.ContributionForm.for_contribution(contribution),
            "document_form": document_form or f.ContributionDocumentForm(),
            "documents": list(contribution.documents.order_by("uploaded_at", "pk")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request, pk: int):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(
        Contribution.objects.prefetch_related("axes", "organisations"), pk=pk
    )
    if request.method == "GET":
        return _contribution_page(request, contribution)
    form = f.ContributionForm.for_contribution(contribution, request.POST)
    if form.is_valid():
        try:
            plan_services.contribution_update(
                contribution=contribution, by=request.user, data=form.to_data()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("La contribution est enregistrée."))
            return redirect("plan_admin:contribution", pk=pk)
    return _contribution_page(request, contribution, form=form, status=400)


@login_required
@require_POST
def contribution_status(request, pk: int):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(Contribution, pk=pk)
    if request.POST.get("decision") == "publish":
        plan_services.contribution_publish(contribution=contribution, by=request.user)
        messages.success(request, _("La contribution est publiée, avec ses documents."))
    elif request.POST.get("decision") == "unpublish":
        plan_services.contribution_unpublish(contribution=contribution, by=request.user)
        messages.success(request, _("La contribution est retirée de la publication."))
    return redirect("plan_admin:contribution", pk=pk)


@csrf_protect
def _contribution_document_upload(request, pk: int):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(Contribution, pk=pk)
    form = f.ContributionDocumentForm(
        request.POST,
        request.FILES,
        oversized=bool(getattr(request, "oversized_uploads", None)),
    )
    if form.is_valid():
        try:
            document = plan_services.contribution_document_add(
                contribution=contribution,
                by=request.user,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request, _("Le document « %(title)s » est ajouté.") % {"title": document.title}
            )
            return redirect(reverse("plan_admin:contribution", kwargs={"pk": pk}) + "#documents")
    return _contribution_page(request, contribution, document_form=form, status=400)


@csrf_exempt  # checked by _contribution_document_upload once the size limit is in place
@login_required
@require_POST
def contribution_document_upload(request, pk: int):
    """Upload a document; reading stops as soon as the file exceeds the maximum size."""
    with contextlib.suppress(AttributeError):
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _contribution_document_upload(request, pk)


@login_required
@require_POST
def contribution_document_delete(request, pk: int, document_pk: int):
    _require(request.user, Can.CONTRIBUTION_MANAGE)
    document = get_object_or_404(ContributionDocument, pk=document_pk, contribution_id=pk)
    plan_services.contribution_document_delete(document=document, by=request.user)
    messages.success(
        request, _("Le document « %(title)s » est supprimé.") % {"title": document.title}
    )
    return redirect(reverse("plan_admin:contribution", kwargs={"pk": pk}) + "#documents")


@require_GET
def contribution_document(request, slug: str, pk: int):
    """A contribution's document: public once the contribution is published, otherwise for
    the secretariat only (anyone else: 404, nothing revealed)."""
    document = get_object_or_404(
        ContributionDocument.objects.select_related("contribution"),
        pk=pk,
        contribution__slug=slug,
    )
    public = document.is_public
    if not public and not can(request.user, Can.CONTRIBUTION_MANAGE):
        raise Http404
    return file_download(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        public=public,
    )


# == partners: reporting on the actions their association leads ================================


@login_required
@require_GET
def partner_index(request):
    _require(request.user, Can.PLAN_REPORT)
    plan_services.plan_refresh_if_stale()
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
    if not can(request.user, Can.PLAN_REPORT, action):
        raise PermissionDenied(_("Votre association ne pilote pas cette action."))
    organisations = plan_services.reporting_organisations(request.user, action)
    form = f.PartnerReportForm(request.POST or None, action=action, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            plan_services.partner_report_submit(
                action=action,
                by=request.user,
                organisation=c["organisation"],
                account=c["account"],
                milestone=c["milestone"],
                reached_on=c["reached_on"],
                indicator=c["indicator"],
                indicator_value=c["indicator_value"],
                initiatives=c["initiatives"],
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Votre compte rendu est transmis. Le plan d'action public en tiendra compte "
                    "une fois qu'il aura été accepté."
                ),
            )
            return redirect("plan_partner:index")
    return render(
        request,
        "plan_admin/partner/report_form.html",
        {"form": form, "action": action},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def partner_report_detail(request, pk: int):
    _require(request.user, Can.PLAN_REPORT)
    report = plan_selectors.report_for_partner(request.user, pk)
    if report is None:
        raise Http404
    return render(request, "plan_admin/partner/report_detail.html", {"report": report})


# == routes (included by committee/urls.py) =====================================================

management_urls = [
    path("", plan_index, name="index"),
    path("actions/nouvelle/", action_create, name="action_create"),
    path("actions/<int:pk>/", action_detail, name="action"),
    path("actions/<int:pk>/modifier/", action_edit, name="action_edit"),
    path("actions/<int:pk>/jalons/", milestone_add, name="milestone_add"),
    path("actions/<int:pk>/jalons/<int:milestone_pk>/", milestone_edit, name="milestone_edit"),
    path(
        "actions/<int:pk>/jalons/<int:milestone_pk>/atteint/",
        milestone_reach,
        name="milestone_reach",
    ),
    path("actions/<int:pk>/indicateurs/", indicator_add, name="indicator_add"),
    path(
        "actions/<int:pk>/indicateurs/<int:indicator_pk>/",
        indicator_edit,
        name="indicator_edit",
    ),
    path(
        "actions/<int:pk>/indicateurs/<int:indicator_pk>/valeur/",
        indicator_value,
        name="indicator_value",
    ),
    path("actions/<int:pk>/preuves/", evidence_link, name="evidence_link"),
    path(
        "actions/<int:pk>/preuves/<int:initiative_pk>/retirer/",
        evidence_unlink,
        name="evidence_unlink",
    ),
    path("actions/<int:pk>/journal/", note_add, name="note_add"),
    path("export.xlsx", plan_export, name="export"),
    path("import/", plan_import, name="import"),
    path("comptes-rendus/", reports_inbox, name="reports"),
    path("comptes-rendus/<int:pk>/", report_detail, name="report"),
    path("comptes-rendus/<int:pk>/decision/", report_decide, name="report_decide"),
    path("revues/", reviews_index, name="reviews"),
    path("revues/ouvrir/", review_open, name="review_open"),
    path("revues/comparer/", reviews_compare, name="reviews_compare"),
    path("revues/<int:pk>/", review_detail, name="review"),
    path(
        "revues/<int:pk>/actions/<int:action_pk>/",
        assessment_set,
        name="assessment_set",
    ),
    path("revues/<int:pk>/cloturer/", review_close, name="review_close"),
    path("contributions/", contributions_index, name="contributions"),
    path("contributions/nouvelle/", contribution_create, name="contribution_create"),
    path("contributions/<int:pk>/", contribution_edit, name="contribution"),
    path("contributions/<int:pk>/statut/", contribution_status, name="contribution_status"),
    path(
        "contributions/<int:pk>/documents/",
        contribution_document_upload,
        name="contribution_document_upload",
    ),
    path(
        "contributions/<int:pk>/documents/<int:document_pk>/supprimer/",
        contribution_document_delete,
        name="contribution_document_delete",
    ),
]

partner_urls = [
    path("", partner_index, name="index"),
    path("actions/<int:pk>/compte-rendu/", partner_report_new, name="report_new"),
    path("comptes-rendus/<int:pk>/", partner_report_detail, name="report"),
]
