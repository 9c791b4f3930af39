"""Writing a contribution together (/espace/contributions/): the text by sections, the
amendments with their diff and comments, the versions, the signature round."""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.contributions import drafting as d
from committee.contributions.drafting_models import Amendment, Drafting, Signature, SignatureRound
from committee.contributions.models import Contribution
from committee.sessions.models import Body
from initiatives.markdown import render_markdown
from members.permissions import Perm, actor_for, can, drafting_scope


def _signing_orgs(user, drafting) -> set[int]:
    if drafting.status != Drafting.Status.SIGNING:
        return set()
    admin_of = actor_for(user).admin_organisation_ids
    open_round = drafting.rounds.filter(status=SignatureRound.Status.OPEN).first()
    if open_round is None:
        return set()
    return set(
        open_round.signatures.filter(organisation_id__in=admin_of).values_list(
            "organisation_id", flat=True
        )
    )


def _drafting_for(request, pk) -> Drafting:
    """404 for whoever may neither read the draft nor sign it."""
    drafting = get_object_or_404(
        Drafting.objects.select_related("contribution", "body"), contribution_id=pk
    )
    if not (
        can(request.user, Perm.DRAFTING_VIEW, drafting) or _signing_orgs(request.user, drafting)
    ):
        raise Http404
    return drafting


@login_required
@require_http_methods(["GET", "POST"])
def drafting_index(request):
    user = request.user
    if request.method == "POST":
        if not can(user, Perm.CONTRIBUTION_MANAGE):
            raise PermissionDenied
        contribution = get_object_or_404(
            Contribution.objects.filter(drafting__isnull=True),
            pk=request.POST.get("contribution") or 0,
        )
        body = get_object_or_404(Body, pk=request.POST.get("body") or 0)
        text = request.POST.get("text", "")
        parts = re.split(r"^## +(.+)$", text, flags=re.M)
        sections = [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]
        try:
            d.drafting_start(by=user, contribution=contribution, body=body, sections=sections)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("drafting_index")
        messages.success(request, _("La rédaction est ouverte au groupe."))
        return redirect("drafting_detail", pk=contribution.pk)
    # Those the user may read or answer in the name of their organisation (as _drafting_for).
    draftings = drafting_scope(
        user, Drafting.objects.select_related("contribution", "body").order_by("-created_at")
    )
    return render(
        request,
        "contributions/drafting_index.html",
        {
            "draftings": draftings,
            "may_manage": can(user, Perm.CONTRIBUTION_MANAGE),
            "contributions": Contribution.objects.filter(
                drafting__isnull=True, status=Contribution.Status.DRAFT
            ),
            "bodies": Body.objects.filter(is_active=True),
        },
    )


@login_required
@require_GET
def drafting_detail(request, pk: int):
    drafting = _drafting_for(request, pk)
    user = request.user
    sections = []
    for section in drafting.sections.order_by("position").prefetch_related(
        "amendments__comments__author", "amendments__organisation"
    ):
        sections.append(
            {
                "section": section,
                "html": render_markdown(section.text),
                "amendments": [
                    {"amendment": a, "diff": d.amendment_diff(a) if a.status == "proposed" else []}
                    for a in section.amendments.all()
                ],
            }
        )
    open_round = drafting.rounds.filter(status=SignatureRound.Status.OPEN).first()
    signing = _signing_orgs(user, drafting)
    return render(
        request,
        "contributions/drafting_detail.html",
        {
            "drafting": drafting,
            "contribution": drafting.contribution,
            "sections": sections,
            "versions": list(drafting.versions.select_related("amendment__organisation")),
            "round": open_round,
            "signatures": list(open_round.signatures.select_related("organisation"))
            if open_round
            else [],
            "my_signatures": [
                s for s in open_round.signatures.all() if s.organisation_id in signing
            ]
            if open_round
            else [],
            "may_view": can(user, Perm.DRAFTING_VIEW, drafting),
            "may_propose": can(user, Perm.AMENDMENT_PROPOSE, drafting),
            "may_decide": can(user, Perm.AMENDMENT_DECIDE, drafting),
            "may_manage": can(user, Perm.CONTRIBUTION_MANAGE),
            "kinds": Amendment.Kind.choices,
            "choices": Signature.Choice.choices,
        },
    )


