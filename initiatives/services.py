"""Writes on initiatives. Every state change goes through `initiative_transition`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from initiatives.documents import document_attach, document_remove
from initiatives.fields import M2M_FIELDS, SCALAR_FIELDS
from initiatives.models import Comment, Document, Initiative, StatusChange
from initiatives.models import Status as S
from initiatives.notifications import Kinds
from initiatives.workflow import TRANSITIONS, TransitionConflict, TransitionError
from members.notifications.outbox import bundled
from members.permissions import OFFICIAL_ROLES, STAFF_ROLES, Perm, actor_for, can, require
from members.services import event_record
from referentials.models import Territory


@transaction.atomic
def initiative_transition(
    *, initiative: Initiative, name: str, by, comment: str = ""
) -> StatusChange:
    """Move `initiative` along transition `name`, or raise and change nothing.

    The move is a conditional UPDATE on the state read by the caller: of two officials
    deciding at once, one wins and the other gets `TransitionConflict`. The move is recorded
    (StatusChange, and an Event in the same transaction); the Event notifies the people
    concerned (initiatives.notifications), by email once it has committed.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError(_("Action inconnue."))
    require(
        by,
        transition.action,
        initiative,
        message=_("Vous n'avez pas le droit de faire cette action."),
    )
    if initiative.status not in transition.sources:
        raise TransitionError(
            _("Impossible de « %(action)s » une initiative au statut « %(status)s ».")
            % {"action": transition.label.lower(), "status": initiative.get_status_display()}
        )
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise TransitionError(_("Un commentaire est obligatoire pour cette décision."))

    now = timezone.now()
    changes = {"status": transition.target, "status_changed_at": now, "updated_at": now}
    if transition.target == S.SUBMITTED:
        changes["submitted_at"] = now
    if transition.target == S.PUBLISHED:
        changes["published_at"] = now
    # Conditional on the state the caller read (status and when it last moved), so a stale
    # object never overwrites a newer decision, even one that came back to the same status.
    updated = Initiative.objects.filter(
        pk=initiative.pk,
        status=initiative.status,
        status_changed_at=initiative.status_changed_at,
    ).update(**changes)
    if updated != 1:
        raise TransitionConflict(
            _(
                "Cette initiative vient d'être modifiée par quelqu'un d'autre : "
                "rechargez la page pour voir son nouvel état."
            )
        )
    change = StatusChange.objects.create(
        initiative=initiative,
        from_status=initiative.status,
        to_status=transition.target,
        by=by,
        comment=comment,
    )
    for field, value in changes.items():
        setattr(initiative, field, value)
    event_record(
        kind=TRANSITION_EVENTS[name],
        actor=by,
        organisation=initiative.lead_organisation,
        target=initiative,
        data={"from": change.from_status, "to": change.to_status, "comment": comment},
    )
    if S.PUBLISHED in (change.from_status, change.to_status):
        from initiatives.selectors import catalogue_changed

        transaction.on_commit(lambda: catalogue_changed([initiative.pk]))
    return change


def initiative_submit(*, initiative: Initiative, by) -> StatusChange:
    return initiative_transition(initiative=initiative, name="submit", by=by)


def initiative_publish(*, initiative: Initiative, by, comment: str = "") -> StatusChange:
    return initiative_transition(initiative=initiative, name="publish", by=by, comment=comment)


def initiative_request_changes(*, initiative: Initiative, by, comment: str) -> StatusChange:
    return initiative_transition(
        initiative=initiative, name="request_changes", by=by, comment=comment
    )


def initiative_reject(*, initiative: Initiative, by, comment: str) -> StatusChange:
    return initiative_transition(initiative=initiative, name="reject", by=by, comment=comment)


# --- Review: events of transitions, assignment, the private thread --------------------------
# Who is told of each event, and how: initiatives.notifications.

TRANSITION_EVENTS = {
    "submit": Kinds.SUBMITTED,
    "start_review": Kinds.REVIEW_STARTED,
    "request_changes": Kinds.CHANGES_REQUESTED,
    "publish": Kinds.PUBLISHED,
    "reject": Kinds.REJECTED,
    "unpublish": Kinds.UNPUBLISHED,
    "archive": Kinds.ARCHIVED,
}
COMMENT_MAX_LENGTH = 5000


