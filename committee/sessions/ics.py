"""Calendar files (RFC 5545) of the sessions: invitations, cancellations and feeds.

One UID per session for its whole life; SEQUENCE is the session's `sequence`, raised by the
services at each change sent to the representatives, so calendar clients replace the event
they hold (and remove it on a cancellation, METHOD:CANCEL). Times are written in
Europe/Paris with its VTIMEZONE: 09:00 in Paris stays 09:00, winter and summer.
"""

from __future__ import annotations

import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from committee.sessions.models import Session

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PRODID = "-//Comité des partenaires du numérique pour l'éducation//Séances//FR"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def session_uid(session: Session) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"seance-{session.uid}@{host}"


def _organizer() -> vCalAddress:
    from email.utils import parseaddr

    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'ne-pas-repondre@localhost'}")
    organizer.params["cn"] = vText(name or settings.PORTAL_NAME)
    return organizer


def _description(session: Session) -> str:
    lines = []
    items = list(session.agenda_items.all())
    if items:
        lines.append("Ordre du jour :")
        lines.extend(f"{item.position}. {item.title}" for item in items)
    if session.visio_url:
        lines.append(f"Visioconférence : {session.visio_url}")
    lines.append(settings.SITE_URL + session.get_absolute_url())
    return "\n".join(lines)


def session_event(session: Session, *, attendee: str = "", cancelled: bool = False) -> VEvent:
    event = VEvent()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(PARIS))
    event.add("dtend", session.ends_at.astimezone(PARIS))
    event.add("summary", f"{session.body.name} — {session.title}")
    location = session.place or session.visio_url
    if location:
        event.add("location", location)
    event.add("description", _description(session))
    event.add("url", settings.SITE_URL + session.get_absolute_url())
    cancelled = cancelled or session.status == Session.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _organizer())
    if attendee:
        person = vCalAddress(f"mailto:{attendee}")
        person.params["role"] = vText("REQ-PARTICIPANT")
        person.params["rsvp"] = vText("FALSE")
        event.add("attendee", person, encode=0)
    return event


def _calendar(*, method: str = "", name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
    return calendar


def invitation(session: Session, *, attendee: str = "", cancel: bool = False) -> bytes:
    """The .ics sent with a convocation, an update (same UID, higher SEQUENCE) or a
    cancellation (METHOD:CANCEL)."""
    cancel = cancel or session.status == Session.Status.CANCELLED
    calendar = _calendar(method="CANCEL" if cancel else "REQUEST")
    calendar.add_component(session_event(session, attendee=attendee, cancelled=cancel))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(sessions, *, name: str) -> bytes:
    """A subscribable calendar of sessions (public, or a person's)."""
    calendar = _calendar(method="PUBLISH", name=name)
    for session in sessions:
        calendar.add_component(session_event(session))
    calendar.add_missing_timezones()
    return calendar.to_ical()
