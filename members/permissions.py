"""The one place that answers "may this user do X on that object".

Views, templates, the API and services all ask `can(user, action, obj)`; nothing else
decides. The rules are the matrix in docs/permissions.md. This module imports no other app
of ours: an initiative is seen through the attributes it carries (`status`,
`lead_organisation_id`), so the rules hold for any object shaped like one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from members.models import Membership, Organisation


class Action(enum.StrEnum):
    # Initiatives
    INITIATIVE_VIEW = "initiative.view"
    INITIATIVE_CREATE = "initiative.create"
    INITIATIVE_EDIT = "initiative.edit"
    INITIATIVE_SUBMIT = "initiative.submit"
    INITIATIVE_COMMENT = "initiative.comment"
    INITIATIVE_ASSIGN = "initiative.assign"
    INITIATIVE_DECIDE = "initiative.decide"  # start review, request changes, publish, reject
    INITIATIVE_UNPUBLISH = "initiative.unpublish"
    INITIATIVE_ARCHIVE = "initiative.archive"
    DOCUMENT_DOWNLOAD = "document.download"
    # Organisation management
    MEMBER_INVITE = "member.invite"
    MEMBER_MANAGE = "member.manage"
    # Committee governance
    PLAN_VIEW_INTERNAL = "plan.view_internal"
    PLAN_MANAGE = "plan.manage"
    PLAN_REPORT = "plan.report"
    CONTRIBUTION_MANAGE = "contribution.manage"
    STATISTICS_VIEW = "statistics.view"
    REPORT_ORDER = "report.order"
    REVIEW_QUEUE = "review.queue"


# Initiative states, as stored (initiatives.models.Initiative.Status).
DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
PUBLISHED = "published"
REJECTED = "rejected"
ARCHIVED = "archived"

EDITABLE_BY_ASSOCIATION = {DRAFT, CHANGES_REQUESTED}
OFFICIAL_ROLES = {Membership.Role.REVIEWER, Membership.Role.SECRETARIAT}
STAFF_ROLES = {Membership.Role.CONTRIBUTOR, Membership.Role.ADMIN}


@dataclass(frozen=True)
class Actor:
    """What a user may act as, read once per request."""

    user_id: int | None
    roles: dict[int, str] = field(default_factory=dict)  # organisation id → role

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def role_in(self, organisation_id: int | None) -> str | None:
        return self.roles.get(organisation_id) if organisation_id else None

    @property
    def official_role(self) -> str | None:
        """The user's ministry role (reviewer or secretariat), if any."""
        for role in self.roles.values():
            if role == Membership.Role.SECRETARIAT:
                return role
        for role in self.roles.values():
            if role == Membership.Role.REVIEWER:
                return role
        return None

    @property
    def is_official(self) -> bool:
        return self.official_role is not None

    @property
    def is_secretariat(self) -> bool:
        return self.official_role == Membership.Role.SECRETARIAT

    @property
    def staff_organisation_ids(self) -> set[int]:
        return {org for org, role in self.roles.items() if role in STAFF_ROLES}

    @property
    def admin_organisation_ids(self) -> set[int]:
        return {org for org, role in self.roles.items() if role == Membership.Role.ADMIN}


ANONYMOUS = Actor(user_id=None)


def actor_for(user) -> Actor:
    """The user's memberships, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_portal_actor", None)
    if cached is not None:
        return cached
    roles = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    actor = Actor(user_id=user.pk, roles=roles)
    user._portal_actor = actor
    return actor


def can(user, action: Action | str, obj=None) -> bool:
    """Whether `user` may do `action` on `obj` (None for actions on no particular object)."""
    actor = actor_for(user)
    rule = _RULES.get(Action(action))
    if rule is None:  # pragma: no cover - every Action has a rule (tested)
        return False
    return bool(rule(actor, obj))


def may_see_privately(user, obj) -> bool:
    """Whether the user sees `obj` (an initiative) beyond its public face."""
    actor = actor_for(user)
    return _is_own(actor, obj) or actor.is_official


# --- rules -----------------------------------------------------------------------------------


def _is_own(actor: Actor, initiative) -> bool:
    return actor.role_in(getattr(initiative, "lead_organisation_id", None)) in STAFF_ROLES


def _view(actor, initiative):
    if initiative.status == PUBLISHED:
        return True
    # A draft belongs to its association until it is submitted.
    return _is_own(actor, initiative) or (actor.is_official and initiative.status != DRAFT)


def _create(actor, _obj):
    return bool(actor.staff_organisation_ids)


def _edit(actor, initiative):
    if initiative.status in EDITABLE_BY_ASSOCIATION and _is_own(actor, initiative):
        return True
    # The secretariat may correct any submitted, live initiative; the change is recorded.
    return actor.is_secretariat and initiative.status not in {DRAFT, ARCHIVED}


def _submit(actor, initiative):
    return initiative.status in EDITABLE_BY_ASSOCIATION and _is_own(actor, initiative)


def _comment(actor, initiative):
    if initiative.status in {DRAFT, ARCHIVED}:
        return False
    return _is_own(actor, initiative) or actor.is_official


def _official_on(states):
    def rule(actor, initiative):
        return actor.is_official and (initiative is None or initiative.status in states)

    return rule


def _document_download(actor, document):
    initiative = document.initiative
    if initiative.status == PUBLISHED and document.is_public:
        return True
    return _is_own(actor, initiative) or (actor.is_official and initiative.status != DRAFT)


def _invite(actor, organisation):
    if actor.is_secretariat:
        return True
    if organisation is None:
        return bool(actor.admin_organisation_ids)
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return actor.role_in(org_id) == Membership.Role.ADMIN


def _official(actor, _obj):
    return actor.is_official


def _secretariat(actor, _obj):
    return actor.is_secretariat


def _plan_report(actor, action):
    """Staff of a lead partner report on the actions their association leads."""
    if action is None:
        return bool(actor.staff_organisation_ids)
    lead_ids = {org.pk for org in action.lead_partners.all()}
    return bool(lead_ids & actor.staff_organisation_ids)


_RULES = {
    Action.INITIATIVE_VIEW: _view,
    Action.INITIATIVE_CREATE: _create,
    Action.INITIATIVE_EDIT: _edit,
    Action.INITIATIVE_SUBMIT: _submit,
    Action.INITIATIVE_COMMENT: _comment,
    Action.INITIATIVE_ASSIGN: _official_on({SUBMITTED, IN_REVIEW}),
    Action.INITIATIVE_DECIDE: _official_on({SUBMITTED, IN_REVIEW}),
    Action.INITIATIVE_UNPUBLISH: _official_on({PUBLISHED}),
    Action.INITIATIVE_ARCHIVE: _official_on({PUBLISHED, REJECTED}),
    Action.DOCUMENT_DOWNLOAD: _document_download,
    Action.MEMBER_INVITE: _invite,
    Action.MEMBER_MANAGE: _invite,
    Action.PLAN_VIEW_INTERNAL: _official,
    Action.PLAN_MANAGE: _secretariat,
    Action.PLAN_REPORT: _plan_report,
    Action.CONTRIBUTION_MANAGE: _secretariat,
    Action.STATISTICS_VIEW: _official,
    Action.REPORT_ORDER: _official,
    Action.REVIEW_QUEUE: _official,
}
