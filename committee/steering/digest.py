"""The officials' weekly digest: what arrived, what waits too long, what is late in the plan.

Sent on Monday morning by Celery beat (settings.CELERY_BEAT_SCHEDULE), one email per
official (reviewers and the secretariat). At most one per official and week: the delivery is
recorded (`DigestDelivery`, unique per user and week) in the same transaction that queues
the email, so a task run twice — or two runs at once — sends once. Nothing is sent in a week
with nothing to tell.

The late actions and milestones are the definitions of committee.steering.statistics.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from committee.steering import statistics
from committee.steering.models import DigestDelivery
from committee.steering.notifications import Kinds
from initiatives.models import Initiative
from initiatives.models import Status as S
from initiatives.review_filters import with_waiting_since
from members.formats import long_date
from members.notifications.outbox import notification_send
from members.permissions import officials

LISTED = 15  # items listed per section; the rest is counted


@dataclass
class Digest:
    week: datetime.date
    since: datetime.datetime
    submitted: list = field(default_factory=list)
    submitted_count: int = 0
    waiting: list = field(default_factory=list)
    waiting_count: int = 0
    late_actions: dict = field(default_factory=dict)
    late_milestones: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.submitted_count
            or self.waiting_count
            or self.late_actions.get("count")
            or self.late_milestones.get("count")
        )


def week_of(moment: datetime.datetime) -> datetime.date:
    """The Monday (local date) of the week a moment falls in: the digest's delivery key."""
    day = timezone.localtime(moment).date()
    return day - datetime.timedelta(days=day.weekday())


def digest_content(*, now: datetime.datetime | None = None) -> Digest:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=7)
    submitted = (
        Initiative.objects.exclude(status=S.DRAFT)
        .filter(submitted_at__gte=since, submitted_at__lt=now)
        .select_related("lead_organisation")
        .order_by("submitted_at", "pk")
    )
    waiting_limit = now - datetime.timedelta(days=settings.REVIEW_WAITING_DAYS)
    waiting = (
        with_waiting_since(Initiative.objects.filter(status__in=[S.SUBMITTED, S.IN_REVIEW]))
        .filter(waiting_since__lt=waiting_limit)
        .select_related("lead_organisation", "assignee")
        .order_by("waiting_since", "pk")
    )
    scope = statistics.Scope(statistics.statistics_filterset(), timezone.localdate(now))
    submitted_list = list(submitted[: LISTED + 1])
    waiting_list = list(waiting[: LISTED + 1])
    return Digest(
        week=week_of(now),
        since=since,
        submitted=submitted_list[:LISTED],
        submitted_count=(
            len(submitted_list) if len(submitted_list) <= LISTED else submitted.count()
        ),
        waiting=[(i, (now - i.waiting_since).days) for i in waiting_list[:LISTED]],
        waiting_count=len(waiting_list) if len(waiting_list) <= LISTED else waiting.count(),
        late_actions=statistics.FIGURES["late_actions"].compute(scope),
        late_milestones=statistics.FIGURES["late_milestones"].compute(scope),
    )


def _url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs or None)


def _more(shown: int, total: int) -> list[str]:
    if total <= shown:
        return []
    more = total - shown
    return [ngettext("  … et %(n)s autre.", "  … et %(n)s autres.", more) % {"n": more}]


def digest_email(digest: Digest) -> tuple[str, str]:
    """Subject and plain-text body, in the active language."""
    lines = [_("Bonjour,"), ""]
    lines.append(
        _("Voici le point de la semaine du %(date)s pour le comité.")
        % {"date": long_date(digest.week)}
    )
    lines += [
        "",
        _("Nouvelles soumissions (7 derniers jours) : %(n)s") % {"n": digest.submitted_count},
    ]
    for initiative in digest.submitted:
        lines.append(
            f"- {initiative.title} ({initiative.lead_organisation.acronym}) — "
            + _url("review:detail", pk=initiative.pk)
        )
    lines += _more(len(digest.submitted), digest.submitted_count)
    lines += [
        "",
        _("En attente de décision depuis plus de %(days)s jours : %(n)s")
        % {"days": settings.REVIEW_WAITING_DAYS, "n": digest.waiting_count},
    ]
    for initiative, days in digest.waiting:
        assignee = initiative.assignee.get_full_name() if initiative.assignee else _("personne")
        lines.append(
            "- "
            + ngettext(
                "%(title)s — %(days)s jour, assignée à %(who)s",
                "%(title)s — %(days)s jours, assignée à %(who)s",
                days,
            )
            % {"title": initiative.title, "days": days, "who": assignee}
            + " — "
            + _url("review:detail", pk=initiative.pk)
        )
    lines += _more(len(digest.waiting), digest.waiting_count)
    late_actions = digest.late_actions
    lines += ["", _("Actions du plan en retard : %(n)s") % {"n": late_actions["count"]}]
    for row in late_actions["rows"][:LISTED]:
        lines.append(
            ngettext(
                "- %(code)s %(title)s — échéance %(due)s (%(days)s jour de retard)",
                "- %(code)s %(title)s — échéance %(due)s (%(days)s jours de retard)",
                row["days_late"],
            )
            % {
                "code": row["code"],
                "title": row["title"],
                "due": long_date(row["due_date"]),
                "days": row["days_late"],
            }
        )
    lines += _more(min(LISTED, late_actions["count"]), late_actions["count"])
    late_milestones = digest.late_milestones
    lines += ["", _("Jalons en retard : %(n)s") % {"n": late_milestones["count"]}]
    for row in late_milestones["rows"][:LISTED]:
        lines.append(
            ngettext(
                "- %(code)s : %(title)s — échéance %(due)s (%(days)s jour de retard)",
                "- %(code)s : %(title)s — échéance %(due)s (%(days)s jours de retard)",
                row["days_late"],
            )
            % {
                "code": row["action_code"],
                "title": row["title"],
                "due": long_date(row["due_date"]),
                "days": row["days_late"],
            }
        )
    lines += _more(min(LISTED, late_milestones["count"]), late_milestones["count"])
    lines += [
        "",
        _("File d'instruction : %(url)s") % {"url": _url("review:queue")},
        _("Statistiques de pilotage : %(url)s") % {"url": _url("pilotage")},
        "",
        _(
            "Vous recevez ce message parce que vous êtes instructeur ou membre du secrétariat "
            "du comité."
        ),
    ]
    subject = _("Point hebdomadaire du comité — semaine du %(date)s") % {
        "date": long_date(digest.week)
    }
    return str(subject), "\n".join(str(line) for line in lines) + "\n"


def digest_send(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send this week's digest to every official who has not had it yet."""
    now = now or timezone.now()
    digest = digest_content(now=now)
    if digest.is_empty:
        return {"sent": 0, "skipped": 0}
    sent = skipped = 0
    recipients = officials().filter(anonymised_at__isnull=True).exclude(email="")
    for user in recipients:
        try:
            with transaction.atomic():
                DigestDelivery.objects.create(user=user, week=digest.week)
                with translation.override(user.language or settings.LANGUAGE_CODE):
                    subject, body = digest_email(digest)
                # Delivered like any notification: retried, swept, and officials may turn
                # the weekly digest off in their preferences.
                notification_send(
                    kind=Kinds.WEEKLY_DIGEST,
                    user=user,
                    subject=subject,
                    text=body,
                    delivery_key=f"weekly-digest:{user.pk}:{digest.week.isoformat()}",
                )
        except IntegrityError:  # already sent this week (an earlier or concurrent run)
            skipped += 1
            continue
        sent += 1
    return {"sent": sent, "skipped": skipped}
