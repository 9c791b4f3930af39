"""The one place that answers "may this user do X on that object", and "which rows may
this user reach at all".

Views, templates, the API and services all ask `can(user, perm, obj)`, or `require(user,
perm, obj)` which raises PermissionDenied (a 403) when the answer is no; nothing else
decides. The rules are the matrix in docs/permissions.md. Views look objects up in a scope
of this module first (`private_scope`, `review_scope`, `reports_scope`), so an outsider gets
a 404, then `require` the right (a member without it gets a 403).

This module imports no other app of ours. An initiative is seen through the attributes it
carries (`status`, `lead_organisation_id`), so the rules hold for any object shaped like
one; its states are read from its model (`Initiative.Status`, resolved by name), and the
states in which a right applies from the workflow table (`initiatives.workflow.TRANSITIONS`),
which the initiatives app hands over when it is ready (`lifecycle_register`). Scopes take
the queryset to narrow, or resolve the model by name.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Membership, Organisation, User


class Perm(enum.StrEnum):
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
    DRAFTING_WORKSPACE = "drafting.workspace"  # the list of contributions being drafted
    AMENDMENT_PROPOSE = "amendment.propose"
    AMENDMENT_DECIDE = "amendment.decide"
    CONTRIBUTION_SIGN = "contribution.sign"
    # --- end of governance ---


OFFICIAL_ROLES = {Membership.Role.REVIEWER, Membership.Role.SECRETARIAT}
STAFF_ROLES = {Membership.Role.CONTRIBUTOR, Membership.Role.ADMIN}


def _status():
    """The initiative states, as the initiatives app declares them (read, never copied)."""
    return apps.get_model("initiatives", "Initiative").Status


# Right → the initiative states from which the workflow table lets it move an initiative.
_LIFECYCLE: dict[str, frozenset[str]] = {}


def lifecycle_register(transitions: Iterable) -> None:
    """Learn from the workflow table (objects with `action` and `sources`) in which states
    each right applies; the initiatives app calls it when it is ready. Until then, no
    decision on an initiative is allowed."""
    states: dict[str, set[str]] = {}
    for transition in transitions:
        states.setdefault(Perm(transition.action), set()).update(transition.sources)
    _LIFECYCLE.clear()
    _LIFECYCLE.update({perm: frozenset(sources) for perm, sources in states.items()})


def states_allowing(perm: Perm | str) -> frozenset[str]:
    """The initiative states from which a transition requiring `perm` may start."""
    return _LIFECYCLE.get(Perm(perm), frozenset())


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


def can(user, perm: Perm | str, obj=None) -> bool:
    """Whether `user` may do `perm` on `obj` (None for rights on no particular object)."""
    actor = actor_for(user)
    rule = _RULES.get(Perm(perm))
    if rule is None:  # pragma: no cover - every Perm has a rule (tested)
        return False
    return bool(rule(actor, obj))


DENIED = _("Vous n'avez pas le droit de faire cette action.")


def require(user, perm: Perm | str, obj=None, *, message: str | None = None) -> None:
    """Raise PermissionDenied (a 403) unless `user` may do `perm` on `obj`.

    `message` says why, for a service whose caller shows it; pages show their own 403."""
    if not can(user, perm, obj):
        raise PermissionDenied(message or DENIED)


def may_see_privately(user, obj) -> bool:
    """Whether the user sees `obj` (an initiative) beyond its public face: the rule of
    `private_scope`, for one object."""
    return _sees_privately(actor_for(user), obj)


# --- scopes: the rows a user may reach (look objects up in these: outsiders get a 404) ------


def private_scope(user, queryset: QuerySet | None = None) -> QuerySet:
    """Initiatives the user sees beyond their public face (workspace, thread, history):
    their associations' ones and, for officials, every initiative past the draft (a draft
    stays the association's business). `queryset`: initiatives to narrow (default: all)."""
    actor = actor_for(user)
    if queryset is None:
        queryset = apps.get_model("initiatives", "Initiative").objects.all()
    condition = Q(lead_organisation_id__in=actor.staff_organisation_ids)
    if actor.is_official:
        condition |= ~Q(status=_status().DRAFT)
    return queryset.filter(condition)


def review_scope(user, queryset: QuerySet | None = None) -> QuerySet:
    """Initiatives the review (/instruction/) may show to the user: for officials,
    everything but the associations' drafts; nothing for anyone else."""
    if queryset is None:
        queryset = apps.get_model("initiatives", "Initiative").objects.all()
    if not actor_for(user).is_official:
        return queryset.none()
    return queryset.exclude(status=_status().DRAFT)


