"""What waits for a signed-in person, by role: one short list per kind of work.

Each list costs one COUNT and one query for its first rows, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from committee.contributions.drafting_models import Drafting, Signature, SignatureRound
from committee.landing.navigation import Perm, actor_for, can, waiting_review_q
from committee.plan.models import PartnerReport, PlanReview
from initiatives.models import Initiative
from initiatives.models import Status as S
from members.formats import long_datetime

SHOWN = 5


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""
    when: object = None
    due: str = ""  # by when it is expected, in words


@dataclass
class Pile:
    """One kind of work: how many, the first few (each a link to its page), where to see all."""

    key: str
    title: str
    empty: str
    count: int = 0
    items: list[Item] = field(default_factory=list)
    all_url: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _pile(key, title, empty, queryset: QuerySet, to_item, all_url="") -> Pile:
    items = [to_item(obj) for obj in queryset[:SHOWN]]
    count = len(items) if len(items) < SHOWN else queryset.count()
    return Pile(key=key, title=title, empty=empty, count=count, items=items, all_url=all_url)


def _workspace_item(initiative: Initiative) -> Item:
    return Item(
        title=initiative.title,
        url=reverse("workspace:initiative_detail", kwargs={"pk": initiative.pk}),
        detail=initiative.lead_organisation.acronym if initiative.lead_organisation else "",
        when=initiative.updated_at,
    )


def _review_item(initiative: Initiative) -> Item:
    return Item(
        title=initiative.title,
        url=reverse("review:detail", kwargs={"pk": initiative.pk}),
        detail=initiative.lead_organisation.acronym if initiative.lead_organisation else "",
        when=initiative.submitted_at or initiative.status_changed_at,
    )


def _queue_url(**params) -> str:
    return reverse("review:queue") + ("?" + urlencode(params) if params else "")


def _signature_item(signature: Signature) -> Item:
    contribution = signature.round.drafting.contribution
    return Item(
        title=contribution.title,
        url=reverse("drafting_detail", kwargs={"pk": contribution.pk}) + "#signatures",
        detail=signature.organisation.acronym,
        when=signature.round.deadline,
        due=gettext("Réponse attendue jusqu'au %(deadline)s")
        % {"deadline": long_datetime(signature.round.deadline)},
    )


def signature_pile(user) -> list[Pile]:
    """For an organisation's admin: the open signature rounds still waiting for their
    organisation's answer, the nearest deadline first."""
    if not can(user, Perm.CONTRIBUTION_SIGN):
        return []
    waiting = (
        Signature.objects.filter(
            organisation_id__in=actor_for(user).admin_organisation_ids,
            choice="",
            round__status=SignatureRound.Status.OPEN,
            round__deadline__gt=timezone.now(),
            round__drafting__status=Drafting.Status.SIGNING,
        )
        .select_related("round__drafting__contribution", "organisation")
        .order_by("round__deadline", "pk")
    )
    return [
        _pile(
            "to_sign",
            _("À signer"),
            _("Aucun texte n'attend la réponse de votre organisation."),
            waiting,
            _signature_item,
            reverse("drafting_index"),
        )
    ]


def association_piles(user) -> list[Pile]:
    organisation_ids = actor_for(user).staff_organisation_ids
    if not organisation_ids:
        return []
    mine = Initiative.objects.filter(lead_organisation_id__in=organisation_ids).select_related(
        "lead_organisation"
    )
    dashboard = reverse("workspace:dashboard")
    return [
        _pile(
            "drafts",
            _("Brouillons à terminer"),
            _("Aucun brouillon en cours."),
            mine.filter(status=S.DRAFT).order_by("-updated_at", "-pk"),
            _workspace_item,
            dashboard,
        ),
        _pile(
            "changes_requested",
            _("Modifications demandées par les instructeurs"),
            _("Aucune demande de modification en attente."),
            mine.filter(status=S.CHANGES_REQUESTED).order_by(
                F("status_changed_at").asc(nulls_last=True), "pk"
            ),
            _workspace_item,
            dashboard,
        ),
        *signature_pile(user),
    ]


def review_piles(user) -> list[Pile]:
    if not can(user, Perm.REVIEW_QUEUE):
        return []
    base = Initiative.objects.select_related("lead_organisation")
    oldest_first = (F("submitted_at").asc(nulls_last=True), "pk")
    return [
        _pile(
            "to_take",
            _("Soumissions à prendre"),
            _("Aucune soumission sans instructeur."),
            base.filter(status=S.SUBMITTED, assignee__isnull=True).order_by(*oldest_first),
            _review_item,
            _queue_url(status=S.SUBMITTED),
        ),
        _pile(
            "assigned",
            _("Qui me sont attribuées"),
            _("Aucune initiative ne vous est attribuée en ce moment."),
            base.filter(waiting_review_q(user), assignee=user).order_by(*oldest_first),
            _review_item,
            _queue_url(),
        ),
        _pile(
            "waiting_authors",
            _("En attente des auteurs"),
            _("Aucune initiative n'attend de modification de ses auteurs."),
            base.filter(status=S.CHANGES_REQUESTED).order_by(
                F("status_changed_at").asc(nulls_last=True), "pk"
            ),
            _review_item,
            _queue_url(status=S.CHANGES_REQUESTED),
        ),
    ]


def plan_piles(user) -> list[Pile]:
    if not can(user, Perm.PLAN_MANAGE):
        return []
    return [
        _pile(
            "partner_reports",
            _("Comptes rendus des partenaires à accepter"),
            _("Aucun compte rendu en attente."),
            PartnerReport.objects.filter(status=PartnerReport.Status.SUBMITTED)
            .select_related("action", "organisation")
            .order_by("submitted_at", "pk"),
            lambda report: Item(
                title=f"{report.action.code} — {report.action.title}",
                url=reverse("plan_admin:report", kwargs={"pk": report.pk}),
                detail=report.organisation.acronym,
                when=report.submitted_at,
            ),
            reverse("plan_admin:reports"),
        ),
        _pile(
            "plan_reviews",
            _("Revues du plan à mener"),
            _("Aucune revue du plan en cours."),
            PlanReview.objects.filter(status=PlanReview.Status.OPEN).order_by("held_on", "pk"),
            lambda review: Item(
                title=review.title,
                url=reverse("plan_admin:review", kwargs={"pk": review.pk}),
                when=review.held_on,
            ),
            reverse("plan_admin:reviews"),
        ),
    ]


def waiting_for(user) -> list[tuple[str, list[Pile]]]:
    """The user's piles of work, grouped by role (groups the user has no role for are left
    out)."""
    groups = [
        (_("Pour votre association"), association_piles(user)),
        (_("Instruction des initiatives"), review_piles(user)),
        (_("Suivi du plan d'action"), plan_piles(user)),
    ]
    return [(title, piles) for title, piles in groups if piles]
