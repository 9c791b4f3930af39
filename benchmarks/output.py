"""The bench's output: the JSON file and the table printed at the end."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.runner import Bench


def results(bench: Bench, dataset: dict) -> dict:
    """The JSON written to $BENCH_OUT."""
    scenarios = {}
    for measure in bench.measures:
        key = measure.name
        if measure.cache not in ("-", "warm"):
            key += f" ({measure.cache})"  # "… (uncached)", "… (cold)"
        scenarios[key] = measure.as_json()
    return {
        "scenarios": scenarios,
        "baseline": bench.baseline.as_json() if bench.baseline else {},
        "throughput": bench.throughput,
        "memory": bench.memory,
        "dataset": dataset,
        "notes": bench.notes,
        "settings": {
            "warmup": bench.config.warmup,
            "requests": bench.config.requests,
            "cold_requests": bench.config.cold_requests,
            "throughput_duration_s": bench.config.duration,
            "throughput_connections": bench.config.connections,
        },
    }


def table(bench: Bench) -> str:
    """The table printed at the end."""
    header = (
        "scénario",
        "cache",
        "p50 ms",
        "p95 ms",
        "requêtes",
        "× base",
        "cible p95",
        "verdict",
    )
    rows = []
    for m in [bench.baseline, *bench.measures] if bench.baseline else bench.measures:
        target = ""
        if m.target_p95_ms is not None:
            target = f"≤ {m.target_p95_ms:g} ms"
            if m.max_queries is not None:
                target += f", ≤ {m.max_queries} req."
        if m.extra.get("target_mb"):
            target += f", ≤ {m.extra['target_mb']} Mo"
        queries = "" if m.queries is None else str(m.queries)
        if m.queries_min is not None and m.queries_min != m.queries:
            queries = f"{m.queries_min}–{m.queries}"
        name = m.name
        if m.extra.get("peak_rss_mb"):
            name += f" [{m.extra['peak_rss_mb']} Mo RSS max]"
        rows.append(
            (
                name,
                m.cache,
                fmt(m.p50_ms),
                fmt(m.p95_ms),
                queries,
                fmt(m.ratio_to_baseline, "×"),
                target,
                m.verdict or m.note,
            )
        )
    lines = [_table(header, rows)]
    if bench.throughput:
        lines.append("")
        t_header = (
            "débit (gunicorn, 2 workers)",
            "outil",
            "conn.",
            "req/s",
            "p50 ms",
            "erreurs",
        )
        t_rows = [
            (
                f"{name} {s['url']}",
                s.get("tool", ""),
                str(s.get("connections", "")),
                fmt(s.get("requests_per_s")),
                fmt(s.get("latency_p50_ms")),
                str(s.get("non_2xx_or_errors", "?")),
            )
            for name, s in bench.throughput.items()
        ]
        lines.append(_table(t_header, t_rows))
    if bench.memory.get("gunicorn_workers"):
        sizes = ", ".join(
            f"RSS {fmt(w['rss_mb'])} Mo (PSS {fmt(w['pss_mb'])} Mo)"
            for w in bench.memory["gunicorn_workers"]
        )
        target = bench.memory.get("target_rss_mb")
        lines.append(
            f"mémoire des workers gunicorn après la charge (cible ≤ {target} Mo) : {sizes}"
        )
    for note in bench.notes:
        lines.append(f"note : {note}")
    return "\n".join(lines)


def fmt(value, suffix: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value >= 100:
        return f"{value:,.0f}".replace(",", " ") + suffix
    return f"{value:g}{suffix}" if isinstance(value, float) else f"{value}{suffix}"


def _table(header: tuple, rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5}

    def line(row):
        cells = []
        for i, cell in enumerate(row):
            cells.append(str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i]))
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
