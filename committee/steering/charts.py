"""Bar charts as server-rendered SVG: no script, readable by screen readers, printable.

Pure functions from rows to markup. Every chart is an `<svg role="img">` named by its
`<title>` and described by its `<desc>` (what it shows, the highest value); each bar carries
its value as text, and in grouped charts the series name too, so nothing is told by colour
alone. Pages put the data table right after the chart (RGAA 1.3: an equivalent to an
information-bearing image).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 720
LABEL_WIDTH = 250
VALUE_SPACE = 140
ROW_HEIGHT = 26
BAR_HEIGHT = 18
GROUP_GAP = 10
PADDING = 8
# Presentation attributes, not style attributes: the CSP allows no inline style.
FONT = 'font-family="Marianne, Arial, sans-serif" font-size="13"'
# DSFR "bleu France" and "gris mention": both above 3:1 against white. On pages,
# static/css/pilotage.css swaps them for the theme's (dark mode included).
COLOURS = ("#000091", "#666666")
MAX_LABEL_CHARS = 34


def _number(value) -> str:
    return number_format(value, force_grouping=True)


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _bar_width(value, largest) -> float:
    if not largest or not value:
        return 0
    return max(1.0, (WIDTH - LABEL_WIDTH - VALUE_SPACE) * value / largest)


def _frame(dom_id: str, title: str, description: str, height: int, body: list[str]) -> SafeString:
    dom_id = escape(dom_id)
    return mark_safe(  # noqa: S308 - every text above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="portal-chart" '
        f'id="{dom_id}" aria-labelledby="{dom_id}-title" aria-describedby="{dom_id}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{dom_id}-title">{escape(title)}</title>'
        f'<desc id="{dom_id}-desc">{escape(description)}</desc>'
        f"<g {FONT}>{''.join(body)}</g></svg>"
    )


def _empty(dom_id: str, title: str) -> SafeString:
    text = _("Aucune donnée pour ces critères.")
    body = [f'<text x="{PADDING}" y="24" fill="#3a3a3a">{escape(text)}</text>']
    return _frame(dom_id, title, text, 40, body)


def describe(rows: Sequence[tuple[str, float]], *, unit: str = "") -> str:
    """A sentence saying what a reader sees first: how many bars, the highest one."""
    shown = [(label, value) for label, value in rows]
    if not shown or not any(value for _label, value in shown):
        return _("Aucune donnée pour ces critères.")
    label, value = max(shown, key=lambda row: row[1])
    suffix = f" {unit}" if unit else ""
    return _(
        "Diagramme en barres de %(n)s valeurs ; la plus élevée : %(label)s (%(value)s%(unit)s). "
        "Le tableau qui suit donne toutes les valeurs."
    ) % {"n": len(shown), "label": label, "value": _number(value), "unit": suffix}


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    dom_id: str,
    title: str,
    description: str | None = None,
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value), in the given order."""
    if not rows or not any(value for _label, value in rows):
        return _empty(dom_id, title)
    largest = max(value for _label, value in rows)
    body = []
    for index, (label, value) in enumerate(rows):
        y = PADDING + index * ROW_HEIGHT
        width = _bar_width(value, largest)
        middle = y + BAR_HEIGHT / 2
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="#161616">{escape(_short(label))}</text>'
            f'<rect class="portal-chart__bar--0" x="{LABEL_WIDTH}" y="{y}" '
            f'width="{width:.1f}" height="{BAR_HEIGHT}" fill="{COLOURS[0]}"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle" fill="#161616">'
            f"{escape(_number(value))}{escape(' ' + unit if unit else '')}</text>"
        )
    height = PADDING * 2 + len(rows) * ROW_HEIGHT
    return _frame(dom_id, title, description or describe(rows, unit=unit), height, body)


