"""The officials' review (/instruction/): queue, initiative file, decisions, assignment.

The thread and the history are also reached by the association's own staff. Every view
scopes the initiatives to the user before looking one up (outsiders get 404) and asks
`can()` for the action (members without the right get 403). Decisions carry the status the
official saw: if it has moved since, nothing is decided and the official is told (409).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from initiatives.history import initiative_history
from initiatives.models import Initiative
from initiatives.models import Status as S
from initiatives.review_filters import ReviewQueueFilterSet, queue_queryset
from initiatives.services import (
    COMMENT_MAX_LENGTH,
    comment_post,
    initiative_assign,
    initiative_transition,
    initiatives_bulk_assign,
)
from initiatives.workflow import (
    TRANSITIONS,
    TransitionConflict,
    TransitionError,
    available_transitions,
)
from members.models import User
from members.permissions import (
    Perm,
    actor_for,
    can,
    officials,
    private_scope,
    require,
    review_scope,
)

QUEUE_PAGE_SIZE = 50
CONFLICT_MESSAGE = gettext_lazy(
    "Cette initiative vient d'être modifiée par quelqu'un d'autre : votre décision n'a pas été "
    "enregistrée. Voici son nouvel état ; décidez de nouveau si nécessaire."
)


# --- links ---------------------------------------------------------------------------------


def workspace_path(initiative: Initiative) -> str:
    """The association's private page of the initiative (the workspace)."""
    return reverse("workspace:initiative_detail", kwargs={"pk": initiative.pk})


def _home_path(user, initiative: Initiative) -> str:
    """Where the user follows this initiative: the review or their workspace."""
    actor = actor_for(user)
    if actor.is_official and actor.role_in(initiative.lead_organisation_id) is None:
        return reverse("review:detail", kwargs={"pk": initiative.pk})
    return workspace_path(initiative)


def status_stamp(initiative: Initiative) -> str:
    """When the status last moved: with the status, what a decision form was made from."""
    changed = initiative.status_changed_at
    return changed.isoformat() if changed else ""


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# --- queue -----------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request):
    require(request.user, Perm.REVIEW_QUEUE)
    filterset = ReviewQueueFilterSet(
        request.GET, queryset=queue_queryset(request.user), request=request
    )
    page = Paginator(filterset.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "initiative": initiative,
            "waiting_days": (now - initiative.waiting_since).days,
            "can_assign": can(request.user, Perm.INITIATIVE_ASSIGN, initiative),
        }
        for initiative in page.object_list
    ]
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    newest_first = params.get("sort") == "recente"
    toggled = {k: v for k, v in params.items() if k != "sort"}
    if not newest_first:
        toggled["sort"] = "recente"
    return render(
        request,
        "initiatives/review/queue.html",
        {
            "filterset": filterset,
            "form": filterset.form,
            "page_obj": page,
            "rows": rows,
            "officials": filterset.officials,
            "querystring": urlencode(params),
            "filtered": bool(params),
            "newest_first": newest_first,
            "sort_toggle": urlencode(toggled),
        },
    )


def _posted_ids(values) -> list[int]:
    ids = []
    for value in values:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def _posted_assignee(request):
    """The user named by the form: "me", a user id, or "" for nobody. False if unknown."""
    value = (request.POST.get("assignee") or "").strip()
    if value == "me":
        return request.user
    if value in ("", "none"):
        return None
    try:
        return User.objects.get(pk=int(value))
    except (ValueError, User.DoesNotExist):
        return False


