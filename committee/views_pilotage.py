"""Steering pages for officials (/pilotage/): statistics, and the reports they order.

Anonymous visitors are sent to the login page; signed-in users without the right get 403
(`can()` decides). A report is looked up within what the user may see (their own, or all
for the secretariat): anything else is 404, so report numbers reveal nothing.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee import charts, statistics
from committee.models import Report
from committee.report_builders import CONTENT_TYPES
from committee.report_services import (
    ReportError,
    may_manage,
    report_request,
    report_retry,
    reports_visible_to,
)
from initiatives.documents import file_download
from members.permissions import Action, actor_for, can

REPORTS_SHOWN = 50
SELECT_FILTERS = ("axis", "region", "department", "collectivity", "school_level", "year", "status")


def _require(user, action: Action) -> None:
    if not can(user, action):
        raise PermissionDenied(_("Cette page est réservée aux agents du ministère."))


# -- statistics -------------------------------------------------------------------------------


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
    _require(request.user, Action.STATISTICS_VIEW)
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


# -- reports ----------------------------------------------------------------------------------


class ReportOrderForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Rapport"), choices=Report.Kind.choices, widget=forms.RadioSelect
    )
    review = forms.ChoiceField(
        label=gettext_lazy("Revue du plan (pour le plan d'action)"), required=False
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Région (pour la synthèse régionale)"), required=False
    )

    def __init__(self, *args, regions=(), reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Choisir une région")), *regions]
        self.fields["review"].choices = [("", _("Le plan tel qu'il est aujourd'hui")), *reviews]


REVIEWS_OFFERED = 20


def _review_choices() -> list[tuple[str, str]]:
    """The latest plan reviews, which the action-plan report can be built from."""
    from committee.models import PlanReview

    return [
        (str(review.pk), f"{review.title} ({date_format(review.held_on, 'j F Y')})")
        for review in PlanReview.objects.order_by("-held_on", "-pk")[:REVIEWS_OFFERED]
    ]


def _report_rows(user, regions: dict[str, str]):
    reports = reports_visible_to(user).select_related("requested_by")[:REPORTS_SHOWN]
    return [
        {
            "report": report,
            "region": regions.get(report.params.get("region"), report.params.get("region")),
            "may_retry": report.status == Report.Status.FAILED and may_manage(user, report),
            "status_url": reverse("pilotage_report_status", kwargs={"pk": report.pk}),
            "file_url": reverse("pilotage_report_file", kwargs={"pk": report.pk}),
            "pending": report.status in (Report.Status.QUEUED, Report.Status.RUNNING),
        }
        for report in reports
    ]


@login_required
@require_http_methods(["GET", "POST"])
def reports_page(request):
    """The user's reports (all of them for the secretariat) and the order form.

    Catalogue filters in the query string (from /pilotage/) apply to the spreadsheet.
    """
    _require(request.user, Action.REPORT_ORDER)
    filterset = statistics.statistics_filterset(request.GET)
    filters = statistics.filter_params(filterset)
    form = ReportOrderForm(
        request.POST or None, regions=filterset.choices.regions, reviews=_review_choices()
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        params = {
            "filters": filters,
            "region": form.cleaned_data["region"],
            "review_id": form.cleaned_data["review"],
        }
        try:
            report = report_request(kind=kind, params=params, by=request.user)
        except ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Votre rapport « %(kind)s » est commandé : il apparaît ci-dessous.")
                % {"kind": report.get_kind_display()},
            )
            return redirect(reverse("pilotage_reports") + f"#rapport-{report.pk}")
    rows = _report_rows(request.user, dict(filterset.choices.regions))
    return render(
        request,
        "pilotage/reports.html",
        {
            "form": form,
            "rows": rows,
            "filters": [
                (str(filterset.filters[name].label), value) for name, value in filters.items()
            ],
            "query": urlencode(filters),
            "any_pending": any(row["pending"] for row in rows),
            "settings_ttl": settings.REPORT_TTL_HOURS,
            "is_secretariat": actor_for(request.user).is_secretariat,
        },
    )


def _visible_report(request, pk: int) -> Report:
    _require(request.user, Action.REPORT_ORDER)
    return get_object_or_404(reports_visible_to(request.user), pk=pk)


@never_cache
@login_required
@require_GET
def report_status(request, pk: int):
    """What the progress bar polls: status, percent, error, download link."""
    report = _visible_report(request, pk)
    return JsonResponse(
        {
            "id": report.pk,
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "progress": report.progress,
            "error": report.error,
            "finished": report.status in (Report.Status.DONE, Report.Status.FAILED),
            "expired": report.is_expired,
            "file_url": (
                reverse("pilotage_report_file", kwargs={"pk": report.pk})
                if report.is_downloadable
                else None
            ),
        }
    )


@never_cache
@login_required
@require_GET
def report_file(request, pk: int):
    report = _visible_report(request, pk)
    if not may_manage(request.user, report) or report.status != Report.Status.DONE:
        raise Http404
    if report.is_expired or not report.file:
        return render(request, "pilotage/report_gone.html", {"report": report}, status=410)
    return file_download(
        report.file,
        filename=report.download_name,
        content_type=CONTENT_TYPES[report.kind],
        public=False,
    )


@login_required
@require_POST
def report_retry_view(request, pk: int):
    report = _visible_report(request, pk)
    try:
        report_retry(report=report, by=request.user)
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Le rapport est relancé."))
    return redirect(reverse("pilotage_reports") + f"#rapport-{report.pk}")
