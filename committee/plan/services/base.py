"""What every write on the plan shares: the update log, the event
kinds it records, and how dates and numbers are written in the log."""

from __future__ import annotations

import datetime
from decimal import Decimal

from committee.plan.models import (
    Action,
    ActionUpdate,
)

ACCOUNT_MAX_LENGTH = 4000


COMMENT_MAX_LENGTH = 4000


class Events:
    """Kinds of members.Event recorded by the plan (free text kinds of the outbox)."""

    REPORT_SUBMITTED = "plan_report_submitted"
    REPORT_ACCEPTED = "plan_report_accepted"
    REPORT_RETURNED = "plan_report_returned"
    REVIEW_OPENED = "plan_review_opened"
    REVIEW_CLOSED = "plan_review_closed"
    CONTRIBUTION_PUBLISHED = "contribution_published"
    CONTRIBUTION_UNPUBLISHED = "contribution_unpublished"


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
