"""Minutes: drafted per agenda item by the secretariat, circulated for remarks until a
deadline, then approved. Every saved state is a version; two versions compare as a diff.
Approving applies the decisions to the plan through the plan's own services, each once, with
a note in the action's update log that links to the minutes.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.sessions.models import (
    AgendaItem,
    Decision,
    Minutes,
    MinutesEntry,
    MinutesRemark,
    MinutesVersion,
    Session,
)
from committee.sessions.notifications import Kinds
from committee.sessions.services import require
from committee.sessions.texts import day_text
from members.permissions import Perm
from members.services import event_record

DECISION_KEYS = {
    "code",
    "title",
    "objective",
    "axis",
    "status",
    "start_date",
    "due_date",
    "lead_partners",
}


def minutes_text(entries: dict, items, *, public: bool = False) -> str:
    """The minutes as one text, item by item (closed items left out of the public text)."""
    parts = []
    for item in items:
        if public and item.is_closed:
            continue
        parts.append(f"{item.position}. {item.title}\n\n{entries.get(str(item.pk), '').strip()}")
    return "\n\n".join(parts).strip() + "\n"


@transaction.atomic
def minutes_start(*, by, session: Session) -> Minutes:
    """Open the minutes of a session that has begun (one per session)."""
    require(by, Perm.SESSION_MANAGE)
    if session.status != Session.Status.CONVENED or session.starts_at > timezone.now():
        raise ValidationError(_("Le procès-verbal s'ouvre une fois la séance tenue."))
    minutes, created = Minutes.objects.get_or_create(session=session)
    if created:
        MinutesEntry.objects.bulk_create(
            MinutesEntry(minutes=minutes, agenda_item=item) for item in session.agenda_items.all()
        )
    return minutes


@transaction.atomic
def minutes_save(*, by, minutes: Minutes, texts: dict, version: int) -> MinutesVersion:
    """Save the text of each item as a new version. `version` is the version the writer
    started from: if someone saved in between, nothing is written and they are told."""
    require(by, Perm.SESSION_MANAGE)
    current = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if current.status == Minutes.Status.APPROVED:
        raise ValidationError(_("Ce procès-verbal est approuvé : il ne se modifie plus."))
    if current.version != version:
        raise ValidationError(
            _(
                "Le procès-verbal a été enregistré par quelqu'un d'autre entre-temps "
                "(version %(version)s) : rechargez la page, votre texte n'a pas été perdu "
                "mais n'est pas enregistré."
            )
            % {"version": current.version}
        )
    items = list(AgendaItem.objects.filter(session_id=current.session_id).order_by("position"))
    known = {str(item.pk) for item in items}
    texts = {str(k): (v or "").replace("\r\n", "\n") for k, v in texts.items()}
    unknown = set(texts) - known
    if unknown:
        raise ValidationError(_("Un point de l'ordre du jour est inconnu."))
    entries = {}
    for entry in current.entries.select_related("agenda_item"):
        key = str(entry.agenda_item_id)
        if key in texts and texts[key] != entry.text:
            entry.text = texts[key]
            entry.save(update_fields=["text"])
        entries[key] = entry.text
    for item in items:
        if str(item.pk) not in entries:  # an item added after the minutes were opened
            text = texts.get(str(item.pk), "")
            MinutesEntry.objects.create(minutes=current, agenda_item=item, text=text)
            entries[str(item.pk)] = text
    current.version += 1
    current.save(update_fields=["version"])
    minutes.version = current.version
    return MinutesVersion.objects.create(
        minutes=current,
        number=current.version,
        entries=entries,
        text=minutes_text(entries, items),
        author=by,
    )


@transaction.atomic
def minutes_circulate(*, by, minutes: Minutes, until: datetime.datetime) -> Minutes:
    """Send the draft to the representatives and attendees for remarks until `until`."""
    require(by, Perm.SESSION_MANAGE)
    current = Minutes.objects.select_for_update().get(pk=minutes.pk)
    if current.status == Minutes.Status.APPROVED:
        raise ValidationError(_("Ce procès-verbal est déjà approuvé."))
    if current.version == 0:
        raise ValidationError(_("Enregistrez d'abord le texte du procès-verbal."))
    if until is None or until <= timezone.now():
        raise ValidationError({"until": _("La date limite des remarques doit être à venir.")})
    current.status = Minutes.Status.CIRCULATED
    current.remarks_until = until
    current.save(update_fields=["status", "remarks_until"])
    event_record(
        kind=Kinds.MINUTES_CIRCULATED, actor=by, target=current, data={"until": day_text(until)}
    )
    minutes.status, minutes.remarks_until = current.status, current.remarks_until
    return current


@transaction.atomic
def minutes_remark_add(
    *, by, minutes: Minutes, text: str, agenda_item: AgendaItem | None = None
) -> MinutesRemark:
    require(by, Perm.MINUTES_REMARK, minutes)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("La remarque est vide.")})
    if agenda_item is not None and agenda_item.session_id != minutes.session_id:
        raise ValidationError({"agenda_item": _("Ce point n'est pas à l'ordre du jour.")})
    return MinutesRemark.objects.create(
        minutes=minutes, author=by, agenda_item=agenda_item, text=text[:4000]
    )


# --- decisions ------------------------------------------------------------------------------


def _check_changes(effect: str, action, changes: dict) -> dict:
    from committee.plan.models import Action

    unknown = set(changes) - DECISION_KEYS
    if unknown:
        raise ValidationError({"changes": _("Champ inconnu : %(f)s.") % {"f": ", ".join(unknown)}})
    if "status" in changes and changes["status"] not in Action.Status.values:
        raise ValidationError({"changes": _("Statut d'action inconnu.")})
    for key in ("start_date", "due_date"):
        if changes.get(key):
            try:
                datetime.date.fromisoformat(changes[key])
            except (TypeError, ValueError):
                raise ValidationError({"changes": _("Date invalide.")}) from None
    if effect == Decision.Effect.UPDATE_ACTION:
        if action is None:
            raise ValidationError({"action": _("Choisissez l'action que la décision modifie.")})
        if not changes:
            raise ValidationError({"changes": _("Indiquez ce que la décision change.")})
    elif effect == Decision.Effect.CREATE_ACTION:
        missing = {"code", "title", "objective", "axis"} - {k for k, v in changes.items() if v}
        if missing:
            raise ValidationError(
                {"changes": _("Pour créer une action : code, intitulé, objectif et axe.")}
            )
    return changes


@transaction.atomic
def decision_add(
    *,
    by,
    agenda_item: AgendaItem,
    text: str,
    effect: str = Decision.Effect.NONE,
    action=None,
    changes: dict | None = None,
) -> Decision:
    require(by, Perm.SESSION_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Le texte de la décision est obligatoire.")})
    if effect not in Decision.Effect.values:
        raise ValidationError({"effect": _("Effet inconnu.")})
    minutes = getattr(agenda_item.session, "minutes", None)
    if minutes is not None and minutes.status == Minutes.Status.APPROVED:
        raise ValidationError(_("Ce procès-verbal est approuvé : il ne se modifie plus."))
    changes = _check_changes(effect, action, dict(changes or {}))
    return Decision.objects.create(
        agenda_item=agenda_item,
        text=text,
        effect=effect,
        action=action if effect == Decision.Effect.UPDATE_ACTION else None,
        changes=changes,
    )


def _action_data(decision: Decision, action=None):
    from committee.plan.services.actions import ActionData
    from members.models import Organisation

    changes = decision.changes

    def date(key, default):
        if key not in changes:
            return default
        return datetime.date.fromisoformat(changes[key]) if changes[key] else None

    axis = (
        Axis.objects.get(number=int(changes["axis"]))
        if changes.get("axis")
        else getattr(action, "axis", None)
    )
    partners = (
        list(Organisation.objects.filter(acronym__in=changes["lead_partners"]))
        if "lead_partners" in changes
        else list(action.lead_partners.all())
        if action
        else []
    )
    return ActionData(
        axis=axis,
        code=changes.get("code", getattr(action, "code", "")),
        title=changes.get("title", getattr(action, "title", "")),
        objective=changes.get("objective", getattr(action, "objective", "")),
        lead_partners=partners,
        status=changes.get("status", getattr(action, "status", "planned")),
        start_date=date("start_date", getattr(action, "start_date", None)),
        due_date=date("due_date", getattr(action, "due_date", None)),
    )


def _apply(decision: Decision, *, by, session: Session) -> None:
    from committee.plan.services.actions import action_create, action_note_add, action_update

    link = f"{settings.SITE_URL}{session.get_absolute_url()}#decision-{decision.pk}"
    note = _(
        "Décision de la séance « %(title)s » du %(day)s : %(text)s Procès-verbal : %(link)s"
    ) % {
        "title": session.title,
        "day": day_text(session.starts_at),
        "text": decision.text,
        "link": link,
    }
    if decision.effect == Decision.Effect.CREATE_ACTION:
        action = action_create(by=by, data=_action_data(decision))
        decision.action = action
    else:
        action = decision.action
        if action is None:
            raise ValidationError(_("L'action visée par une décision n'existe plus."))
        action_update(action=action, by=by, data=_action_data(decision, action))
    action_note_add(action=action, by=by, text=note)
    decision.applied_at = timezone.now()
    decision.save(update_fields=["action", "applied_at"])


@transaction.atomic
def minutes_approve(*, by, minutes: Minutes) -> Minutes:
    """Approve circulated minutes once the remarks are closed, then apply the decisions to
    the plan (all or nothing: a decision the plan refuses leaves everything as it was)."""
    require(by, Perm.SESSION_MANAGE)
    current = Minutes.objects.select_for_update().select_related("session").get(pk=minutes.pk)
    if current.status != Minutes.Status.CIRCULATED:
        raise ValidationError(_("Le procès-verbal doit d'abord être soumis aux remarques."))
    if current.remarks_until and current.remarks_until > timezone.now():
        raise ValidationError(
            _("Les remarques sont ouvertes jusqu'au %(day)s.")
            % {"day": day_text(current.remarks_until)}
        )
    decisions = Decision.objects.filter(
        agenda_item__session_id=current.session_id, applied_at__isnull=True
    ).exclude(effect=Decision.Effect.NONE)
    for decision in decisions.select_related("action", "agenda_item"):
        try:
            _apply(decision, by=by, session=current.session)
        except ValidationError as error:
            raise ValidationError(
                _("La décision « %(text)s » ne peut pas être appliquée au plan : %(why)s")
                % {"text": decision.text[:80], "why": " ".join(error.messages)}
            ) from error
    current.status = Minutes.Status.APPROVED
    current.approved_at = timezone.now()
    current.approved_by = by
    current.save(update_fields=["status", "approved_at", "approved_by"])
    minutes.status, minutes.approved_at = current.status, current.approved_at
    return current


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added", "removed", "same"
    text: str


def versions_diff(a: MinutesVersion, b: MinutesVersion) -> list[DiffLine]:
    """What changed from version a to version b, line by line."""
    lines = []
    for line in difflib.ndiff(a.text.splitlines(), b.text.splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        kind = {"+ ": "added", "- ": "removed"}.get(code, "same")
        lines.append(DiffLine(kind=kind, text=text))
    return lines
