"""The demo's mailbox: emails sent outside production kept on disk and listed at
/dev/courriels/, their links clickable.

`MailboxBackend` is the email backend of `make run` when no EMAIL_URL is set: it writes each
message to MAILBOX_DIR (one .eml file each) and still prints it on the console. The page is
routed only when settings.DEV_MAILBOX is on, which production forces off (committee.urls).
"""

from __future__ import annotations

import email
import email.policy
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

MAILBOX_LIMIT = 50


def mailbox_dir() -> Path:
    return Path(settings.MAILBOX_DIR)


class MailboxBackend(ConsoleBackend):
    """Prints each email like the console backend and keeps a copy for /dev/courriels/."""

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        folder = mailbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages or ():
            if not message.recipients():
                continue
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
        return sent


@dataclass(frozen=True)
class StoredEmail:
    name: str
    sent_at: datetime | None
    sender: str
    to: str
    subject: str
    text: str


def _read(path: Path) -> StoredEmail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    try:
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError):  # an unknown charset: show what can be read
        text = body.get_payload(decode=True).decode("utf-8", "replace") if body else ""
    try:
        sent_at = email.utils.parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        sent_at = None
    return StoredEmail(
        name=path.stem,
        sent_at=sent_at,
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        text=text,
    )


def stored_emails(limit: int = MAILBOX_LIMIT) -> list[StoredEmail]:
    """The latest emails kept by MailboxBackend, newest first."""
    folder = mailbox_dir()
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in paths]


@never_cache
@require_safe
def mailbox(request):
    keeps = f"{__name__}.MailboxBackend" == settings.EMAIL_BACKEND
    return render(
        request,
        "dev/mailbox.html",
        {"emails": stored_emails(), "keeps": keeps, "folder": mailbox_dir()},
    )
