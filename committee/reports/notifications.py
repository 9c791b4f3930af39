"""The kind of notification of reports; registered in CommitteeConfig.ready().

- report ready → the official who ordered it (link to their reports page); a report deleted
  or expired before the email goes out is not announced.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from committee.reports.models import Report
from members.formats import long_datetime
from members.models import Event
from members.notifications.registry import (
    MINISTRY,
    NotificationCancelled,
    Recipient,
    event_target,
    register_kind,
)


class Kinds:
    REPORT_READY = "report_ready"


def report_ready(event: Event) -> list[Recipient]:
    report = event_target(event)
    if report is None or report.requested_by is None:
        return []
    user = report.requested_by
    with translation.override(user.language or settings.LANGUAGE_CODE):
        label = str(report.get_kind_display())
    return [
        Recipient(
            user=user,
            path=reverse("pilotage_reports") + f"#rapport-{report.pk}",
            data={"report": label, "report_id": report.pk},
        )
    ]


def report_ready_context(notification) -> dict:
    """Dates in the recipient's language; a report already deleted is not announced."""
    report = Report.objects.filter(pk=(notification.data or {}).get("report_id")).first()
    if report is None or report.status != Report.Status.DONE or report.purged_at is not None:
        raise NotificationCancelled
    return {
        "created": long_datetime(report.created_at),
        "expires": (long_datetime(report.expires_at) if report.expires_at else ""),
    }


def register() -> None:
    register_kind(
        Kinds.REPORT_READY,
        sides=(MINISTRY,),
        label=_("Rapport prêt"),
        subject=_("Votre rapport est prêt : %(report)s"),
        summary=_("Le rapport « %(report)s » que vous avez commandé est prêt."),
        audience=_("L'agent qui a commandé le rapport"),
        recipients=report_ready,
        context=report_ready_context,
    )
