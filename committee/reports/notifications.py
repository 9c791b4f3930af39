"""Who hears of the committee's events; registered in CommitteeConfig.ready().

- report ready → the official who ordered it (link to their reports page);
- the officials' weekly digest (committee.steering.digest) is a prepared email of kind
  `weekly_digest`, sent with members.notifications.notification_send: officials may turn
  it off (preferences, or the unsubscribe link it carries).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.formats import long_datetime
from members.models import Event
from members.notifications import (
    NotificationCancelled,
    Recipient,
    event_target,
    register_kind,
    register_rule,
)


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
    from committee.reports.models import Report

    report = Report.objects.filter(pk=(notification.data or {}).get("report_id")).first()
    if report is None or report.status != Report.Status.DONE or report.purged_at is not None:
        raise NotificationCancelled
    return {
        "created": long_datetime(report.created_at),
        "expires": (long_datetime(report.expires_at) if report.expires_at else ""),
    }


def register() -> None:
    register_rule(Event.Kind.REPORT_READY, report_ready, context=report_ready_context)
    register_kind(
        "weekly_digest",
        sides=("ministry",),
        label=_("Point hebdomadaire du comité"),
        subject=_("Point hebdomadaire du comité"),
        summary=_("Le point hebdomadaire du comité."),
        audience=_("Les instructeurs et le secrétariat du ministère, le lundi matin"),
    )