@login_required
@require_POST
def bulk_assign(request):
    require(request.user, Perm.REVIEW_QUEUE)
    default = reverse("review:queue")
    if request.POST.get("me"):
        ids, assignee = _posted_ids([request.POST["me"]]), request.user
    else:
        ids, assignee = _posted_ids(request.POST.getlist("initiatives")), _posted_assignee(request)
    if not ids:
        messages.error(request, _("Cochez au moins une initiative à assigner."))
        return redirect(_safe_next(request, default))
    if assignee is False:
        messages.error(request, _("Choisissez un instructeur dans la liste."))
        return redirect(_safe_next(request, default))
    initiatives = review_scope(request.user).filter(pk__in=ids).select_related("lead_organisation")
    try:
        result = initiatives_bulk_assign(
            initiatives=initiatives, assignee=assignee, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_safe_next(request, default))
    if result.assigned:
        who = _("vous") if assignee == request.user else (str(assignee) if assignee else None)
        n = len(result.assigned)
        if who:
            text = ngettext(
                "%(n)s initiative assignée à %(who)s.",
                "%(n)s initiatives assignées à %(who)s.",
                n,
            ) % {"n": n, "who": who}
        else:
            text = ngettext(
                "%(n)s initiative désormais sans instructeur.",
                "%(n)s initiatives désormais sans instructeur.",
                n,
            ) % {"n": n}
        messages.success(request, text)
    if result.unchanged:
        n = len(result.unchanged)
        messages.info(
            request,
            ngettext("%(n)s initiative l'était déjà.", "%(n)s initiatives l'étaient déjà.", n)
            % {"n": n},
        )
    for initiative, reason in result.refused:
        messages.error(request, f"« {initiative.title} » : {reason}")
    return redirect(_safe_next(request, default))


# --- initiative file -------------------------------------------------------------------------


