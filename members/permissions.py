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
    # --- governance: sessions of the committee's bodies, contributions drafted together ---
    SESSION_VIEW = "session.view"
    SESSION_MANAGE = "session.manage"
    SESSION_REPLY = "session.reply"
    REPRESENTATIVE_NAME = "representative.name"
    MINUTES_VIEW = "minutes.view"
    MINUTES_REMARK = "minutes.remark"
    DRAFTING_VIEW = "drafting.view"
    AMENDMENT_PROPOSE = "amendment.propose"
    AMENDMENT_DECIDE = "amendment.decide"
    CONTRIBUTION_SIGN = "contribution.sign"
    # --- end of governance ---


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


# --- governance: sessions of the committee's bodies, contributions drafted together --------
# Objects are read through the attributes they carry (no import of the committee app):
# a session has `status`, `is_public`, `starts_at`, `representative_user_ids`; minutes have
# `status`, `remarks_until`, `session`, `reader_user_ids`; a contribution being drafted has
# `drafting_status`, `rapporteur_id`, `drafting_user_ids`; a signature has `organisation_id`
# and `is_open`.

SESSION_DRAFT = "draft"
SESSION_CONVENED = "convened"
MINUTES_DRAFT = "draft"
MINUTES_CIRCULATED = "circulated"
MINUTES_APPROVED = "approved"
DRAFTING = "drafting"


def _sits_in(actor, session) -> bool:
    return actor.user_id is not None and actor.user_id in session.representative_user_ids


def _session_view(actor, session):
    if session is None:
        return True
    if session.status == SESSION_DRAFT:
        return actor.is_secretariat
    return session.is_public or actor.is_secretariat or _sits_in(actor, session)


def _session_reply(actor, session):
    from django.utils import timezone

    if session is None:
        return False
    return (
        session.status == SESSION_CONVENED
        and session.starts_at > timezone.now()
        and _sits_in(actor, session)
    )


def _minutes_view(actor, minutes):
    if minutes is None:
        return True
    if actor.is_secretariat:
        return True
    session = minutes.session
    if minutes.status == MINUTES_APPROVED and session.is_public:
        return True
    if minutes.status == MINUTES_DRAFT:
        return False
    return actor.user_id is not None and actor.user_id in minutes.reader_user_ids


def _minutes_remark(actor, minutes):
    from django.utils import timezone

    if minutes is None or minutes.status != MINUTES_CIRCULATED:
        return False
    if minutes.remarks_until is not None and minutes.remarks_until <= timezone.now():
        return False
    return actor.user_id is not None and actor.user_id in minutes.reader_user_ids


def _drafter(actor, contribution) -> bool:
    return actor.user_id is not None and actor.user_id in contribution.drafting_user_ids


def _drafting_view(actor, contribution):
    if contribution is None:
        return actor.is_secretariat
    return (
        actor.is_secretariat
        or (actor.user_id is not None and actor.user_id == contribution.rapporteur_id)
        or _drafter(actor, contribution)
    )


def _amendment_propose(actor, contribution):
    if contribution is None:
        return False
    return contribution.drafting_status == DRAFTING and _drafter(actor, contribution)


def _amendment_decide(actor, contribution):
    if contribution is None:
        return actor.is_secretariat
    if contribution.drafting_status != DRAFTING:
        return False
    return actor.is_secretariat or (
        actor.user_id is not None and actor.user_id == contribution.rapporteur_id
    )


def _contribution_sign(actor, signature):
    """Only the organisation's admin signs in its name, and only while the round is open."""
    if signature is None:
        return bool(actor.admin_organisation_ids)
    return signature.is_open and actor.role_in(signature.organisation_id) == Membership.Role.ADMIN


GOVERNANCE_ACTIONS = (
    Action.SESSION_VIEW,
    Action.SESSION_MANAGE,
    Action.SESSION_REPLY,
    Action.REPRESENTATIVE_NAME,
    Action.MINUTES_VIEW,
    Action.MINUTES_REMARK,
    Action.DRAFTING_VIEW,
    Action.AMENDMENT_PROPOSE,
    Action.AMENDMENT_DECIDE,
    Action.CONTRIBUTION_SIGN,
)

_RULES.update(
    {
        Action.SESSION_VIEW: _session_view,
        Action.SESSION_MANAGE: _secretariat,
        Action.SESSION_REPLY: _session_reply,
        Action.REPRESENTATIVE_NAME: _invite,
        Action.MINUTES_VIEW: _minutes_view,
        Action.MINUTES_REMARK: _minutes_remark,
        Action.DRAFTING_VIEW: _drafting_view,
        Action.AMENDMENT_PROPOSE: _amendment_propose,
        Action.AMENDMENT_DECIDE: _amendment_decide,
        Action.CONTRIBUTION_SIGN: _contribution_sign,
    }
)
# --- end of governance ---------------------------------------------------------------------
