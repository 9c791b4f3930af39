"""Who hears of sessions and minutes; registered in CommitteeConfig.ready().

- convocation, update, cancellation → the body's representatives (in-app + email with the
  `.ics` invitation: METHOD:REQUEST, or METHOD:CANCEL; same UID, the session's SEQUENCE);
- reminder the day before → each representative, once (delivery key per session, day and
  person: members.notifications.outbox.notification_queue writes at most one);
- minutes circulated for remarks → the representatives and whoever attended.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from members.models import Event
from members.notifications.registry import (
    NotificationCancelled,
    Recipient,
    event_target,
    register_kind,
)

TEMPLATE = "governance"


class Kinds:
    CONVENED = "session_convened"
    UPDATED = "session_updated"
    CANCELLED = "session_cancelled"
    REMINDER = "session_reminder"
    MINUTES_CIRCULATED = "minutes_circulated"


_REPRESENTATIVES = _("Les représentants des organisations dans l'instance")


def session_data(session) -> dict:
    from committee.sessions.texts import when_text

    return {
        "session_id": session.pk,
        "sequence": session.sequence,
        "title": session.title,
        "body": session.body.name,
        "when": when_text(session.starts_at, session.ends_at),
        "starts_at": session.starts_at.isoformat(),
    }


def _representatives(session) -> list:
    from committee.sessions.models import Representative

    return [
        r.user
        for r in Representative.objects.filter(body_id=session.body_id).select_related("user")
    ]


def session_recipients(event: Event) -> list[Recipient]:
    session = event_target(event)
    if session is None:
        return []
    data = session_data(session)
    path = reverse("session_detail", kwargs={"pk": session.pk})
    return [Recipient(user=user, path=path, data=data) for user in _representatives(session)]


def _lines(session) -> list[str]:
    from committee.sessions.texts import when_text

    lines = [_g("Date : %(when)s") % {"when": when_text(session.starts_at, session.ends_at)}]
    if session.place:
        lines.append(_g("Lieu : %(place)s") % {"place": session.place})
    if session.visio_url:
        lines.append(_g("Visioconférence : %(url)s") % {"url": session.visio_url})
    for item in session.agenda_items.all():
        lines.append(f"{item.position}. {item.title}")
    return lines


def _session_of(notification):
    from committee.sessions.models import Session

    session_id = (notification.data or {}).get("session_id")
    session = Session.objects.select_related("body").filter(pk=session_id).first()
    if session is None:
        raise NotificationCancelled
    return session


def invitation_context(notification) -> dict:
    """The invitation as the session is now; an invitation overtaken by a later one (higher
    SEQUENCE) or by a cancellation is not sent: the later message says it all."""
    from committee.sessions.ics import invitation
    from committee.sessions.models import Session

    session = _session_of(notification)
    cancel = notification.kind == Kinds.CANCELLED
    if not cancel and (
        session.status != Session.Status.CONVENED
        or session.sequence > (notification.data or {}).get("sequence", 0)
    ):
        raise NotificationCancelled
    address = notification.recipient.email if notification.recipient else notification.email
    content = invitation(session, attendee=address, cancel=cancel)
    method = "CANCEL" if cancel else "REQUEST"
    return {
        "lines": _lines(session),
        "attachments": [("invitation.ics", content, f"text/calendar; method={method}")],
    }


def reminder_context(notification) -> dict:
    from committee.sessions.models import Session

    session = _session_of(notification)
    data = notification.data or {}
    if session.status != Session.Status.CONVENED or session.starts_at.isoformat() != data.get(
        "starts_at"
    ):
        raise NotificationCancelled
    return {"lines": _lines(session)}


def minutes_recipients(event: Event) -> list[Recipient]:
    minutes = event_target(event)
    if minutes is None:
        return []
    from django.contrib.auth import get_user_model

    session = minutes.session
    users = get_user_model().objects.filter(pk__in=minutes.reader_user_ids)
    data = {**session_data(session), "until": event.data.get("until", "")}
    path = reverse("session_detail", kwargs={"pk": session.pk}) + "#proces-verbal"
    return [Recipient(user=user, path=path, data=data) for user in users]


def register() -> None:
    common = {"template": TEMPLATE, "audience": _REPRESENTATIVES}
    register_kind(
        Kinds.CONVENED,
        recipients=session_recipients,
        context=invitation_context,
        label=_("Convocation à une séance"),
        subject=_("Convocation : %(body)s, %(when)s"),
        summary=_("Vous êtes convoqué(e) à la séance « %(title)s » (%(body)s), %(when)s."),
        mandatory=True,
        **common,
    )
    register_kind(
        Kinds.UPDATED,
        recipients=session_recipients,
        context=invitation_context,
        label=_("Séance modifiée"),
        subject=_("Séance modifiée : %(body)s, %(when)s"),
        summary=_("La séance « %(title)s » (%(body)s) a changé : elle aura lieu %(when)s."),
        mandatory=True,
        **common,
    )
    register_kind(
        Kinds.CANCELLED,
        recipients=session_recipients,
        context=invitation_context,
        label=_("Séance annulée"),
        subject=_("Séance annulée : %(body)s, %(when)s"),
        summary=_("La séance « %(title)s » (%(body)s) prévue %(when)s est annulée."),
        mandatory=True,
        **common,
    )
    register_kind(
        Kinds.REMINDER,
        context=reminder_context,
        label=_("Rappel de séance (la veille)"),
        subject=_("Demain : %(body)s, %(when)s"),
        summary=_("Rappel : la séance « %(title)s » (%(body)s) a lieu %(when)s."),
        **common,
    )
    register_kind(
        Kinds.MINUTES_CIRCULATED,
        recipients=minutes_recipients,
        label=_("Procès-verbal soumis à vos remarques"),
        subject=_("Procès-verbal à relire : %(body)s"),
        summary=_(
            "Le projet de procès-verbal de la séance « %(title)s » (%(body)s) attend vos "
            "remarques jusqu'au %(until)s."
        ),
        template=TEMPLATE,
        audience=_("Les représentants de l'instance et les participants à la séance"),
    )