class DecisionForm(forms.Form):
    """One decision among those the current state and the user's role allow."""

    transition = forms.ChoiceField(
        label=gettext_lazy("Décision"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez une décision.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Commentaire"),
        help_text=gettext_lazy(
            "Obligatoire pour demander des modifications, refuser ou dépublier : "
            "l'association le reçoit."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
    )

    def __init__(self, *args, initiative: Initiative, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.initiative = initiative
        self.allowed = [
            t for t in available_transitions(initiative.status) if can(user, t.action, initiative)
        ]
        self.fields["transition"].choices = [(t.name, t.label) for t in self.allowed]

    def full_clean(self):
        # A decision that does not exist in this state gets the lifecycle's own words
        # rather than Django's "not one of the available choices".
        name = self.data.get("transition") if self.is_bound else None
        transition = TRANSITIONS.get(name or "")
        super().full_clean()
        if transition and "transition" in self._errors:
            initiative = self.initiative
            if initiative.status not in transition.sources:
                message = _(
                    "Impossible de « %(action)s » une initiative au statut « %(status)s »."
                ) % {
                    "action": transition.label.lower(),
                    "status": initiative.get_status_display(),
                }
            else:
                message = _("Vous n'avez pas le droit de prendre cette décision.")
            self._errors["transition"] = self.error_class([message])

    def clean(self):
        cleaned = super().clean()
        transition = TRANSITIONS.get(cleaned.get("transition") or "")
        comment = (cleaned.get("comment") or "").strip()
        cleaned["comment"] = comment
        if transition and transition.comment_required and not comment:
            self.add_error(
                "comment",
                _("Expliquez votre décision « %(action)s » : l'association en a besoin.")
                % {"action": transition.label.lower()},
            )
        return cleaned


def detail_queryset(user):
    return review_scope(user).select_related(
        "lead_organisation", "lead_collectivity", "assignee", "created_by"
    )


def _detail_context(request, initiative: Initiative, *, decision_form=None, assign_error=""):
    user = request.user
    return {
        "initiative": initiative,
        "axes": initiative.axes.all(),
        "territories": initiative.territories.all(),
        "partners": initiative.partners.all(),
        "school_levels": initiative.school_levels.all(),
        "referential_items": initiative.referential_items.select_related("referential"),
        "documents": initiative.documents.all(),
        "status_changes": initiative.status_changes.select_related("by"),
        "comments": initiative.comments.select_related("author", "author_organisation"),
        "can_comment": can(user, Perm.INITIATIVE_COMMENT, initiative),
        "comment_url": reverse("review:comment", kwargs={"pk": initiative.pk}),
        "thread_next": reverse("review:detail", kwargs={"pk": initiative.pk}) + "#discussion",
        "status_stamp": status_stamp(initiative),
        "decision_form": decision_form or DecisionForm(initiative=initiative, user=user),
        "can_assign": can(user, Perm.INITIATIVE_ASSIGN, initiative),
        "officials": officials(),
        "assign_error": assign_error,
        "waiting_since": initiative.submitted_at or initiative.status_changed_at,
        "public_url": initiative.get_absolute_url() if initiative.status == S.PUBLISHED else "",
    }


@login_required
@require_GET
def detail(request, pk):
    require(request.user, Perm.REVIEW_QUEUE)
    initiative = get_object_or_404(detail_queryset(request.user), pk=pk)
    return render(request, "initiatives/review/detail.html", _detail_context(request, initiative))


def _conflict(request, pk, data):
    """Show the initiative as it is now; keep what the official typed."""
    messages.error(request, CONFLICT_MESSAGE)
    initiative = get_object_or_404(detail_queryset(request.user), pk=pk)
    form = DecisionForm(
        initiative=initiative, user=request.user, initial={"comment": data.get("comment", "")}
    )
    context = _detail_context(request, initiative, decision_form=form)
    context["conflict"] = True
    return render(request, "initiatives/review/detail.html", context, status=409)


@login_required
@require_POST
def decide(request, pk):
    require(request.user, Perm.REVIEW_QUEUE)
    initiative = get_object_or_404(detail_queryset(request.user), pk=pk)
    # The form says which state it was made from; a decision on another is never applied.
    stamp = request.POST.get("expected_stamp")
    if request.POST.get("expected_status") != initiative.status or (
        stamp is not None and stamp != status_stamp(initiative)
    ):
        return _conflict(request, pk, request.POST)
    form = DecisionForm(request.POST, initiative=initiative, user=request.user)
    if not form.is_valid():
        context = _detail_context(request, initiative, decision_form=form)
        return render(request, "initiatives/review/detail.html", context, status=400)
    name = form.cleaned_data["transition"]
    try:
        initiative_transition(
            initiative=initiative,
            name=name,
            by=request.user,
            comment=form.cleaned_data["comment"],
        )
    except TransitionConflict:
        return _conflict(request, pk, request.POST)
    except TransitionError as error:
        form.add_error("transition", str(error))
        context = _detail_context(request, initiative, decision_form=form)
        return render(request, "initiatives/review/detail.html", context, status=400)
    messages.success(
        request,
        _("Décision enregistrée : « %(action)s ». L'initiative est désormais « %(status)s ».")
        % {"action": TRANSITIONS[name].label, "status": initiative.get_status_display()},
    )
    return redirect("review:detail", pk=initiative.pk)


@login_required
@require_POST
def assign(request, pk):
    require(request.user, Perm.REVIEW_QUEUE)
    initiative = get_object_or_404(detail_queryset(request.user), pk=pk)
    default = reverse("review:detail", kwargs={"pk": initiative.pk})
    assignee = _posted_assignee(request)
    if assignee is False:
        messages.error(request, _("Choisissez un instructeur dans la liste."))
        return redirect(_safe_next(request, default))
    try:
        changed = initiative_assign(initiative=initiative, assignee=assignee, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_safe_next(request, default))
    if not changed:
        messages.info(request, _("Rien n'a changé : l'assignation était déjà celle-ci."))
    elif assignee is None:
        messages.success(request, _("L'initiative n'a plus d'instructeur assigné."))
    elif assignee == request.user:
        messages.success(request, _("Vous instruisez désormais cette initiative."))
    else:
        messages.success(
            request,
            _("Initiative assignée à %(who)s, qui en est prévenu par courriel.")
            % {"who": assignee},
        )
    return redirect(_safe_next(request, default))


# --- both sides: thread and history ----------------------------------------------------------


@login_required
@require_POST
def comment(request, pk):
    initiative = get_object_or_404(
        private_scope(request.user).select_related("lead_organisation", "assignee", "created_by"),
        pk=pk,
    )
    default = _home_path(request.user, initiative) + "#discussion"
    try:
        comment_post(initiative=initiative, author=request.user, body=request.POST.get("body"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Message envoyé."))
    return HttpResponseRedirect(_safe_next(request, default))


@login_required
@require_GET
def history(request, pk):
    initiative = get_object_or_404(
        private_scope(request.user).select_related("lead_organisation"), pk=pk
    )
    require(request.user, Perm.INITIATIVE_VIEW, initiative)
    return render(
        request,
        "initiatives/history.html",
        {
            "initiative": initiative,
            "entries": initiative_history(initiative),
            "back_url": _home_path(request.user, initiative),
        },
    )
