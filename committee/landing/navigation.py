"""The header's entries for the signed-in person, from their roles.

The permission names are imported here only (the rest of the package imports them from
this module), so a rename in members.permissions is a one-line change.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from members.permissions import (
    Perm,  # noqa: F401 - re-exported for the package
    actor_for,
    can,
)

__all__ = ["Perm", "actor_for", "can", "header_entries", "navigation", "waiting_review_count"]


@dataclass
class Entry:
    label: str
    url: str
    count: int | None = None
    current: str = ""  # "page" on the entry's own page, "true" inside its section


def waiting_review_q(user) -> Q:
    """Initiatives waiting for this official: submitted and taken by nobody, or assigned to
    them and not yet decided."""
    from initiatives.models import Status as S

    return Q(status=S.SUBMITTED, assignee__isnull=True) | Q(
        status__in=[S.SUBMITTED, S.IN_REVIEW], assignee=user
    )


def waiting_review_count(user) -> int:
    from initiatives.models import Initiative

    return Initiative.objects.filter(waiting_review_q(user)).count()


def header_entries(user) -> list[Entry]:
    """The work areas the user's roles open, in the header's order. One query for the
    memberships (cached on the user for the request), one EXISTS for the contributions being
    drafted (none for the secretariat, who always has them), one COUNT for officials."""
    if not getattr(user, "is_authenticated", False):
        return []
    entries = [Entry(_("Tableau de bord"), reverse("landing"))]
    if can(user, Perm.INITIATIVE_CREATE):
        entries.append(Entry(_("Mon espace"), reverse("workspace:dashboard")))
    if can(user, Perm.DRAFTING_WORKSPACE):
        entries.append(Entry(_("Contributions en rédaction"), reverse("drafting_index")))
    if can(user, Perm.REVIEW_QUEUE):
        entries.append(
            Entry(_("Instruction"), reverse("review:queue"), count=waiting_review_count(user))
        )
    if can(user, Perm.STATISTICS_VIEW):
        entries.append(Entry(_("Pilotage"), reverse("pilotage")))
    if can(user, Perm.PLAN_MANAGE):
        entries.append(Entry(_("Gestion du plan"), reverse("plan_admin:index")))
    return entries


def _mark_current(entries: list[Entry], path: str) -> list[Entry]:
    """The entry whose address is the longest prefix of the page's is the current one."""
    inside = [entry for entry in entries if path.startswith(entry.url)]
    if inside:
        best = max(inside, key=lambda entry: len(entry.url))
        best.current = "page" if best.url == path else "true"
    return entries


def navigation(request) -> dict:
    """Context processor: `work_entries`, computed only if a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "work_entries": SimpleLazyObject(lambda: _mark_current(header_entries(user), request.path))
    }