def association_scope(user, queryset: QuerySet, *, field: str = "organisation_id") -> QuerySet:
    """Rows that belong to the user's own associations (where they are contributor or
    admin): `field` names the row's organisation (partner reports, the lead partners of
    plan actions)."""
    return queryset.filter(**{f"{field}__in": actor_for(user).staff_organisation_ids})


def team_organisations(user) -> QuerySet:
    """The organisations whose team this user manages (`member.manage`): all of them for
    the secretariat, their own for an association's admin, none for anyone else."""
    actor = actor_for(user)
    if actor.is_secretariat:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=actor.admin_organisation_ids)


def officials() -> QuerySet:
    """The active people with a ministry role (reviewer or secretariat), by name: those an
    initiative can be assigned to, who hear of submissions and receive the digest."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__role__in=OFFICIAL_ROLES,
            memberships__organisation__kind=Organisation.Kind.MINISTRY,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def in_review_scope(user, initiative) -> bool:
    """Whether `initiative` is in the user's `review_scope` (the same rule, for one object)."""
    return actor_for(user).is_official and initiative.status != _status().DRAFT


def reports_scope(user, queryset: QuerySet | None = None) -> QuerySet:
    """Reports the user may follow: officials see the ones they ordered, the secretariat
    sees every report. `queryset`: reports to narrow (default: all)."""
    actor = actor_for(user)
    if queryset is None:
        queryset = apps.get_model("committee", "Report").objects.all()
    if actor.is_secretariat:
        return queryset
    if actor.is_official:
        return queryset.filter(requested_by_id=actor.user_id)
    return queryset.none()


# --- rules -----------------------------------------------------------------------------------


def _is_own(actor: Actor, initiative) -> bool:
    return actor.role_in(getattr(initiative, "lead_organisation_id", None)) in STAFF_ROLES


def _sees_privately(actor: Actor, initiative) -> bool:
    # A draft belongs to its association until it is submitted.
    return _is_own(actor, initiative) or (
        actor.is_official and initiative.status != _status().DRAFT
    )


def _editable_by_association(initiative) -> bool:
    """The association changes what it may (re)submit: drafts and changes requested."""
    return initiative.status in states_allowing(Perm.INITIATIVE_SUBMIT)


def _view(actor, initiative):
    return initiative.status == _status().PUBLISHED or _sees_privately(actor, initiative)


def _create(actor, _obj):
    return bool(actor.staff_organisation_ids)


def _edit(actor, initiative):
    if _editable_by_association(initiative) and _is_own(actor, initiative):
        return True
    # The secretariat may correct any submitted, live initiative; the change is recorded.
    status = _status()
    return actor.is_secretariat and initiative.status not in {status.DRAFT, status.ARCHIVED}


def _submit(actor, initiative):
    return _editable_by_association(initiative) and _is_own(actor, initiative)


def _comment(actor, initiative):
    status = _status()
    if initiative.status in {status.DRAFT, status.ARCHIVED}:
        return False
    return _is_own(actor, initiative) or actor.is_official


def _official_while(perm: Perm):
    """Officials, on an initiative in a state from which the workflow allows `perm`."""

    def rule(actor, initiative):
        return actor.is_official and (
            initiative is None or initiative.status in states_allowing(perm)
        )

    return rule


def _document_download(actor, document):
    initiative = document.initiative
    if initiative.status == _status().PUBLISHED and document.is_public:
        return True
    return _sees_privately(actor, initiative)


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


def _report_order(actor, report):
    """Officials order reports; an ordered report (retry, download) is its requester's
    and the secretariat's."""
    if report is None:
        return actor.is_official
    return actor.is_official and (report.requested_by_id == actor.user_id or actor.is_secretariat)


_RULES = {
    Perm.INITIATIVE_VIEW: _view,
    Perm.INITIATIVE_CREATE: _create,
    Perm.INITIATIVE_EDIT: _edit,
    Perm.INITIATIVE_SUBMIT: _submit,
    Perm.INITIATIVE_COMMENT: _comment,
    # An official is assigned while a decision is pending.
    Perm.INITIATIVE_ASSIGN: _official_while(Perm.INITIATIVE_DECIDE),
    Perm.INITIATIVE_DECIDE: _official_while(Perm.INITIATIVE_DECIDE),
    Perm.INITIATIVE_UNPUBLISH: _official_while(Perm.INITIATIVE_UNPUBLISH),
    Perm.INITIATIVE_ARCHIVE: _official_while(Perm.INITIATIVE_ARCHIVE),
    Perm.DOCUMENT_DOWNLOAD: _document_download,
    Perm.MEMBER_INVITE: _invite,
    Perm.MEMBER_MANAGE: _invite,
    Perm.PLAN_VIEW_INTERNAL: _official,
    Perm.PLAN_MANAGE: _secretariat,
    Perm.PLAN_REPORT: _plan_report,
    Perm.CONTRIBUTION_MANAGE: _secretariat,
    Perm.STATISTICS_VIEW: _official,
    Perm.REPORT_ORDER: _report_order,
    Perm.REVIEW_QUEUE: _official,
}


