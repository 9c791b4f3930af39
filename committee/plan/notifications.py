"""The kinds of notification of the action plan; registered in CommitteeConfig.ready().

- a partner report submitted → the secretariat (link to the report in the plan's steering);
- a report accepted or sent back → its author (link to the report on the partner's side),
  with the official's comment;
- plan reviews opened and closed are recorded, not notified.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Event, Membership, User
from members.notifications.registry import (
    ASSOCIATION,
    MINISTRY,
    Recipient,
    event_target,
    register_kind,
    register_recorded,
)


class Kinds:
    REPORT_SUBMITTED = "plan_report_submitted"
    REPORT_ACCEPTED = "plan_report_accepted"
    REPORT_RETURNED = "plan_report_returned"
    REVIEW_OPENED = "plan_review_opened"
    REVIEW_CLOSED = "plan_review_closed"


def _data(report) -> dict:
    action = report.action
    return {
        "action": action.code,
        "title": action.title,
        "organisation": report.organisation.acronym,
        "comment": report.review_comment,
    }


def report_submitted(event: Event) -> list[Recipient]:
    report = event_target(event)
    if report is None:
        return []
    secretariat = (
        User.objects.filter(is_active=True, memberships__role=Membership.Role.SECRETARIAT)
        .distinct()
        .order_by("pk")
    )
    path = reverse("plan_admin:report", args=[report.pk])
    data = _data(report)
    return [Recipient(user=user, path=path, data=data) for user in secretariat]


def report_decided(event: Event) -> list[Recipient]:
    report = event_target(event)
    if report is None or report.author is None:
        return []
    path = reverse("plan_partner:report", args=[report.pk])
    return [Recipient(user=report.author, path=path, data=_data(report))]


_AUTHOR = _("L'auteur du compte rendu, dans l'association qui pilote l'action")


def register() -> None:
    register_kind(
        Kinds.REPORT_SUBMITTED,
        sides=(MINISTRY,),
        label=_("Compte rendu d'un partenaire sur une action du plan"),
        subject=_("Compte rendu de %(organisation)s sur l'action %(action)s"),
        summary=_(
            "%(organisation)s a transmis un compte rendu sur l'action %(action)s — %(title)s."
        ),
        audience=_("Le secrétariat du comité"),
        bundle_subject=_("%(count)s comptes rendus de partenaires"),
        recipients=report_submitted,
    )
    register_kind(
        Kinds.REPORT_ACCEPTED,
        sides=(ASSOCIATION,),
        label=_("Compte rendu accepté"),
        subject=_("Votre compte rendu sur l'action %(action)s est accepté"),
        summary=_("Votre compte rendu sur l'action %(action)s est accepté."),
        audience=_AUTHOR,
        recipients=report_decided,
    )
    register_kind(
        Kinds.REPORT_RETURNED,
        sides=(ASSOCIATION,),
        label=_("Compte rendu renvoyé"),
        subject=_("Votre compte rendu sur l'action %(action)s vous est renvoyé"),
        summary=_("Votre compte rendu sur l'action %(action)s vous est renvoyé."),
        audience=_AUTHOR,
        recipients=report_decided,
    )
    register_recorded(Kinds.REVIEW_OPENED, label=_("Revue du plan ouverte"))
    register_recorded(Kinds.REVIEW_CLOSED, label=_("Revue du plan close"))
