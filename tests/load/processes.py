"""Processes of the load and fault tests: free ports, a gunicorn server, a threaded load
client. One implementation, the bench's (benchmarks/procs.py: no Django, no app code); the
load tests only name their own cache prefix."""

from __future__ import annotations

from benchmarks.procs import (  # noqa: F401 - re-exported for the load tests
    BASE_DIR,
    Gunicorn,
    LoadResult,
    free_port,
    http_get,
    http_load,
)
from benchmarks.procs import server_env as _server_env


def server_env(**settings) -> dict:
    settings.setdefault("cache_prefix", "cnpe-load")
    return _server_env(**settings)
