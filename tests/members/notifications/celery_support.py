"""Real Celery for the notification tests: an app on a given broker, an embedded worker
thread, and throwaway Redis servers and worker processes of the test's own.

Never the machine's shared Redis or PostgreSQL is stopped: the "Redis down" and "worker
killed" cases start their own redis-server on a free port and their own workers.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import redis
from django.db import connections

BASE_DIR = Path(__file__).resolve().parents[3]
SHARED_BROKER = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13"


def wait_until(predicate, *, timeout: float = 30, interval: float = 0.05, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on a free port, without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the fault-injection tests"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_until(lambda: _pings(client), timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except redis.RedisError:
        return False


@contextlib.contextmanager
def celery_app(broker_url: str, *, queue: str | None = None):
    """A Celery app on `broker_url` made current, so every `.delay()` goes there; the
    project's app is current again afterwards."""
    from celery import Celery

    from committee.celery import app as project_app

    app = Celery(
        "notifications-test",
        task_cls="celery.contrib.django.task:DjangoTask",
        set_as_current=False,
    )
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
        task_always_eager=False,
        task_default_queue=queue or f"cnpe-test-notifications-{uuid.uuid4().hex}",
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
    )
    app.set_current()
    app.set_default()
    try:
        yield app
    finally:
        project_app.set_current()
        project_app.set_default()
        with contextlib.suppress(Exception):
            redis.Redis.from_url(broker_url).delete(
                app.conf.task_default_queue, f"_kombu.binding.{app.conf.task_default_queue}"
            )
        app.close()


@contextlib.contextmanager
def embedded_worker(app):
    """A worker thread consuming the app's queue; `app.results` lists the tasks' returns."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    import members.notifications.delivery  # noqa: F401 - its tasks register with every app

    results: list = []
    lock = threading.Lock()

    def after_task(sender=None, retval=None, **kwargs):
        connections.close_all()  # the worker thread's connection must not outlive its task
        with lock:
            results.append(retval)

    task_postrun.connect(after_task, weak=False)
    app.results = results
    try:
        with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        task_postrun.disconnect(after_task)
        from committee.celery import app as project_app

        project_app.set_current()
        project_app.set_default()
        app.set_current()  # the caller's app stays current until its own context ends
        app.set_default()


def database_url() -> str:
    """The test database, as a URL for the worker subprocesses."""
    settings = connections["default"].settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class WorkerProcess:
    """`celery -A committee worker` in a process group of its own, on the given broker and
    the test database, sending mail with email_backends.FileOutboxBackend (this folder's)."""

    def __init__(self, *, broker_url: str, queue: str, name: str, env: dict, log: Path):
        self.command = [
            sys.executable, "-m", "celery", "-A", "committee", "worker",
            "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", queue, "-n", f"{name}@%h",
        ]  # fmt: skip
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
            "DJANGO_SETTINGS_MODULE": "tests.members.notifications.fault_settings",
            "DJANGO_ENV": "test",
            "DEBUG": "false",
            "REDIS_URL": broker_url,
            "DATABASE_URL": database_url(),
            "PYTHONPATH": str(BASE_DIR),
            **env,
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as handle:  # the child keeps its own copy of the file
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command,
                cwd=BASE_DIR,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed with its children
            )
        return self

    def wait_ready(self, timeout: float = 30) -> None:
        wait_until(
            lambda: b" ready." in self.log.read_bytes() or self._died(),
            timeout=timeout,
            what="the worker to be ready",
        )
        assert not self._died(), self.log.read_text()

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL to the whole worker (main process and its pool), as a machine crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
