"""The secretariat's session pages (/pilotage/seances/): sessions, agenda, documents,
convocation, attendance, minutes and decisions; and the representatives of each body
(the secretariat, and each association's admin for their own organisation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from committee.http import apply_errors, form_post
from committee.sessions import forms as f
from committee.sessions import minutes as minutes_services
from committee.sessions import selectors, services
from committee.sessions.models import Body, Minutes, Representative, Session
from initiatives.forms import DocumentUploadForm
from members.models import Membership, Organisation, User
from members.permissions import Perm, actor_for, can, require


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def sessions_admin(request):
    require(request.user, Perm.SESSION_MANAGE)
    form = f.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(by=request.user, data=form.to_data())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("La séance est créée : elle sera annoncée à la convocation.")
            )
            return redirect("sessions_admin:session", pk=session.pk)
    return render(
        request,
        "sessions/admin_index.html",
        {
            "form": form,
            "sessions": Session.objects.select_related("body").order_by("-starts_at")[:100],
            "bodies": selectors.bodies_overview(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_create(request):
    """Another working group; its representatives are named next."""
    require(request.user, Perm.SESSION_MANAGE)
    form = f.BodyForm(request.POST or None)

    def page():
        return render(
            request,
            "sessions/body_form.html",
            {"form": form},
            status=400 if form.errors else 200,
        )

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda data: services.body_create(
            by=request.user,
            name=data["name"],
            description=data["description"],
            quorum_share=form.quorum_share(),
        ),
        success=lambda body: (
            _("Le groupe de travail « %(name)s » est créé : nommez maintenant ses représentants.")
            % {"name": body.name}
        ),
        then=lambda body: f"{reverse('sessions_admin:representatives')}#instance-{body.slug}",
        failed=page,
    )


def _page(request, session, *, status=200, **forms):
    minutes = Minutes.objects.filter(session=session).first()
    items = list(session.agenda_items.order_by("position").prefetch_related("decisions"))
    entries = {e.agenda_item_id: e.text for e in minutes.entries.all()} if minutes else {}
    context = {
        "session": session,
        "session_form": forms.get("session_form")
        or f.SessionForm(
            initial={
                "body": session.body_id,
                "title": session.title,
                "starts_at": session.starts_at.astimezone(selectors_paris()),
                "ends_at": session.ends_at.astimezone(selectors_paris()),
                "place": session.place,
                "visio_url": session.visio_url,
                "is_public": session.is_public,
            }
        ),
        "item_form": forms.get("item_form") or f.AgendaItemForm(prefix="point"),
        "document_form": forms.get("document_form") or DocumentUploadForm(prefix="document"),
        "decision_form": forms.get("decision_form")
        or f.DecisionForm(session=session, prefix="decision"),
        "circulate_form": forms.get("circulate_form") or f.CirculateForm(prefix="remarques"),
        "items": [{"item": item, "text": entries.get(item.pk, "")} for item in items],
        "documents": list(session.documents.all()),
        "replies": selectors.replies_by_person(session),
        "quorum": selectors.quorum(session),
        "minutes": minutes,
        "attendance_choices": [
            ("present", _("Présent")),
            ("represented", _("Représenté")),
            ("absent", _("Absent")),
        ],
    }
    return render(request, "sessions/admin_session.html", context, status=status)


def selectors_paris():
    from committee.sessions.texts import PARIS

    return PARIS


def _session(request, pk):
    require(request.user, Perm.SESSION_MANAGE)
    return get_object_or_404(Session.objects.select_related("body"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_admin(request, pk: int):
    session = _session(request, pk)
    if request.method == "GET":
        return _page(request, session)
    form = f.SessionForm(request.POST)
    if form.is_valid():
        try:
            changed = services.session_update(by=request.user, session=session, data=form.to_data())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if changed and session.status == Session.Status.CONVENED:
                messages.success(
                    request, _("La séance est modifiée ; les représentants en sont prévenus.")
                )
            else:
                messages.success(request, _("La séance est enregistrée."))
            return redirect("sessions_admin:session", pk=session.pk)
    return _page(request, session, session_form=form, status=400)


@login_required
@require_POST
def session_step(request, pk: int, step: str):
    """Convene, cancel, open the minutes, approve them."""
    session = _session(request, pk)
    steps = {
        "convoquer": (
            lambda: services.session_convene(by=request.user, session=session),
            _("La séance est convoquée : les représentants reçoivent l'invitation."),
        ),
        "annuler": (
            lambda: services.session_cancel(by=request.user, session=session),
            _("La séance est annulée ; les représentants en sont prévenus."),
        ),
        "ouvrir-proces-verbal": (
            lambda: minutes_services.minutes_start(by=request.user, session=session),
            _("Le procès-verbal est ouvert."),
        ),
        "approuver": (
            lambda: minutes_services.minutes_approve(
                by=request.user, minutes=get_object_or_404(Minutes, session=session)
            ),
            _("Le procès-verbal est approuvé ; les décisions sont reportées au plan d'action."),
        ),
    }
    if step not in steps:
        return redirect("sessions_admin:session", pk=session.pk)
    run, done = steps[step]
    try:
        run()
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, done)
    return redirect("sessions_admin:session", pk=session.pk)


@login_required
@require_POST
def agenda_item_add(request, pk: int):
    session = _session(request, pk)
    form = f.AgendaItemForm(request.POST, prefix="point")
    if form.is_valid():
        try:
            services.agenda_item_add(by=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le point est ajouté à l'ordre du jour."))
            return redirect("sessions_admin:session", pk=session.pk)
    return _page(request, session, item_form=form, status=400)


@login_required
@require_POST
def document_add(request, pk: int):
    session = _session(request, pk)
    form = DocumentUploadForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        try:
            services.session_document_add(
                by=request.user,
                session=session,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le document est ajouté."))
            return redirect("sessions_admin:session", pk=session.pk)
    return _page(request, session, document_form=form, status=400)


@login_required
@require_POST
def attendance(request, pk: int):
    session = _session(request, pk)
    statuses = {}
    for representative in Representative.objects.filter(body_id=session.body_id):
        value = request.POST.get(f"presence-{representative.user_id}")
        if value:
            statuses[representative.user_id] = value
    try:
        services.attendance_record(by=request.user, session=session, statuses=statuses)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("Les présences sont enregistrées."))
    return redirect("sessions_admin:session", pk=session.pk)


@login_required
@require_POST
def minutes_save(request, pk: int):
    session = _session(request, pk)
    minutes = get_object_or_404(Minutes, session=session)
    texts = {
        str(item.pk): request.POST.get(f"item-{item.pk}", "")
        for item in session.agenda_items.all()
        if f"item-{item.pk}" in request.POST
    }
    try:
        version = int(request.POST.get("version", ""))
        minutes_services.minutes_save(
            by=request.user, minutes=minutes, texts=texts, version=version
        )
    except ValueError:
        messages.error(request, _("Version inconnue : rechargez la page."))
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request, _("Le procès-verbal est enregistré (version %(n)s).") % {"n": minutes.version}
        )
    return redirect(f"/pilotage/seances/{session.pk}/#proces-verbal")


@login_required
@require_POST
def minutes_circulate(request, pk: int):
    session = _session(request, pk)
    minutes = get_object_or_404(Minutes, session=session)
    form = f.CirculateForm(request.POST, prefix="remarques")
    if form.is_valid():
        try:
            minutes_services.minutes_circulate(
                by=request.user, minutes=minutes, until=form.cleaned_data["until"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le projet de procès-verbal est envoyé pour remarques."))
            return redirect("sessions_admin:session", pk=session.pk)
    return _page(request, session, circulate_form=form, status=400)


@login_required
@require_POST
def decision_add(request, pk: int):
    session = _session(request, pk)
    form = f.DecisionForm(request.POST, session=session, prefix="decision")
    if form.is_valid():
        item = get_object_or_404(session.agenda_items, pk=form.cleaned_data["agenda_item"])
        try:
            minutes_services.decision_add(
                by=request.user,
                agenda_item=item,
                text=form.cleaned_data["text"],
                effect=form.cleaned_data["effect"],
                action=form.cleaned_data["action"],
                changes=form.changes(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "La décision est enregistrée ; elle s'appliquera à l'approbation du "
                    "procès-verbal."
                ),
            )
            return redirect("sessions_admin:session", pk=session.pk)
    return _page(request, session, decision_form=form, status=400)


# --- representatives ------------------------------------------------------------------------


def _organisations_for(user):
    actor = actor_for(user)
    if actor.is_secretariat:
        return Organisation.objects.order_by("acronym")
    return Organisation.objects.filter(pk__in=actor.admin_organisation_ids).order_by("acronym")


@login_required
@require_http_methods(["GET", "POST"])
def representatives(request):
    """Each body and who sits in it; the admin of an association names its own people."""
    require(request.user, Perm.REPRESENTATIVE_NAME)
    organisations = list(_organisations_for(request.user))
    if request.method == "POST":
        body = get_object_or_404(Body, pk=request.POST.get("body") or 0)
        try:
            if request.POST.get("remove"):
                representative = get_object_or_404(
                    Representative.objects.filter(organisation__in=organisations),
                    pk=request.POST.get("remove"),
                )
                services.representative_remove(by=request.user, representative=representative)
                messages.success(request, _("Le représentant est retiré."))
            else:
                organisation = get_object_or_404(
                    Organisation.objects.filter(pk__in=[o.pk for o in organisations]),
                    pk=request.POST.get("organisation") or 0,
                )
                user = get_object_or_404(
                    User.objects.filter(memberships__organisation=organisation),
                    pk=request.POST.get("user") or 0,
                )
                services.representative_name(
                    by=request.user, body=body, user=user, organisation=organisation
                )
                messages.success(request, _("Le représentant est nommé."))
        except ValidationError as error:
            _errors(request, error)
        return redirect(request.path)
    members = (
        Membership.objects.filter(organisation__in=organisations)
        .select_related("user", "organisation")
        .order_by("organisation__acronym", "user__last_name")
    )
    bodies = Body.objects.filter(is_active=True).prefetch_related(
        "representatives__user", "representatives__organisation"
    )
    return render(
        request,
        "sessions/representatives.html",
        {
            "bodies": bodies,
            "members": members,
            "organisations": organisations,
            "may_create_body": can(request.user, Perm.SESSION_MANAGE),
        },
    )