def review_url(initiative: Initiative) -> str:
    """Absolute link for officials (emails leave the site)."""
    return settings.SITE_URL + reverse("review:detail", kwargs={"pk": initiative.pk})


def workspace_url(initiative: Initiative) -> str:
    """Absolute link to the association's private page of the initiative."""
    path = reverse("workspace:initiative_detail", kwargs={"pk": initiative.pk})
    return settings.SITE_URL + path


def _check_assignee(assignee) -> None:
    if assignee is None:
        return
    if not assignee.is_active or not actor_for(assignee).is_official:
        raise ValidationError(
            _(
                "%(name)s ne peut pas instruire d'initiative : seuls les instructeurs et le "
                "secrétariat du ministère le peuvent."
            )
            % {"name": assignee},
            code="not_official",
        )


@transaction.atomic
def initiative_assign(*, initiative: Initiative, assignee, by) -> bool:
    """Give the initiative to an official (or to nobody); False when nothing changed.

    The row is locked and re-read so the assignment (and its history record) applies to
    the current state, not to what the caller loaded. The assignee is told (the ASSIGNED
    event's notification), unless they assigned themselves.
    """
    _check_assignee(assignee)
    current = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if not can(by, Perm.INITIATIVE_ASSIGN, current):
        if actor_for(by).is_official:
            raise ValidationError(
                _("Une initiative au statut « %(status)s » ne peut pas être assignée.")
                % {"status": current.get_status_display()},
                code="not_assignable",
            )
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))
    new_id = assignee.pk if assignee is not None else None
    previous_id = current.assignee_id
    initiative.assignee = assignee
    if previous_id == new_id:
        return False
    current.assignee = assignee
    current._history_user = by
    current.save(update_fields=["assignee"])
    event_record(
        kind=Kinds.ASSIGNED,
        actor=by,
        organisation=initiative.lead_organisation,
        target=initiative,
        data={"assignee": new_id, "previous": previous_id},
    )
    return True


@dataclass
class BulkAssignment:
    assigned: list[Initiative]
    unchanged: list[Initiative]
    refused: list[tuple[Initiative, str]]


@transaction.atomic
def initiatives_bulk_assign(*, initiatives, assignee, by) -> BulkAssignment:
    """Assign several initiatives at once; those that cannot be are reported, not fatal.

    The assignee gets one email listing them all (members.notifications.outbox.bundled), and one
    in-app notification per initiative.
    """
    _check_assignee(assignee)
    result = BulkAssignment(assigned=[], unchanged=[], refused=[])
    with bundled():
        for initiative in initiatives:
            try:
                with transaction.atomic():
                    changed = initiative_assign(initiative=initiative, assignee=assignee, by=by)
            except (PermissionDenied, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                result.refused.append((initiative, message))
                continue
            (result.assigned if changed else result.unchanged).append(initiative)
    return result


def comment_side(user, initiative: Initiative) -> int | None:
    """The organisation the user speaks for in this initiative's thread, if any."""
    actor = actor_for(user)
    if actor.role_in(initiative.lead_organisation_id) in STAFF_ROLES:
        return initiative.lead_organisation_id
    for organisation_id, role in actor.roles.items():
        if role in OFFICIAL_ROLES:
            return organisation_id
    return None


@transaction.atomic
def comment_post(*, initiative: Initiative, author, body: str) -> Comment:
    """Post to the private thread between the officials and the association."""
    require(
        author,
        Perm.INITIATIVE_COMMENT,
        initiative,
        message=_("Vous ne pouvez pas écrire dans la discussion de cette initiative."),
    )
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Écrivez un message avant de l'envoyer."), code="required")
    if "\x00" in body:  # no database text can hold it; only a crafted request sends it
        raise ValidationError(_("Le message contient un caractère nul."), code="null_characters")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            _("Un message compte au plus %(max)s caractères ; celui-ci en compte %(n)s.")
            % {"max": COMMENT_MAX_LENGTH, "n": len(body)},
            code="max_length",
        )
    organisation_id = comment_side(author, initiative)
    from_association = organisation_id == initiative.lead_organisation_id
    comment = Comment.objects.create(
        initiative=initiative,
        author=author,
        author_organisation_id=organisation_id,
        body=body,
    )
    event_record(
        kind=Kinds.COMMENTED,
        actor=author,
        organisation=initiative.lead_organisation,
        target=initiative,
        data={"comment": comment.pk, "side": "association" if from_association else "ministry"},
    )
    return comment