# --- governance: sessions of the committee's bodies, contributions drafted together --------
# Objects are read through the attributes they carry (no import of the committee app):
# a session has `status`, `is_public`, `starts_at`, `representative_user_ids`; minutes have
# `status`, `remarks_until`, `session`, `reader_user_ids`; a contribution being drafted has
# `drafting_status`, `rapporteur_id`, `drafting_user_ids`; a signature has `organisation_id`
# and `is_open`. The workspace's scope (`drafting_scope`) resolves the models by name, like
# the other scopes.

SESSION_DRAFT = "draft"
SESSION_CONVENED = "convened"
MINUTES_DRAFT = "draft"
MINUTES_CIRCULATED = "circulated"
MINUTES_APPROVED = "approved"
DRAFTING = "drafting"
SIGNING = "signing"
ROUND_OPEN = "open"


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


def _drafting_reach(actor) -> Q:
    """The draftings someone other than the secretariat reaches in the workspace: those they
    draft (representative of a partner organisation in the drafting body, as in
    `drafting_user_ids`), those they are the rapporteur of, and, for an organisation's admin,
    those whose open signature round asks for their organisation's answer."""
    representative = apps.get_model("committee", "Representative")
    signature = apps.get_model("committee", "Signature")
    drafts = representative.objects.filter(
        body_id=OuterRef("body_id"), user_id=actor.user_id
    ).exclude(organisation__kind=Organisation.Kind.MINISTRY)
    condition = Q(rapporteur_id=actor.user_id) | Q(Exists(drafts))
    if actor.admin_organisation_ids:
        asked = signature.objects.filter(
            round__drafting_id=OuterRef("pk"),
            round__status=ROUND_OPEN,
            organisation_id__in=actor.admin_organisation_ids,
        )
        condition |= Q(status=SIGNING) & Q(Exists(asked))
    return condition


def drafting_scope(user, queryset: QuerySet | None = None) -> QuerySet:
    """Contributions being drafted together (`Drafting`) that the user reaches in the
    workspace (/espace/contributions/): every one for the secretariat; for others, the
    ones of `_drafting_reach`; none for a visitor. `queryset`: draftings to narrow."""
    actor = actor_for(user)
    if queryset is None:
        queryset = apps.get_model("committee", "Drafting").objects.all()
    if actor.is_secretariat:
        return queryset
    if not actor.is_authenticated:
        return queryset.none()
    return queryset.filter(_drafting_reach(actor))


def _drafting_workspace(actor, _obj):
    """The workspace of contributions drafted together is shown (menu, dashboard) to the
    secretariat, which opens draftings there, and to whoever reaches one (one query)."""
    if actor.is_secretariat:
        return True
    if not actor.is_authenticated:
        return False
    drafting = apps.get_model("committee", "Drafting")
    return drafting.objects.filter(_drafting_reach(actor)).exists()


def _contribution_sign(actor, signature):
    """Only the organisation's admin signs in its name, and only while the round is open."""
    if signature is None:
        return bool(actor.admin_organisation_ids)
    return signature.is_open and actor.role_in(signature.organisation_id) == Membership.Role.ADMIN


GOVERNANCE_ACTIONS = (
    Perm.SESSION_VIEW,
    Perm.SESSION_MANAGE,
    Perm.SESSION_REPLY,
    Perm.REPRESENTATIVE_NAME,
    Perm.MINUTES_VIEW,
    Perm.MINUTES_REMARK,
    Perm.DRAFTING_VIEW,
    Perm.DRAFTING_WORKSPACE,
    Perm.AMENDMENT_PROPOSE,
    Perm.AMENDMENT_DECIDE,
    Perm.CONTRIBUTION_SIGN,
)

_RULES.update(
    {
        Perm.SESSION_VIEW: _session_view,
        Perm.SESSION_MANAGE: _secretariat,
        Perm.SESSION_REPLY: _session_reply,
        Perm.REPRESENTATIVE_NAME: _invite,
        Perm.MINUTES_VIEW: _minutes_view,
        Perm.MINUTES_REMARK: _minutes_remark,
        Perm.DRAFTING_VIEW: _drafting_view,
        Perm.DRAFTING_WORKSPACE: _drafting_workspace,
        Perm.AMENDMENT_PROPOSE: _amendment_propose,
        Perm.AMENDMENT_DECIDE: _amendment_decide,
        Perm.CONTRIBUTION_SIGN: _contribution_sign,
    }
)
# --- end of governance ---------------------------------------------------------------------