def grouped_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    dom_id: str,
    title: str,
    description: str | None = None,
) -> SafeString:
    """Horizontal bars grouped by category, one bar per series, each labelled with its name."""
    values = [value for _name, numbers in series for value in numbers]
    if not categories or not any(values):
        return _empty(dom_id, title)
    largest = max(values)
    group_height = len(series) * (BAR_HEIGHT + 2) + GROUP_GAP
    body = []
    for index, category in enumerate(categories):
        top = PADDING + index * group_height
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + BAR_HEIGHT:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="#161616">{escape(_short(category))}</text>'
        )
        for position, (name, numbers) in enumerate(series):
            value = numbers[index]
            y = top + position * (BAR_HEIGHT + 2)
            width = _bar_width(value, largest)
            body.append(
                f'<rect class="portal-chart__bar--{position % len(COLOURS)}" x="{LABEL_WIDTH}" '
                f'y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{COLOURS[position % len(COLOURS)]}"></rect>'
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR_HEIGHT / 2:.1f}" '
                f'dominant-baseline="middle" fill="#161616">'
                f"{escape(name)} : {escape(_number(value))}</text>"
            )
    height = PADDING * 2 + len(categories) * group_height
    if description is None:
        totals = ", ".join(f"{name} : {_number(sum(numbers))}" for name, numbers in series)
        description = _(
            "Diagramme en barres groupées sur %(n)s périodes (%(totals)s au total). "
            "Le tableau qui suit donne toutes les valeurs."
        ) % {"n": len(categories), "totals": totals}
    return _frame(dom_id, title, description, height, body)


# -- figures → charts and tables ----------------------------------------------------------

CHART_MAX_BARS = 15
CHART_MAX_QUARTERS = 12


def figure_sections(figures, values: dict[str, dict], *, id_prefix: str = "figure") -> list[dict]:
    """What pages and PDF reports show for each charted figure: its chart and its table.

    `figures` are `committee.steering.statistics.Figure`s; `values` their computed values. A long
    series (départements) is charted for its CHART_MAX_BARS highest values, the quarters for
    the last CHART_MAX_QUARTERS; tables keep every row.
    """
    sections = []
    for figure in figures:
        value = values.get(figure.name)
        if value is None or not figure.has_chart:
            continue
        label, dom_id = str(figure.label), f"{id_prefix}-{figure.name.replace('_', '-')}"
        if figure.kind == "series":
            rows = value["rows"]
            shown = rows[:CHART_MAX_BARS]
            note = (
                _("Le diagramme montre les %(n)s premières valeurs ; le tableau les donne toutes.")
                % {"n": CHART_MAX_BARS}
                if len(rows) > CHART_MAX_BARS
                else ""
            )
            chart = bar_chart(
                [(row["label"], row["value"]) for row in shown], dom_id=dom_id, title=label
            )
            table = {
                "headers": [_("Valeur"), _("Initiatives")],
                "rows": [[row["label"], row["value"]] for row in rows],
                "footer": [_("Total"), value["total"]],
            }
        else:  # quarters
            rows = value["rows"]
            series = value["series"]
            shown = rows[-CHART_MAX_QUARTERS:]
            note = (
                _("Le diagramme montre les %(n)s derniers trimestres ; le tableau les donne tous.")
                % {"n": CHART_MAX_QUARTERS}
                if len(rows) > CHART_MAX_QUARTERS
                else ""
            )
            chart = grouped_bar_chart(
                [row["label"] for row in shown],
                [(str(name), [row[key] for row in shown]) for key, name in series],
                dom_id=dom_id,
                title=label,
            )
            table = {
                "headers": [_("Trimestre"), *[str(name) for _key, name in series]],
                "rows": [[row["label"], *[row[key] for key, _n in series]] for row in rows],
                "footer": [
                    _("Total"),
                    *[value[f"total_{key}"] for key, _n in series],
                ],
            }
        sections.append(
            {
                "name": figure.name,
                "dom_id": dom_id,
                "label": label,
                "description": str(figure.description),
                "chart": chart,
                "note": note,
                "table": table,
            }
        )
    return sections
