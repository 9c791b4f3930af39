"""Session pages: the public list and calendar, a session (agenda, documents, replies,
quorum, minutes), the personal calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from committee.http import apply_errors
from committee.sessions import ics, selectors, services
from committee.sessions import minutes as minutes_services
from committee.sessions.forms import RemarkForm, ReplyForm
from committee.sessions.models import CalendarToken, Minutes, Reply, Representative
from initiatives.documents import file_download
from members.permissions import Perm, can


def _ics_response(content: bytes, filename: str, *, public: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if not public:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def sessions_index(request):
    upcoming, past = selectors.upcoming_and_past(selectors.sessions_visible_to(request.user))
    return render(
        request,
        "sessions/index.html",
        {"upcoming": upcoming, "past": past, "may_manage": can(request.user, Perm.SESSION_MANAGE)},
    )


def _session_for(request, pk):
    """Scoped to the user (404 for what they may not see)."""
    return get_object_or_404(selectors.sessions_visible_to(request.user), pk=pk)


def _minutes_block(request, session):
    minutes = Minutes.objects.filter(session=session).first()
    if minutes is None or not can(request.user, Perm.MINUTES_VIEW, minutes):
        return None
    private = can(request.user, Perm.SESSION_MANAGE) or (
        request.user.is_authenticated and request.user.pk in minutes.reader_user_ids
    )
    return {
        "minutes": minutes,
        "entries": selectors.public_minutes_entries(minutes, include_closed=private),
        "versions": list(minutes.versions.order_by("number")) if private else [],
        "remarks": list(minutes.remarks.select_related("author")) if private else [],
        "may_remark": can(request.user, Perm.MINUTES_REMARK, minutes),
    }


def _session_page(request, session, *, reply_form=None, remark_form=None, status=200):
    user = request.user
    representative = (
        Representative.objects.filter(body_id=session.body_id, user_id=user.pk)
        .select_related("organisation")
        .first()
        if user.is_authenticated
        else None
    )
    sits = representative is not None or can(user, Perm.SESSION_MANAGE)
    may_reply = can(user, Perm.SESSION_REPLY, session)
    if may_reply and reply_form is None:
        reply = Reply.objects.filter(session=session, user=user).first()
        reply_form = ReplyForm(
            organisation=representative.organisation,
            exclude_user=user,
            initial={"answer": reply.answer, "proxy": reply.proxy_id} if reply else None,
        )
    items = list(session.agenda_items.select_related("document").order_by("position"))
    if not sits:
        items = [item for item in items if not item.is_closed]
    return render(
        request,
        "sessions/detail.html",
        {
            "session": session,
            "items": items,
            "documents": list(session.documents.all()),
            "sits": sits,
            "replies": selectors.replies_by_person(session) if sits else [],
            "quorum": selectors.quorum(session),
            "reply_form": reply_form if may_reply else None,
            "minutes_block": _minutes_block(request, session),
            "remark_form": remark_form or RemarkForm(),
            "may_manage": can(user, Perm.SESSION_MANAGE),
        },
        status=status,
    )


@require_GET
def session_detail(request, pk: int):
    return _session_page(request, _session_for(request, pk))


@login_required
@require_POST
def session_reply(request, pk: int):
    session = _session_for(request, pk)
    if not can(request.user, Perm.SESSION_REPLY, session):
        messages.error(request, _("Vous ne pouvez pas répondre à cette convocation."))
        return redirect(session)
    representative = Representative.objects.get(body_id=session.body_id, user=request.user)
    form = ReplyForm(
        request.POST, organisation=representative.organisation, exclude_user=request.user
    )
    if form.is_valid():
        try:
            services.reply_set(
                by=request.user,
                session=session,
                answer=form.cleaned_data["answer"],
                proxy=form.cleaned_data["proxy"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre réponse est enregistrée."))
            return redirect(session)
    return _session_page(request, session, reply_form=form, status=400)


@login_required
@require_POST
def minutes_remark(request, pk: int):
    session = _session_for(request, pk)
    minutes = get_object_or_404(Minutes, session=session)
    if not can(request.user, Perm.MINUTES_REMARK, minutes):
        messages.error(request, _("Les remarques sur ce procès-verbal sont closes."))
        return redirect(session)
    form = RemarkForm(request.POST)
    if form.is_valid():
        try:
            minutes_services.minutes_remark_add(
                by=request.user, minutes=minutes, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Votre remarque est transmise au secrétariat."))
            return redirect(f"{session.get_absolute_url()}#proces-verbal")
    return _session_page(request, session, remark_form=form, status=400)


@require_GET
def minutes_diff(request, pk: int):
    """Two versions of the minutes compared (for those who read the draft)."""
    session = _session_for(request, pk)
    minutes = get_object_or_404(Minutes, session=session)
    readers = minutes.reader_user_ids
    if not (can(request.user, Perm.SESSION_MANAGE) or request.user.pk in readers):
        raise Http404
    versions = {v.number: v for v in minutes.versions.all()}
    try:
        a, b = versions[int(request.GET.get("a", ""))], versions[int(request.GET.get("b", ""))]
    except (KeyError, ValueError):
        numbers = sorted(versions)
        if len(numbers) < 2:
            raise Http404 from None
        a, b = versions[numbers[-2]], versions[numbers[-1]]
    return render(
        request,
        "sessions/diff.html",
        {"session": session, "a": a, "b": b, "lines": minutes_services.versions_diff(a, b)},
    )


@require_GET
def session_document(request, pk: int, document_pk: int):
    session = _session_for(request, pk)
    document = get_object_or_404(session.documents, pk=document_pk)
    return file_download(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        public=session.is_visible_to_public,
    )


@require_GET
def session_ics(request, pk: int):
    session = _session_for(request, pk)
    return _ics_response(
        ics.invitation(session), f"seance-{session.pk}.ics", public=session.is_visible_to_public
    )


@require_GET
def public_feed(request):
    sessions = selectors.public_sessions().prefetch_related("agenda_items")
    return _ics_response(
        ics.feed(sessions, name=_("Séances publiques du comité")), "seances.ics", public=True
    )


@require_GET
def personal_feed(request, token: str):
    calendar = CalendarToken.objects.select_related("user").filter(token=token).first()
    if calendar is None or not calendar.user.is_active:
        raise Http404
    sessions = selectors.sessions_of(calendar.user).prefetch_related("agenda_items")
    return _ics_response(
        ics.feed(sessions, name=_("Mes séances du comité")), "mes-seances.ics", public=False
    )


@login_required
def personal_calendar(request):
    if request.method == "POST":
        services.calendar_token_revoke(by=request.user)
        messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
        return redirect("sessions_calendar")
    token = services.calendar_token_for(request.user)
    return render(
        request,
        "sessions/calendar.html",
        {
            "feed_url": request.build_absolute_uri(f"/seances/agenda/{token.token}.ics"),
            "sessions": list(selectors.sessions_of(request.user).order_by("-starts_at")[:20]),
        },
    )
