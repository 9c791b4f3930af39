"""Reports (/pilotage/rapports/): order, follow the build, download, retry."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.reports.builders import CONTENT_TYPES
from committee.reports.models import Report
from committee.reports.services import ReportError, report_request, report_retry
from committee.steering import statistics
from initiatives.documents import file_download
from members.formats import long_date
from members.permissions import Perm, actor_for, can, reports_scope, require

REPORTS_SHOWN = 50


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
    from committee.plan.models import PlanReview

    return [
        (str(review.pk), f"{review.title} ({long_date(review.held_on)})")
        for review in PlanReview.objects.order_by("-held_on", "-pk")[:REVIEWS_OFFERED]
    ]


def _report_rows(user, regions: dict[str, str]):
    reports = reports_scope(user, Report.objects.all()).select_related("requested_by")[
        :REPORTS_SHOWN
    ]
    return [
        {
            "report": report,
            "region": regions.get(report.params.get("region"), report.params.get("region")),
            "may_retry": (report.status == Report.Status.FAILED or report.is_stuck)
            and can(user, Perm.REPORT_ORDER, report),
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
    require(request.user, Perm.REPORT_ORDER)
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
    require(request.user, Perm.REPORT_ORDER)
    return get_object_or_404(reports_scope(request.user, Report.objects.all()), pk=pk)


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
    if not can(request.user, Perm.REPORT_ORDER, report) or report.status != Report.Status.DONE:
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