# --- Drafting: association staff write initiatives and attach documents --------------------

SLUG_ATTEMPTS = 5


def _unique_slug(title: str) -> str:
    """The title as a slug, suffixed -2, -3… when taken."""
    from django.utils.text import slugify

    base = slugify(title)[:200].strip("-") or "initiative"
    taken = set(Initiative.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _save_with_one_history_record(
    initiative: Initiative, *, m2m: dict, by, reason: str, created: bool
) -> None:
    """Save fields and relations as ONE history record (not one per relation changed), so
    that each edit reads as one diff."""
    initiative._history_user = by
    initiative._change_reason = reason[:100]
    initiative.skip_history_when_saving = True
    try:
        initiative.save()
        for name, values in m2m.items():
            getattr(initiative, name).set(values)
    finally:
        del initiative.skip_history_when_saving
    initiative.save(update_fields=["updated_at"])  # the history record, relations included
    if created:
        Initiative.history.filter(id=initiative.pk).update(history_type="+")


def _is_outside_edit(initiative: Initiative, by) -> bool:
    """An edit the association did not make on its own draft: the secretariat's correction
    of a live initiative. Such edits are recorded as events."""
    own = actor_for(by).role_in(initiative.lead_organisation_id) in STAFF_ROLES
    return not own or initiative.status not in {S.DRAFT, S.CHANGES_REQUESTED}


def _record_outside_edit(initiative: Initiative, *, by, fields: list[str]) -> None:
    if not _is_outside_edit(initiative, by):
        return
    event_record(
        kind=Kinds.EDITED,
        actor=by,
        organisation=initiative.lead_organisation,
        target=initiative,
        data={"fields": fields, "status": initiative.status},
    )
    if initiative.status == S.PUBLISHED:
        from initiatives.selectors import catalogue_changed

        transaction.on_commit(lambda: catalogue_changed([initiative.pk]))


@transaction.atomic
def initiative_create(*, data: dict, by) -> Initiative:
    """A new draft led by one of `by`'s associations; `data` as InitiativeForm.service_data."""
    from django.db import IntegrityError

    lead = data["lead_organisation"]
    if not can(by, Perm.INITIATIVE_CREATE) or (
        actor_for(by).role_in(getattr(lead, "pk", None)) not in STAFF_ROLES
    ):
        raise PermissionDenied(_("Vous ne pouvez pas créer d'initiative pour cette association."))
    initiative = Initiative(
        **{name: data[name] for name in SCALAR_FIELDS if name in data},
        status=S.DRAFT,
        created_by=by,
    )
    m2m = {name: data[name] for name in M2M_FIELDS if name in data}
    for attempt in range(SLUG_ATTEMPTS):
        initiative.slug = _unique_slug(initiative.title)
        try:
            with transaction.atomic():
                _save_with_one_history_record(
                    initiative, m2m=m2m, by=by, reason=_("Création du brouillon"), created=True
                )
        except IntegrityError:
            # Somebody took the same slug a moment ago: try the next suffix.
            initiative.pk = None
            initiative._state.adding = True
            if (
                attempt == SLUG_ATTEMPTS - 1
                or not Initiative.objects.filter(slug=initiative.slug).exists()
            ):
                raise
            continue
        break
    return initiative


@transaction.atomic
def initiative_update(*, initiative: Initiative, data: dict, by) -> list[str]:
    """Apply `data` to the initiative; returns the names of the fields that changed.

    Allowed to the association on its drafts and changes-requested items, and to the
    secretariat on any live initiative (then recorded as an EDITED event). The row is locked
    and the right checked again on its current state.
    """
    current = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require(
        by, Perm.INITIATIVE_EDIT, current, message=_("Cette initiative ne peut plus être modifiée.")
    )
    lead = data.get("lead_organisation")
    moved = lead is not None and lead.pk != current.lead_organisation_id
    if moved and actor_for(by).role_in(lead.pk) not in STAFF_ROLES:
        raise PermissionDenied(_("Vous ne pouvez pas confier l'initiative à cette association."))
    changed = []
    for name in SCALAR_FIELDS:
        if name not in data:
            continue
        field = Initiative._meta.get_field(name)
        old = getattr(current, field.attname)
        new = data[name].pk if field.is_relation and data[name] is not None else data[name]
        if old != new:
            setattr(current, name, data[name])
            changed.append(name)
    m2m = {}
    for name in M2M_FIELDS:
        if name not in data:
            continue
        old_ids = set(getattr(current, name).values_list("pk", flat=True))
        if old_ids != {item.pk for item in data[name]}:
            m2m[name] = data[name]
            changed.append(name)
    if not changed:
        return []
    _save_with_one_history_record(
        current,
        m2m=m2m,
        by=by,
        reason=_("Modification : %(fields)s") % {"fields": ", ".join(changed)},
        created=False,
    )
    _record_outside_edit(current, by=by, fields=changed)
    for name in SCALAR_FIELDS:
        setattr(initiative, name, getattr(current, name))
    return changed


@transaction.atomic
def document_add(*, initiative: Initiative, upload, by, title: str = "", is_public: bool = True):
    """Attach an uploaded file, after checking what it really is (initiatives.documents).

    Raises ValidationError (message for the user) and writes nothing when it is refused.
    """
    current = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require(
        by,
        Perm.INITIATIVE_EDIT,
        current,
        message=_("Les documents de cette initiative ne peuvent plus changer."),
    )
    document = document_attach(
        Document(initiative=current, is_public=is_public), upload=upload, title=title, by=by
    )
    _record_outside_edit(current, by=by, fields=["documents"])
    return document


@transaction.atomic
def document_delete(*, document, by) -> None:
    """Remove a document and, once committed, its file."""
    current = Initiative.objects.select_for_update().get(pk=document.initiative_id)
    require(
        by,
        Perm.INITIATIVE_EDIT,
        current,
        message=_("Les documents de cette initiative ne peuvent plus changer."),
    )
    document_remove(document)
    _record_outside_edit(current, by=by, fields=["documents"])


def initiatives_follow_territories(*, territory_ids: list[int]) -> int:
    """Copy again what initiatives keep of their lead collectivity, after territories changed.

    The level, codes and population band are columns of the initiative (for the filters);
    the search vector holds the names of the collectivity, its département and its région.
    Assigning the lead collectivity to itself makes the search trigger rebuild the vector.
    Returns the number of initiatives refreshed.
    """
    changed = Territory.objects.filter(pk__in=territory_ids)
    affected = Initiative.objects.filter(
        Q(lead_collectivity_id__in=territory_ids)
        | Q(department_code__in=changed.filter(level=Territory.Level.DEPARTMENT).values("code"))
        | Q(region_code__in=changed.filter(level=Territory.Level.REGION).values("code"))
    )
    lead = Territory.objects.filter(pk=OuterRef("lead_collectivity_id"))
    limits = [high for _low, high, _label in Territory.POPULATION_BANDS if high is not None]
    band = Case(
        *(When(population__lt=high, then=Value(i)) for i, high in enumerate(limits)),
        default=Value(len(limits)),
        output_field=IntegerField(),
    )
    refreshed = affected.update(
        collectivity_level=Subquery(lead.values("level")[:1]),
        region_code=Subquery(lead.values("region_code")[:1]),
        department_code=Subquery(lead.values("department_code")[:1]),
        population_band=Subquery(lead.annotate(band=band).values("band")[:1]),
        lead_collectivity=F("lead_collectivity"),
    )
    if refreshed:
        from initiatives.selectors import catalogue_changed

        transaction.on_commit(catalogue_changed)
    return refreshed