def _done(request, drafting, run, success: str, anchor: str = ""):
    try:
        run()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Vous n'avez pas le droit de faire cette action."))
    else:
        messages.success(request, success)
    return redirect(f"/espace/contributions/{drafting.contribution_id}/{anchor}")


@login_required
@require_POST
def amendment_propose(request, pk: int):
    drafting = _drafting_for(request, pk)
    section = get_object_or_404(drafting.sections, pk=request.POST.get("section") or 0)
    return _done(
        request,
        drafting,
        lambda: d.amendment_propose(
            by=request.user,
            section=section,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            reason=request.POST.get("reason", ""),
        ),
        _("Votre amendement est déposé."),
        f"#section-{section.pk}",
    )


def _amendment(drafting, request):
    return get_object_or_404(
        Amendment.objects.filter(section__drafting=drafting), pk=request.POST.get("amendment") or 0
    )


@login_required
@require_POST
def amendment_comment(request, pk: int):
    drafting = _drafting_for(request, pk)
    amendment = _amendment(drafting, request)
    return _done(
        request,
        drafting,
        lambda: d.amendment_comment(
            by=request.user, amendment=amendment, text=request.POST.get("text", "")
        ),
        _("Votre commentaire est publié pour le groupe."),
        f"#amendement-{amendment.pk}",
    )


@login_required
@require_POST
def amendment_decide(request, pk: int):
    drafting = _drafting_for(request, pk)
    amendment = _amendment(drafting, request)
    return _done(
        request,
        drafting,
        lambda: d.amendment_decide(
            by=request.user,
            amendment=amendment,
            decision=request.POST.get("decision", ""),
            answer=request.POST.get("answer", ""),
            merged_text=request.POST.get("merged_text", ""),
        ),
        _("La décision est enregistrée."),
        f"#amendement-{amendment.pk}",
    )


@login_required
@require_POST
def signature_give(request, pk: int):
    drafting = _drafting_for(request, pk)
    signature = get_object_or_404(
        Signature.objects.filter(round__drafting=drafting), pk=request.POST.get("signature") or 0
    )
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    return _done(
        request,
        drafting,
        lambda: d.signature_give(
            by=request.user,
            signature=signature,
            choice=request.POST.get("choice", ""),
            version=version,
            statement=request.POST.get("statement", ""),
        ),
        _("La réponse de votre organisation est enregistrée."),
        "#signatures",
    )


@login_required
@require_POST
def drafting_step(request, pk: int, step: str):
    """The secretariat opens the round, reopens drafting or publishes."""
    drafting = _drafting_for(request, pk)
    if step == "signature":
        raw = request.POST.get("deadline", "")
        try:
            deadline = datetime.datetime.fromisoformat(raw)
        except ValueError:
            messages.error(request, _("Indiquez une date limite valide."))
            return redirect("drafting_detail", pk=pk)
        if deadline.tzinfo is None:
            from committee.sessions.texts import PARIS

            deadline = deadline.replace(tzinfo=PARIS)
        run = lambda: d.signature_round_open(by=request.user, drafting=drafting, deadline=deadline)  # noqa: E731
        success = _("Le tour de signature est ouvert ; les organisations sont prévenues.")
    elif step == "rouvrir":
        run = lambda: d.drafting_reopen(  # noqa: E731
            by=request.user, drafting=drafting, reason=request.POST.get("reason", "")
        )
        success = _("Le texte est rouvert ; les signataires sont prévenus.")
    elif step == "publier":
        run = lambda: d.drafting_publish(by=request.user, drafting=drafting)  # noqa: E731
        success = _("La contribution est publiée avec ses signataires.")
    else:
        raise Http404
    return _done(request, drafting, run, success)


@login_required
@require_GET
def versions_compare(request, pk: int):
    drafting = _drafting_for(request, pk)
    versions = {v.number: v for v in drafting.versions.all()}
    try:
        a, b = versions[int(request.GET.get("a", ""))], versions[int(request.GET.get("b", ""))]
    except (KeyError, ValueError):
        numbers = sorted(versions)
        if len(numbers) < 2:
            raise Http404 from None
        a, b = versions[numbers[0]], versions[numbers[-1]]
    return render(
        request,
        "contributions/drafting_diff.html",
        {"drafting": drafting, "a": a, "b": b, "lines": d.versions_diff(a, b)},
    )
