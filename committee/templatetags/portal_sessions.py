"""Session dates in words (Paris time): « jeudi 1er octobre 2026 de 9 h à 12 h »."""

from django import template

from committee.sessions.models import Attendance
from committee.sessions.texts import when_text

register = template.Library()


@register.simple_tag
def session_when(session) -> str:
    return when_text(session.starts_at, session.ends_at)


@register.simple_tag
def attendance_label(status: str) -> str:
    return str(Attendance.Status(status).label)
