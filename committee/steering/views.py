"""The officials' statistics (/pilotage/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from committee.steering import charts, statistics
from members.permissions import Perm, require

SELECT_FILTERS = ("axis", "region", "department", "collectivity", "school_level", "year", "status")


def _cards(values: dict) -> list[dict]:
    """The headline figures, each with its definition."""
    figures = statistics.FIGURES
    # Every initiative has exactly one collectivity level: this total counts each once.
    selected = values["by_collectivity_level"]["total"]
    lead = values["lead_times"]
    departments = values["department_coverage"]
    rural = values["rural_communes"]

    def percent(share):
        return "—" if share is None else f"{number_format(share * 100, 1)} %"

    def days(value):
        return "—" if value is None else _("%(n)s jours") % {"n": number_format(value, 1)}

    return [
        {
            "label": _("Initiatives retenues"),
            "value": intcomma(selected),
            "detail": _("selon les critères choisis"),
        },
        {
            "label": _("Délai médian d'instruction"),
            "value": days(lead["median_days"]),
            "detail": _("90e centile : %(p90)s ; %(n)s décisions")
            % {"p90": days(lead["p90_days"]), "n": lead["count"]},
            "help": str(figures["lead_times"].description),
        },
        {
            "label": str(figures["department_coverage"].label),
            "value": percent(departments["share"]),
            "detail": _("%(covered)s sur %(total)s") % departments,
            "help": str(figures["department_coverage"].description),
        },
        {
            "label": str(figures["rural_communes"].label),
            "value": intcomma(rural["covered"]),
            "detail": _("%(share)s des %(total)s communes de moins de 2 000 habitants")
            % {"share": percent(rural["share"]), "total": intcomma(rural["total"])},
            "help": str(figures["rural_communes"].description),
        },
        {
            "label": str(figures["late_actions"].label),
            "value": intcomma(values["late_actions"]["count"]),
            "detail": str(figures["late_actions"].description),
        },
        {
            "label": str(figures["late_milestones"].label),
            "value": intcomma(values["late_milestones"]["count"]),
            "detail": str(figures["late_milestones"].description),
        },
    ]


def _select_fields(filterset, params: dict[str, str]) -> list[dict]:
    """The criteria shown as lists, each with its "all" option first and the choice kept."""
    choices = filterset.choices
    options = {
        "axis": [(str(n), label) for n, label in choices.axes],
        "region": choices.regions,
        "department": filterset.department_choices_shown,
        "collectivity": list(filterset.filters["collectivity"].extra["choices"]),
        "school_level": choices.school_levels,
        "year": [(str(year), str(year)) for year in choices.years],
        "status": list(filterset.filters["status"].extra["choices"]),
    }
    empty = {"status": _("Publiées")}
    return [
        {
            "name": name,
            "label": filterset.filters[name].label,
            "empty_label": empty.get(name, _("Tous")),
            "options": [
                (str(value), label, params.get(name) == str(value))
                for value, label in options[name]
            ],
        }
        for name in SELECT_FILTERS
    ]


@login_required
@require_GET
def statistics_page(request):
    require(request.user, Perm.STATISTICS_VIEW)
    filterset = statistics.statistics_filterset(request.GET)
    errors = [str(e) for errs in filterset.form.errors.values() for e in errs]
    values = statistics.compute_all(filterset)
    params = statistics.filter_params(filterset)
    return render(
        request,
        "pilotage/statistics.html",
        {
            "filterset": filterset,
            "select_fields": _select_fields(filterset, params),
            "params": params,
            "errors": errors,
            # Rendered once per computation of the figures (a cached fragment): callables,
            # so that a cache hit builds neither the cards nor the charts.
            "cards": lambda: _cards(values),
            "sections": lambda: charts.figure_sections(statistics.FIGURES.values(), values),
            "values": values,
            "fragment_key": f"{urlencode(params)}|{values['_computed_at']}",
            "figures": statistics.FIGURES,
            "order_query": urlencode(params),
        },
    )
