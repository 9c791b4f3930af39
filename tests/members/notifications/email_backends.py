"""Email backends that misbehave on purpose, for the delivery and fault-injection tests."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedBackend(LocmemBackend):
    """Raises the exceptions queued in `errors`, one per sending, then delivers to
    django.core.mail.outbox. `calls` counts every sending attempt."""

    errors: list = []
    calls = 0
    connections = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).connections += 1

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).errors:
            raise type(self).errors.pop(0)
        return super().send_messages(messages)

    @classmethod
    def reset(cls, errors=()):
        cls.errors = list(errors)
        cls.calls = 0
        cls.connections = 0


class FileOutboxBackend(BaseEmailBackend):
    """Writes each message to a file of NOTIFICATION_TEST_OUTBOX (one per message sent).

    While the file NOTIFICATION_TEST_BLOCK exists, a sending first writes `started` there
    and then hangs before delivering anything: a mail server that never answers, so that a
    test can kill the worker in the middle of sending.
    """

    def send_messages(self, messages):
        outbox = Path(os.environ["NOTIFICATION_TEST_OUTBOX"])
        block = Path(os.environ["NOTIFICATION_TEST_BLOCK"])
        if block.exists():
            (outbox / "started").write_text(str(os.getpid()))
            deadline = time.monotonic() + 60
            while block.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        for message in messages:
            name = f"sent-{uuid.uuid4().hex}.eml"
            (outbox / name).write_bytes(message.message().as_bytes())
        return len(messages)
