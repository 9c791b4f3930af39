"""Settings of the worker subprocesses started by the fault-injection tests."""

from committee.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.members.notifications.email_backends.FileOutboxBackend"
