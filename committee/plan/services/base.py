"""What every write on the plan shares: the update log, and how dates and numbers are written
in the log. The event kinds the plan records are declared in committee.plan.notifications."""

from __future__ import annotations

import datetime
from decimal import Decimal

from committee.plan.models import (
    Action,
    ActionUpdate,
)

ACCOUNT_MAX_LENGTH = 4000


COMMENT_MAX_LENGTH = 4000


def log_update(action: Action, *, by, kind: str, text: str) -> ActionUpdate:
    author = by if getattr(by, "is_authenticated", False) else None
    return ActionUpdate.objects.create(action=action, author=author, kind=kind, text=text)


def date_text(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def number_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return text.replace(".", ",")
