"""The kinds of event of policy contributions; registered in CommitteeConfig.ready().

Publishing and unpublishing a contribution are recorded, not notified. Who hears of a
signature round:

- round opened → the admins of each organisation asked to sign;
- round voided (drafting reopened) → the admins of the organisations that had answered;
- reminder before the deadline → the admins of an organisation that has not answered
  (queued by committee.contributions.drafting.signature_reminders_send, once each).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.models import Event, Membership
from members.notifications.registry import (
    Recipient,
    event_target,
    register_kind,
    register_recorded,
)

TEMPLATE = "governance"


class Kinds:
    PUBLISHED = "contribution_published"
    UNPUBLISHED = "contribution_unpublished"
    ROUND_OPENED = "signature_round_opened"
    ROUND_VOIDED = "signature_round_voided"
    SIGNATURE_REMINDER = "signature_reminder"


def _admins(round_, *, answered_only: bool) -> list[Recipient]:
    signatures = round_.signatures.all()
    if answered_only:
        signatures = signatures.exclude(choice="")
    contribution = round_.drafting.contribution
    data = {"title": contribution.title}
    path = f"/espace/contributions/{contribution.pk}/"
    memberships = Membership.objects.filter(
        organisation_id__in=signatures.values("organisation_id"), role=Membership.Role.ADMIN
    ).select_related("user")
    return [Recipient(user=m.user, path=path, data=data) for m in memberships]


def round_opened(event: Event) -> list[Recipient]:
    round_ = event_target(event)
    return [] if round_ is None else _admins(round_, answered_only=False)


def round_voided(event: Event) -> list[Recipient]:
    round_ = event_target(event)
    if round_ is None:
        return []
    return [
        Recipient(user=r.user, path=r.path, data={**r.data, "reason": event.data.get("reason", "")})
        for r in _admins(round_, answered_only=True)
    ]


def register() -> None:
    register_recorded(Kinds.PUBLISHED, label=_("Contribution publiée"))
    register_recorded(Kinds.UNPUBLISHED, label=_("Contribution dépubliée"))
    audience = _("Les administrateurs des organisations appelées à signer")
    register_kind(
        Kinds.ROUND_OPENED,
        recipients=round_opened,
        sides=("association",),
        label=_("Contribution à signer"),
        subject=_("Contribution à signer : %(title)s"),
        summary=_(
            "Le texte de « %(title)s » est arrêté : votre organisation peut le signer, "
            "s'abstenir ou refuser de le signer."
        ),
        audience=audience,
        template=TEMPLATE,
    )
    register_kind(
        Kinds.ROUND_VOIDED,
        recipients=round_voided,
        sides=("association",),
        label=_("Signatures annulées : texte rouvert"),
        subject=_("Texte rouvert, signature annulée : %(title)s"),
        summary=_(
            "Le texte de « %(title)s » est de nouveau en rédaction ; la réponse de votre "
            "organisation est annulée et vous serez appelé à signer le nouveau texte. "
            "Motif : %(reason)s"
        ),
        audience=audience,
        template=TEMPLATE,
        mandatory=True,
    )
    register_kind(
        Kinds.SIGNATURE_REMINDER,
        sides=("association",),
        label=_("Rappel : contribution à signer"),
        subject=_("Rappel : %(organisation)s n'a pas encore répondu sur « %(title)s »"),
        summary=_(
            "Il reste %(days)s jours pour que %(organisation)s signe « %(title)s », "
            "s'abstienne ou refuse de le signer."
        ),
        audience=audience,
        template=TEMPLATE,
    )
