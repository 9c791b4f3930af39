"""Measurements run in a fresh interpreter: a report's time and peak memory, notifications."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.procs import BASE_DIR, QueryCounter


def run_child(kind: str) -> dict:
    """Run one measurement in a fresh interpreter (`python -m benchmarks bench --child KIND`): a
    report's time and peak resident memory, or the notifications' delivery."""
    with tempfile.TemporaryDirectory(prefix="bench-child-") as tmp:
        out = Path(tmp) / "result.json"
        completed = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "benchmarks", "bench", "--child", kind, "--child-out", str(out)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if completed.returncode != 0 or not out.exists():
            return {"error": (completed.stderr or completed.stdout)[-2000:]}
        return json.loads(out.read_text())


def run_child_measure(kind: str) -> dict:
    """In the child: the measurement `kind`, as a JSON-ready dict."""
    if kind == "notifications":
        from members.notifications_bench import bench_notifications

        return bench_notifications(count=1000)
    return build_report(kind)


def _rss_mb() -> float:
    """This process's peak resident memory, in MB.

    Read from /proc (VmHWM), which starts afresh with the process's own image: Linux's
    getrusage(ru_maxrss) keeps, across exec, the peak of the process that forked it (here
    the bench itself, holding the whole dataset's pages), so every report would show it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)  # kB
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def build_report(kind: str) -> dict:
    """In the child: build the report into a temporary file, measuring it."""
    from django.db import connection

    from committee.reports import builders as rb

    builders = {
        "xlsx": (rb.build_initiatives_xlsx, {"filters": {"status": "all"}}),
        "plan": (rb.build_action_plan_pdf, {}),
        "region": (rb.build_region_summary_pdf, {"region": "84"}),
    }
    builder, params = builders[kind]
    # Import what the builder imports lazily, so that only the build itself is measured.
    if kind == "xlsx":
        import openpyxl  # noqa: F401
    else:
        import weasyprint  # noqa: F401
    rss_before = _rss_mb()
    counter = QueryCounter()
    with tempfile.TemporaryFile() as out, connection.execute_wrapper(counter):
        started = time.perf_counter()
        builder(params, out, lambda percent: None)
        seconds = time.perf_counter() - started
        size = out.tell()
    rows = None
    if kind == "xlsx":
        rows = rb.initiatives_queryset(params).count()
    return {
        "seconds": seconds,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _rss_mb(),
        "size_mb": round(size / 1_048_576, 2),
        "queries": counter.count,
        "rows": rows,
    }
