"""The internal action plan (/pilotage/plan/): actions, milestones, indicators, evidence,
notes, spreadsheet export and import."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.http import form_post, plan_roles
from committee.plan import forms as f
from committee.plan import io as plan_io
from committee.plan import selectors as plan_selectors
from committee.plan.models import (
    Action,
    Indicator,
    Milestone,
    PlanReview,
)
from committee.plan.services import actions as action_services
from committee.plan.services import indicators as indicator_services
from initiatives.models import Initiative
from members.permissions import Perm, require


@login_required
@require_GET
def plan_index(request):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    indicator_services.plan_refresh_if_stale()
    open_review = PlanReview.objects.filter(status=PlanReview.Status.OPEN).first()
    return render(
        request,
        "plan_admin/index.html",
        {
            "axes": plan_selectors.internal_plan(),
            "report_counts": plan_selectors.report_counts(),
            "open_review": open_review,
            **plan_roles(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request):
    require(request.user, Perm.PLAN_MANAGE)
    form = f.ActionForm(request.POST or None, initial={"status": Action.Status.PLANNED})

    def page():
        return render(request, "plan_admin/action_form.html", {"form": form, "action": None})

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda data: action_services.action_create(by=request.user, data=form.to_data()),
        success=lambda action: _("L'action %(code)s est créée.") % {"code": action.code},
        then=lambda action: reverse("plan_admin:action", kwargs={"pk": action.pk}),
        failed=page,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int):
    require(request.user, Perm.PLAN_MANAGE)
    action = get_object_or_404(Action.objects.prefetch_related("lead_partners"), pk=pk)
    form = f.ActionForm.for_action(action, request.POST or None)

    def page():
        return render(request, "plan_admin/action_form.html", {"form": form, "action": action})

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda data: action_services.action_update(
            action=action, by=request.user, data=form.to_data()
        ),
        success=_saved_or_unchanged(_("L'action est enregistrée."), _("Aucune modification.")),
        then=reverse("plan_admin:action", kwargs={"pk": action.pk}),
        failed=page,
    )


def _action_page(request, pk: int, *, status=200, **forms):
    """The action's page, with empty forms unless bound ones are given (errors shown)."""
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    indicator_services.plan_refresh_if_stale()
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
        **plan_roles(request.user),
    }
    return render(request, "plan_admin/action_detail.html", context, status=status)


@login_required
@require_GET
def action_detail(request, pk: int):
    return _action_page(request, pk)


def _managed_action(request, pk: int) -> Action:
    require(request.user, Perm.PLAN_MANAGE)
    return get_object_or_404(Action, pk=pk)


def _back(action: Action, anchor: str = "") -> str:
    return reverse("plan_admin:action", kwargs={"pk": action.pk}) + anchor


def _action_form_post(request, action: Action, form, write, *, success, anchor: str, bound=None):
    """form_post for the forms of an action's page: once written, back to `anchor` of the
    page; otherwise the page again, with the bound form in the place named `bound` (a
    200), or, for the forms of the lists (no `bound`), its errors above the page (a 400)."""

    def failed():
        if bound:
            return _action_page(request, action.pk, **{bound: form})
        return _action_page(request, action.pk, form_errors=form, status=400)

    return form_post(
        request, form, write, success=success, then=_back(action, anchor), failed=failed
    )


def _saved_or_unchanged(saved: str, unchanged: str):
    """The message after a write that tells whether it changed anything."""
    return lambda changed: saved if changed else (messages.INFO, unchanged)


@login_required
@require_POST
def milestone_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.MilestoneForm(request.POST, prefix="jalon")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: action_services.milestone_add(
            action=action, by=request.user, title=data["title"], due_date=data["due_date"]
        ),
        success=_("Le jalon est ajouté."),
        anchor="#jalons",
        bound="milestone_form",
    )


def _milestone(action: Action, milestone_pk: int) -> Milestone:
    return get_object_or_404(Milestone, pk=milestone_pk, action=action)


@login_required
@require_POST
def milestone_edit(request, pk: int, milestone_pk: int):
    action = _managed_action(request, pk)
    milestone = _milestone(action, milestone_pk)
    form = f.MilestoneForm(request.POST, prefix=f"jalon-{milestone.pk}")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: action_services.milestone_update(
            milestone=milestone, by=request.user, title=data["title"], due_date=data["due_date"]
        ),
        success=_("Le jalon est enregistré."),
        anchor="#jalons",
    )


