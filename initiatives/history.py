"""The history of an initiative, readable by people: who changed what, when, as a diff.

Content comes from django-simple-history (one record per save and per change of a
many-to-many field), status from `StatusChange`. A form saved once writes several records
within a moment; they are shown as one change. Status fields are left out of the content
diff: transitions are conditional UPDATEs that write no history record, and they are shown
from `StatusChange`, with the reason given.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from initiatives.models import Initiative, StatusChange

# Records written this close together by the same person are one change.
GROUP_WINDOW = datetime.timedelta(seconds=5)
STATUS_FIELDS = {"status", "status_changed_at", "submitted_at", "published_at"}
NOT_SHOWN = {"id"} | STATUS_FIELDS
# Words with the spaces after them: a diff people read, punctuation kept with its word.
TOKENS = re.compile(r"\S+\s*|\s+")


@dataclass
class FieldChange:
    name: str
    label: str
    old: str = ""
    new: str = ""
    diff: SafeString | None = None  # long texts: inline <del>/<ins>
    added: list[str] = field(default_factory=list)  # many-to-many fields
    removed: list[str] = field(default_factory=list)


@dataclass
class HistoryEntry:
    at: datetime.datetime
    who: str  # empty when unknown (a script, a deleted account)
    kind: str  # "created", "edited" or "status"
    changes: list[FieldChange] = field(default_factory=list)
    from_status: str = ""
    to_status: str = ""
    comment: str = ""


def text_diff(old: str, new: str) -> SafeString:
    """Word-level diff of two texts as escaped HTML with <del> and <ins>."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    parts = []
    removed, inserted = _("supprimé :"), _("ajouté :")
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(
                f'<del><span class="fr-sr-only">[{escape(removed)}] </span>'
                f"{escape(''.join(a[i1:i2]))}</del>"
            )
        if op == "replace":
            parts.append(" ")
        if op in ("insert", "replace"):
            parts.append(
                f'<ins><span class="fr-sr-only">[{escape(inserted)}] </span>'
                f"{escape(''.join(b[j1:j2]))}</ins>"
            )
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


def _is_long_text(model_field) -> bool:
    if isinstance(model_field, models.TextField):
        return True
    return (
        isinstance(model_field, models.CharField)
        and not model_field.choices
        and (model_field.max_length or 0) >= 200
    )


def _display(model_field, value, labels: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        return labels.get(
            (model_field.related_model, value), _("n° %(pk)s (supprimé)") % {"pk": value}
        )
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return formats.localize(value, use_l10n=True) if not isinstance(value, str) else value


def _groups(records):
    groups: list[list] = []
    for record in records:
        if groups:
            head = groups[-1][0]
            if (
                record.history_user_id == head.history_user_id
                and record.history_date - head.history_date <= GROUP_WINDOW
                and record.history_type != "+"
            ):
                groups[-1].append(record)
                continue
        groups.append([record])
    return groups


def _m2m_values(records, m2m_fields) -> dict[str, dict[int, set]]:
    """For each many-to-many field, the related ids of each record: one query per field."""
    ids = [r.history_id for r in records]
    values: dict[str, dict[int, set]] = {}
    for m2m in m2m_fields:
        through = getattr(records[0], m2m.name).model
        related = next(
            f.attname
            for f in through._meta.fields
            if isinstance(f, models.ForeignKey) and f.related_model is m2m.related_model
        )
        per_record: dict[int, set] = {i: set() for i in ids}
        for history_id, related_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", related
        ):
            per_record[history_id].add(related_id)
        values[m2m.name] = per_record
    return values


def _labels(wanted: dict) -> dict:
    """Names of the related rows the diffs mention: one query per related model."""
    labels = {}
    for model, pks in wanted.items():
        if pks:
            for obj in model._default_manager.filter(pk__in=pks):
                labels[(model, obj.pk)] = str(obj)
    return labels


def initiative_history(initiative: Initiative) -> list[HistoryEntry]:
    """Every change of content and of status, oldest first."""
    records = list(
        initiative.history.select_related("history_user").order_by("history_date", "history_id")
    )
    entries: list[HistoryEntry] = []
    if records:
        entries += _content_entries(records)
    for change in StatusChange.objects.filter(initiative=initiative).select_related("by"):
        entries.append(
            HistoryEntry(
                at=change.at,
                who=str(change.by) if change.by else "",
                kind="status",
                from_status=change.get_from_status_display() or "—",
                to_status=change.get_to_status_display(),
                comment=change.comment,
            )
        )
    entries.sort(key=lambda e: (e.at, e.kind != "created"))
    return entries


def _content_entries(records) -> list[HistoryEntry]:
    model = records[0].instance_type
    m2m_fields = list(records[0]._history_m2m_fields)
    m2m_names = {f.name for f in m2m_fields}
    m2m = _m2m_values(records, m2m_fields)

    pairs = []  # (group, previous record or None, deltas)
    for group in _groups(records):
        last = group[-1]
        previous = pairs[-1][0][-1] if pairs else None
        delta = None
        if previous is not None:
            delta = last.diff_against(previous, excluded_fields=NOT_SHOWN | m2m_names)
        pairs.append((group, previous, delta))

    wanted: dict = {}
    for _group, _previous, delta in pairs:
        if delta is None:
            continue
        for change in delta.changes:
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, models.ForeignKey):
                wanted.setdefault(model_field.related_model, set()).update(
                    v for v in (change.old, change.new) if v is not None
                )
    for m2m_field in m2m_fields:
        wanted.setdefault(m2m_field.related_model, set()).update(*m2m[m2m_field.name].values())
    labels = _labels(wanted)

    # Changes are listed in the order of the model's fields (the form's), not alphabetically.
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())}
    entries = []
    for group, previous, delta in pairs:
        first, last = group[0], group[-1]
        who = str(first.history_user) if first.history_user else ""
        if previous is None:
            entries.append(HistoryEntry(at=first.history_date, who=who, kind="created"))
            continue
        changes = []
        for change in delta.changes:
            model_field = model._meta.get_field(change.field)
            label = str(model_field.verbose_name)
            if _is_long_text(model_field):
                changes.append(
                    FieldChange(
                        name=change.field,
                        label=label,
                        old=change.old or "",
                        new=change.new or "",
                        diff=text_diff(change.old or "", change.new or ""),
                    )
                )
            else:
                changes.append(
                    FieldChange(
                        name=change.field,
                        label=label,
                        old=_display(model_field, change.old, labels),
                        new=_display(model_field, change.new, labels),
                    )
                )
        for m2m_field in m2m_fields:
            before = m2m[m2m_field.name][previous.history_id]
            after = m2m[m2m_field.name][last.history_id]
            if before == after:
                continue
            related = m2m_field.related_model

            def names(pks, related=related):
                return sorted(
                    labels.get((related, pk), _("n° %(pk)s (supprimé)") % {"pk": pk}) for pk in pks
                )

            changes.append(
                FieldChange(
                    name=m2m_field.name,
                    label=str(m2m_field.verbose_name),
                    added=names(after - before),
                    removed=names(before - after),
                )
            )
        if changes:
            changes.sort(key=lambda c: order.get(c.name, len(order)))
            entries.append(
                HistoryEntry(at=first.history_date, who=who, kind="edited", changes=changes)
            )
    return entries
