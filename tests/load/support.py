"""Throwaway services for the load and fault tests: databases, a PostgreSQL cluster, Redis.

Never touch the machine's shared PostgreSQL or Redis beyond creating and dropping a database
of our own: other tests and CI use them. Whatever must be stopped or restarted is started
here, on free loopback ports, and always cleaned up.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from .processes import BASE_DIR, free_port, server_env

SEEDED_INITIATIVES = 300


def shared_server() -> dict:
    """Connection settings of the PostgreSQL the tests run on (skip if not PostgreSQL)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Les tests de charge demandent PostgreSQL (DATABASE_URL=postgres://…).")
    return {
        "host": db.get("HOST") or "127.0.0.1",
        "port": int(db.get("PORT") or 5432),
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or "",
    }


def database_url(server: dict, name: str) -> str:
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    return f"postgres://{auth}@{server['host']}:{server['port']}/{name}"


def _admin(server: dict):
    return psycopg.connect(
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def database_create(server: dict, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _admin(server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def database_drop(server: dict, name: str) -> None:
    with contextlib.suppress(psycopg.Error), _admin(server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database: str, timeout: float = 180, module: str = "") -> None:
    """Run a management command against `database` in a fresh interpreter (`python -m
    module` instead of manage.py when given)."""
    command = ["-m", module] if module else ["manage.py"]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, *command, *args],
        cwd=BASE_DIR,
        env=server_env(database_url=database, redis_url=None),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command + list(args))}:\n{completed.stderr[-3000:]}")


def database_prepare(url: str) -> None:
    """Migrate, then seed a few hundred published-mostly initiatives (territories included)."""
    manage("migrate", "--no-input", "-v", "0", database=url)
    manage(
        "seed_bulk",
        "--initiatives",
        str(SEEDED_INITIATIVES),
        "-v",
        "0",
        database=url,
        module="benchmarks",
    )


def redis_prefix_delete(redis_url: str, prefix: str) -> None:
    import redis

    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# -- a PostgreSQL cluster of our own --------------------------------------------------------


def _pg_binary(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


class ThrowawayPostgres:
    """initdb + pg_ctl on a free port, data and socket in a temporary folder.

    initdb refuses to run as root: as root, the cluster belongs to the `postgres` system
    user and its commands run through runuser.
    """

    def __init__(self):
        self.initdb = _pg_binary("initdb")
        self.pg_ctl = _pg_binary("pg_ctl")
        if not self.initdb or not self.pg_ctl:
            pytest.skip("initdb/pg_ctl introuvables (paquet postgresql).")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("Pas d'utilisateur système postgres pour initdb.")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cnpe-pg-"))
        self.data = self.dir / "data"
        if self.as_user:
            shutil.chown(self.dir, user="postgres", group="postgres")
        self.server = {"host": "127.0.0.1", "port": self.port, "user": "postgres", "password": ""}

    def _run(self, *args: str, timeout: float = 60) -> None:
        completed = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, our arguments
            [*self.as_user, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.dir,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}:\n{completed.stdout}\n{completed.stderr}")

    @property
    def options(self) -> str:
        return (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )

    def start(self) -> ThrowawayPostgres:
        self._run(
            self.initdb,
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "--no-locale",
            "-E",
            "UTF8",
        )
        self._ctl("start")
        return self

    def _ctl(self, action: str, *extra: str) -> None:
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            self.options,
            *extra,
            action,
        )

    def restart(self) -> None:
        """Stop (fast: sessions are cut) and start again; returns once it accepts connections."""
        self._ctl("restart", "-m", "fast")

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


# -- a Redis of our own ---------------------------------------------------------------------


class ThrowawayRedis:
    def __init__(self):
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("redis-server introuvable (paquet redis-server).")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cnpe-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        import redis

        self.process = subprocess.Popen(  # noqa: S603 - the redis-server binary, our arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                client = redis.Redis(port=self.port, socket_timeout=1)
                client.ping()
                client.close()
                return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def keys(self) -> int:
        import redis

        client = redis.Redis(port=self.port, socket_timeout=1)
        try:
            return client.dbsize()
        finally:
            client.close()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.kill()
        self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)