@login_required
@require_POST
def milestone_reach(request, pk: int, milestone_pk: int):
    action = _managed_action(request, pk)
    milestone = _milestone(action, milestone_pk)
    form = f.MilestoneReachForm(request.POST, prefix=f"atteint-{milestone.pk}")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: action_services.milestone_reach(
            milestone=milestone, by=request.user, reached_on=data["reached_on"]
        ),
        success=_("Le jalon est enregistré ; l'avancement est recalculé."),
        anchor="#jalons",
    )


@login_required
@require_POST
def indicator_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.IndicatorForm(request.POST, prefix="indicateur")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: indicator_services.indicator_create(
            action=action, by=request.user, data=form.to_data()
        ),
        success=_("L'indicateur est ajouté."),
        anchor="#indicateurs",
        bound="indicator_form",
    )


def _indicator(action: Action, indicator_pk: int) -> Indicator:
    return get_object_or_404(Indicator, pk=indicator_pk, action=action)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, indicator_pk: int):
    action = _managed_action(request, pk)
    indicator = _indicator(action, indicator_pk)
    form = f.IndicatorForm.for_indicator(indicator, request.POST or None)

    def page():
        return render(
            request,
            "plan_admin/indicator_form.html",
            {"form": form, "action": action, "indicator": indicator},
        )

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda data: indicator_services.indicator_update(
            indicator=indicator, by=request.user, data=form.to_data()
        ),
        success=_("L'indicateur est enregistré."),
        then=_back(action, "#indicateurs"),
        failed=page,
    )


@login_required
@require_POST
def indicator_value(request, pk: int, indicator_pk: int):
    action = _managed_action(request, pk)
    indicator = _indicator(action, indicator_pk)
    form = f.IndicatorValueForm(request.POST, prefix=f"valeur-{indicator.pk}")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: indicator_services.indicator_set(
            indicator=indicator, by=request.user, value=data["value"]
        ),
        success=_("La valeur est enregistrée ; l'avancement est recalculé."),
        anchor="#indicateurs",
    )


@login_required
@require_POST
def evidence_link(request, pk: int):
    action = _managed_action(request, pk)
    form = f.EvidenceForm(request.POST)
    return _action_form_post(
        request,
        action,
        form,
        lambda data: action_services.evidence_link(
            action=action, initiative=data["initiative"], by=request.user
        ),
        success=_saved_or_unchanged(
            _("L'initiative est liée à l'action."),
            _("Cette initiative était déjà liée à l'action."),
        ),
        anchor="#preuves",
    )


@login_required
@require_POST
def evidence_unlink(request, pk: int, initiative_pk: int):
    action = _managed_action(request, pk)
    initiative = get_object_or_404(Initiative, pk=initiative_pk)
    if action_services.evidence_unlink(action=action, initiative=initiative, by=request.user):
        messages.success(request, _("L'initiative est retirée des preuves."))
    return redirect(_back(action, "#preuves"))


@login_required
@require_POST
def note_add(request, pk: int):
    action = _managed_action(request, pk)
    form = f.NoteForm(request.POST, prefix="note")
    return _action_form_post(
        request,
        action,
        form,
        lambda data: action_services.action_note_add(
            action=action, by=request.user, text=data["text"]
        ),
        success=_("La note est ajoutée au journal."),
        anchor="#journal",
        bound="note_form",
    )


@login_required
@require_GET
def plan_export(request):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
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
    require(request.user, Perm.PLAN_MANAGE)
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
                    _import_summary(result),
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


def _import_summary(result) -> str:
    """`Import réussi : 1 action créée, 2 modifiées, 0 inchangée ; 3 jalons créés, 1 modifié.`"""
    created, updated, unchanged = (
        len(result.created),
        len(result.updated),
        len(result.unchanged),
    )
    actions = ", ".join(
        [
            ngettext("%(n)s action créée", "%(n)s actions créées", created) % {"n": created},
            ngettext("%(n)s modifiée", "%(n)s modifiées", updated) % {"n": updated},
            ngettext("%(n)s inchangée", "%(n)s inchangées", unchanged) % {"n": unchanged},
        ]
    )
    milestones_created, milestones_updated = result.milestones_created, result.milestones_updated
    milestones = ", ".join(
        [
            ngettext("%(n)s jalon créé", "%(n)s jalons créés", milestones_created)
            % {"n": milestones_created},
            ngettext("%(n)s modifié", "%(n)s modifiés", milestones_updated)
            % {"n": milestones_updated},
        ]
    )
    return _("Import réussi : %(actions)s ; %(milestones)s.") % {
        "actions": actions,
        "milestones": milestones,
    }
