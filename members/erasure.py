"""Erasing a person from what others keep (RGPD): the notifications and events that name them.

`user_anonymise` (members.services) calls `person_traces_erase` inside its transaction, then
sends `person_erased` so that the apps built on members erase what they hold (search
subscriptions, initiative contacts and their history); members imports none of them.
What is kept, and why: docs/personal-data.md.
"""

from __future__ import annotations

from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext as _

from members.models import Event, Notification

# Sent with user=<the anonymised user>, former_email=<str>, former_names=<list of str>.
person_erased = Signal()


def _replace(value, names: list[str], label: str):
    if isinstance(value, str):
        for name in names:
            if name and name.lower() in value.lower():
                return label if value.strip().lower() == name.lower() else _sub(value, name, label)
        return value
    if isinstance(value, list):
        return [_replace(v, names, label) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, names, label) for k, v in value.items()}
    return value


def _sub(text: str, name: str, label: str) -> str:
    import re

    return re.sub(re.escape(name), label, text, flags=re.IGNORECASE)


def person_traces_erase(*, user, former_email: str, former_names: list[str]) -> int:
    """Other people's notifications, and events, that name the person say instead "une
    personne qui a quitté le portail"; returns the number of rows changed."""
    label = _("une personne qui a quitté le portail")
    names = sorted({n for n in (*former_names, former_email) if n}, key=len, reverse=True)
    changed = 0
    notifications = Notification.objects.filter(
        Q(event__actor=user) | Q(data__actor__in=names) | Q(data__inviter__in=names)
    )
    for model, rows in ((Notification, notifications), (Event, Event.objects.filter(actor=user))):
        for row in rows.only("pk", "data"):
            data = _replace(row.data, names, label)
            if data != row.data:
                model.objects.filter(pk=row.pk).update(data=data)
                changed += 1
    return changed
