"""Reports ordered from /pilotage/rapports/: ordering, building (in-process), files, expiry.

The same jobs run on a real worker in test_report_worker.py.
"""

import datetime
import html
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from committee.celery import app as celery_app
from committee.plan.models import Action
from committee.reports import builders as report_builders
from committee.reports import services as report_services
from committee.reports.models import Report
from committee.reports.notifications import Kinds
from committee.reports.services import ReportError, report_request, report_retry, reports_sweep
from members.models import Event

pytestmark = pytest.mark.django_db

XLSX = Report.Kind.INITIATIVES_XLSX
PLAN = Report.Kind.ACTION_PLAN_PDF
REGION = Report.Kind.REGION_SUMMARY_PDF


def login(client, user):
    client.force_login(user)
    return client


def order(kind, by, params=None, *, capture) -> Report:
    """Order a report and run its job (in-process) once the transaction commits."""
    with capture(execute=True):
        report = report_request(kind=kind, params=params or {}, by=by)
    report.refresh_from_db()
    return report


def done_report(user, *, expires_in=datetime.timedelta(hours=2), content=b"PK-xlsx") -> Report:
    now = timezone.now()
    report = Report.objects.create(
        kind=XLSX,
        requested_by=user,
        status=Report.Status.DONE,
        progress=100,
        finished_at=now,
        expires_at=now + expires_in,
    )
    report.file.save("initiatives-test.xlsx", ContentFile(content))
    return report


def fake_pdf(params, out, progress) -> str:
    out.write(b"%PDF-1.7")
    return "plan.pdf"


def pdf_text(report: Report) -> str:
    with report.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


# -- ordering ---------------------------------------------------------------------------------


def test_ordering_queues_a_report_and_sends_its_job_after_commit(
    reviewer_with_mfa, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = report_request(kind=PLAN, params={}, by=reviewer_with_mfa)
    assert Report.objects.get(pk=report.pk).status == Report.Status.QUEUED
    assert report.requested_by == reviewer_with_mfa
    assert len(callbacks) == 1  # the job waits for the commit: a worker finds the row
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == Report.Status.DONE


def test_association_staff_cannot_order_reports(contributor):
    with pytest.raises(PermissionDenied):
        report_request(kind=PLAN, params={}, by=contributor)
    assert not Report.objects.exists()


def test_region_summary_needs_a_known_region(reviewer_with_mfa, territory):
    with pytest.raises(ReportError, match="Choisissez la région"):
        report_request(kind=REGION, params={}, by=reviewer_with_mfa)
    with pytest.raises(ReportError, match="Région inconnue"):
        report_request(kind=REGION, params={"region": "99"}, by=reviewer_with_mfa)


def test_spreadsheet_keeps_only_valid_catalogue_filters(reviewer_with_mfa, dataset):
    report = report_request(
        kind=XLSX,
        params={"filters": {"region": "84", "sort": "title", "page": "3"}},
        by=reviewer_with_mfa,
    )
    assert report.params == {"filters": {"region": "84"}}
    with pytest.raises(ReportError, match="Critères invalides"):
        report_request(kind=XLSX, params={"filters": {"commune": "abc"}}, by=reviewer_with_mfa)


def test_pending_reports_per_official_are_capped(reviewer_with_mfa):
    for _ in range(report_services.MAX_PENDING_PER_USER):
        report_request(kind=PLAN, params={}, by=reviewer_with_mfa)
    with pytest.raises(ReportError, match="en préparation"):
        report_request(kind=PLAN, params={}, by=reviewer_with_mfa)


# -- building ---------------------------------------------------------------------------------


def test_spreadsheet_has_every_initiative_of_the_criteria(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    report = order(XLSX, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    assert report.status == Report.Status.DONE and report.progress == 100
    with report.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True)["initiatives"]
        table = list(sheet.values)
    headers = table[0]
    assert list(headers) == report_builders.xlsx_headers()
    assert {"Titre", "Statut", "Soumise le", "Actions du plan liées"} <= set(headers)
    titles = sorted(row[headers.index("Titre")] for row in table[1:])
    assert titles == ["P1", "P2", "P3", "P4"]  # published by default


def test_spreadsheet_follows_the_criteria_across_statuses(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    params = {"filters": {"region": "84", "status": "all"}}
    report = order(XLSX, reviewer_with_mfa, params, capture=django_capture_on_commit_callbacks)
    with report.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()), read_only=True)["initiatives"]
        table = list(sheet.values)
    headers = table[0]
    by_title = {row[headers.index("Titre")]: row for row in table[1:]}
    assert sorted(by_title) == ["P1", "P2", "P3", "R1", "S1"]
    assert by_title["S1"][headers.index("Statut")] == "Soumise"
    assert by_title["P1"][headers.index("Axes de travail")] == "1|5"


def test_spreadsheet_cells_are_typed(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    from initiatives.models import Initiative

    Initiative.objects.filter(title="P1").update(budget="12500.50", schools_reached=7)
    report = order(XLSX, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    with report.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    sheet = workbook["initiatives"]
    headers = [cell.value for cell in sheet[1]]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    row = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("Titre")].value == "P1")
    assert row[headers.index("Budget (€)")].value == 12500.5
    assert row[headers.index("Écoles et établissements")].value == 7
    assert row[headers.index("Date de début")].value == datetime.datetime(2024, 9, 1)
    assert row[headers.index("Date de début")].number_format == "yyyy-mm-dd"
    published = row[headers.index("Date de publication")].value
    assert published == datetime.datetime(2024, 2, 1, 13, 0)  # noon UTC, in Paris time
    assert workbook["criteres"]["B3"].value == 4  # rows written


def test_spreadsheet_text_never_becomes_a_formula(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    from initiatives.models import Initiative

    Initiative.objects.filter(title="P1").update(
        summary='=HYPERLINK("http://x","y")', description='Texte\x01 <b>gras</b> & "cité"'
    )
    report = order(XLSX, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    with report.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()))["initiatives"]
    summaries = [cell for cell in sheet["D"] if str(cell.value).startswith("=HYPERLINK")]
    assert summaries and all(cell.data_type == "s" for cell in summaries)
    # Markup stays text, and characters XML cannot hold are dropped.
    assert 'Texte <b>gras</b> & "cité"' in [cell.value for cell in sheet["E"]]


def test_action_plan_pdf_lists_the_actions(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    report = order(PLAN, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    assert report.status == Report.Status.DONE, report.error
    assert report.download_name.endswith(".pdf")
    text = pdf_text(report)
    assert "Plan d'action du comité" in text
    assert "A1 — Recenser les équipements" in text
    assert "Questionnaire diffusé" in text


@pytest.fixture
def review(dataset, secretariat_with_mfa):
    """A closed plan review: the plan frozen on its day, one action assessed."""
    from committee.plan.models import ActionAssessment, PlanReview
    from committee.plan.services.reviews import plan_snapshot

    frozen = PlanReview.objects.create(
        title="Revue du printemps",
        held_on=timezone.localdate(),
        snapshot=plan_snapshot(),
        status=PlanReview.Status.CLOSED,
        summary="Le recensement prend du retard.",
        closed_at=timezone.now(),
    )
    ActionAssessment.objects.create(
        review=frozen,
        action=Action.objects.get(code="A1"),
        rating=ActionAssessment.Rating.AT_RISK,
        comment="Questionnaire en attente de validation",
        next_step="Relancer les départements",
    )
    return frozen


def test_action_plan_pdf_from_a_review(
    reviewer_with_mfa, review, django_capture_on_commit_callbacks
):
    # The plan moves after the review: the report shows it as the review froze it.
    Action.objects.filter(code="A1").update(title="Intitulé changé après la revue")
    params = {"review_id": review.pk}
    report = order(PLAN, reviewer_with_mfa, params, capture=django_capture_on_commit_callbacks)
    assert report.status == Report.Status.DONE, report.error
    text = pdf_text(report)
    assert "Revue du printemps" in text and "Le recensement prend du retard." in text
    assert "A1 — Recenser les équipements" in text
    assert "Intitulé changé" not in text
    assert "À risque" in text and "Relancer les départements" in text


def test_action_plan_from_an_unknown_review_is_refused(reviewer_with_mfa):
    with pytest.raises(ReportError, match="Revue du plan inconnue"):
        report_request(kind=PLAN, params={"review_id": 999_999}, by=reviewer_with_mfa)


def test_reports_page_offers_the_plan_reviews(client, reviewer_with_mfa, review):
    login(client, reviewer_with_mfa)
    page = html.unescape(client.get("/pilotage/rapports/").content.decode())
    assert "Revue du printemps" in page
    client.post("/pilotage/rapports/", {"kind": PLAN, "review": str(review.pk)})
    assert Report.objects.get().params == {"review_id": review.pk}


def test_region_summary_pdf_has_the_region_figures(
    reviewer_with_mfa, dataset, django_capture_on_commit_callbacks
):
    report = order(
        REGION, reviewer_with_mfa, {"region": "84"}, capture=django_capture_on_commit_callbacks
    )
    assert report.status == Report.Status.DONE, report.error
    text = pdf_text(report)
    assert "Synthèse régionale : Auvergne-Rhône-Alpes" in text
    assert "Initiatives par département" in text
    assert "P3" in text and "P4" not in text  # P4 is in Île-de-France


def test_requester_is_told_when_the_report_is_ready(
    reviewer_with_mfa, dataset, mailoutbox, django_capture_on_commit_callbacks
):
    report = order(PLAN, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[reviewer_with_mfa.email]]
    assert "/pilotage/rapports/" in mailoutbox[0].body
    assert Event.objects.filter(kind=Kinds.REPORT_READY, object_id=report.pk).count() == 1
    hours = (report.expires_at - report.finished_at).total_seconds() / 3600
    assert round(hours) == 72


def test_a_failing_report_ends_failed_with_its_error_and_can_be_retried(
    reviewer_with_mfa, dataset, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(params, out, progress):
        raise ValueError("colonne inconnue")

    monkeypatch.setitem(report_builders.BUILDERS, PLAN, broken)
    report = order(PLAN, reviewer_with_mfa, capture=django_capture_on_commit_callbacks)
    assert report.status == Report.Status.FAILED
    assert "colonne inconnue" in report.error and not report.file
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        report_retry(report=report, by=reviewer_with_mfa)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.error == ""


def test_transient_errors_are_retried(reviewer_with_mfa, dataset, monkeypatch):
    from committee.reports.tasks import build_report

    calls = []
    original = report_builders.BUILDERS[PLAN]

    def flaky(params, out, progress):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connexion perdue")
        return original(params, out, progress)

    monkeypatch.setitem(report_builders.BUILDERS, PLAN, flaky)
    report = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    # In-process, the retry runs at once (a worker would wait 30 s).
    celery_app.conf.task_eager_propagates = False
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == Report.Status.DONE and report.attempts == 2


def test_transient_errors_end_failed_after_the_last_attempt(reviewer_with_mfa, monkeypatch):
    from committee.reports.tasks import build_report

    def down(params, out, progress):
        raise OperationalError("base injoignable")

    monkeypatch.setitem(report_builders.BUILDERS, PLAN, down)
    report = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    celery_app.conf.task_eager_propagates = False
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "base injoignable" in report.error
    assert report.attempts == report_services.MAX_ATTEMPTS


def test_only_failed_reports_are_retried(reviewer_with_mfa):
    report = done_report(reviewer_with_mfa)
    with pytest.raises(ReportError):
        report_retry(report=report, by=reviewer_with_mfa)


def test_another_official_cannot_retry_my_report(reviewer_with_mfa, other_reviewer_with_mfa):
    report = Report.objects.create(
        kind=PLAN, requested_by=reviewer_with_mfa, status=Report.Status.FAILED
    )
    with pytest.raises(PermissionDenied):
        report_retry(report=report, by=other_reviewer_with_mfa)


def test_a_job_delivered_twice_builds_once(reviewer_with_mfa, monkeypatch):
    from committee.reports.tasks import build_report

    built = []

    def builder(params, out, progress):
        built.append(1)
        return fake_pdf(params, out, progress)

    monkeypatch.setitem(report_builders.BUILDERS, PLAN, builder)
    report = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    assert build_report.apply(args=[report.pk]).get() == "done"
    assert build_report.apply(args=[report.pk]).get() == "skipped"
    assert built == [1]


def test_a_run_whose_worker_died_is_taken_over(reviewer_with_mfa, dataset):
    from committee.reports.tasks import build_report

    long_ago = timezone.now() - report_services.STALE_AFTER - datetime.timedelta(minutes=1)
    report = Report.objects.create(
        kind=PLAN, requested_by=reviewer_with_mfa, status=Report.Status.RUNNING, started_at=long_ago
    )
    recent = Report.objects.create(
        kind=PLAN,
        requested_by=reviewer_with_mfa,
        status=Report.Status.RUNNING,
        started_at=timezone.now(),
    )
    assert build_report.apply(args=[report.pk]).get() == "done"
    assert build_report.apply(args=[recent.pk]).get() == "skipped"  # its worker is still at it


def test_a_report_that_keeps_killing_its_worker_fails(reviewer_with_mfa):
    from committee.reports.tasks import build_report

    long_ago = timezone.now() - report_services.STALE_AFTER - datetime.timedelta(minutes=1)
    report = Report.objects.create(
        kind=PLAN,
        requested_by=reviewer_with_mfa,
        status=Report.Status.RUNNING,
        started_at=long_ago,
        attempts=report_services.MAX_ATTEMPTS,
    )
    build_report.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "tentatives" in report.error


# -- pages ------------------------------------------------------------------------------------


def test_reports_page_orders_a_report(client, reviewer_with_mfa, territory):
    login(client, reviewer_with_mfa)
    response = client.post("/pilotage/rapports/", {"kind": REGION, "region": "84"})
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/pilotage/rapports/#rapport-{report.pk}")
    assert report.params == {"region": "84"} and report.requested_by == reviewer_with_mfa


def test_reports_page_carries_the_statistics_criteria_to_the_spreadsheet(
    client, reviewer_with_mfa, dataset
):
    login(client, reviewer_with_mfa)
    page = client.get("/pilotage/rapports/", {"axis": "5", "region": "84"})
    assert "Axe de travail : 5" in html.unescape(page.content.decode())
    client.post("/pilotage/rapports/?axis=5&region=84", {"kind": XLSX})
    assert Report.objects.get().params == {"filters": {"axis": "5", "region": "84"}}


def test_reports_page_shows_errors(client, reviewer_with_mfa, territory):
    response = login(client, reviewer_with_mfa).post("/pilotage/rapports/", {"kind": REGION})
    assert response.status_code == 200
    assert "Choisissez la région" in html.unescape(response.content.decode())
    assert not Report.objects.exists()


def test_officials_see_their_own_reports_and_the_secretariat_sees_all(
    client, reviewer_with_mfa, other_reviewer_with_mfa, secretariat_with_mfa
):
    mine = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    theirs = Report.objects.create(kind=PLAN, requested_by=other_reviewer_with_mfa)
    listed = login(client, reviewer_with_mfa).get("/pilotage/rapports/").context["rows"]
    assert [row["report"] for row in listed] == [mine]
    listed = login(client, secretariat_with_mfa).get("/pilotage/rapports/").context["rows"]
    assert {row["report"] for row in listed} == {mine, theirs}


def test_pending_reports_show_a_progress_bar_that_updates_itself(client, reviewer_with_mfa):
    Report.objects.create(
        kind=PLAN, requested_by=reviewer_with_mfa, status=Report.Status.RUNNING, progress=40
    )
    page = html.unescape(
        login(client, reviewer_with_mfa).get("/pilotage/rapports/").content.decode()
    )
    assert 'max="100" value="40" data-report-progress' in page
    assert "js/report-progress.js" in page and "Actualiser la page" in page
    assert 'aria-live="polite"' in page


def test_reports_pages_refuse_association_staff_and_anonymous(client, contributor):
    assert client.get("/pilotage/rapports/").status_code == 302
    assert login(client, contributor).get("/pilotage/rapports/").status_code == 403


def test_status_json_gives_progress_to_the_requester_only(
    client, reviewer_with_mfa, other_reviewer_with_mfa
):
    report = Report.objects.create(
        kind=PLAN, requested_by=reviewer_with_mfa, status=Report.Status.RUNNING, progress=35
    )
    url = f"/pilotage/rapports/{report.pk}/etat.json"
    state = login(client, reviewer_with_mfa).get(url).json()
    assert state["status"] == "running" and state["progress"] == 35
    assert state["finished"] is False and state["file_url"] is None
    assert login(client, other_reviewer_with_mfa).get(url).status_code == 404


def test_status_json_links_the_file_once_done(client, reviewer_with_mfa):
    report = done_report(reviewer_with_mfa)
    state = login(client, reviewer_with_mfa).get(f"/pilotage/rapports/{report.pk}/etat.json").json()
    assert state["finished"] and state["file_url"] == f"/pilotage/rapports/{report.pk}/fichier/"


def test_retry_from_the_page(client, reviewer_with_mfa, monkeypatch):
    monkeypatch.setitem(report_builders.BUILDERS, PLAN, fake_pdf)
    report = Report.objects.create(
        kind=PLAN, requested_by=reviewer_with_mfa, status=Report.Status.FAILED, error="oups"
    )
    response = login(client, reviewer_with_mfa).post(f"/pilotage/rapports/{report.pk}/relancer/")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.error == ""


# -- files ------------------------------------------------------------------------------------


def test_requester_downloads_the_file_as_an_attachment(client, reviewer_with_mfa):
    report = done_report(reviewer_with_mfa, content=b"contenu du tableur")
    response = login(client, reviewer_with_mfa).get(f"/pilotage/rapports/{report.pk}/fichier/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"contenu du tableur"
    response.close()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "initiatives-test.xlsx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "spreadsheetml" in response["Content-Type"]


def test_file_is_stored_privately_under_a_random_name(reviewer_with_mfa):
    report = done_report(reviewer_with_mfa)
    assert report.file.name.startswith("reports/")
    assert len(report.file.name.split("/")[1]) == 32


def test_other_officials_get_404_but_the_secretariat_downloads(
    client, reviewer_with_mfa, other_reviewer_with_mfa, secretariat_with_mfa
):
    report = done_report(reviewer_with_mfa)
    url = f"/pilotage/rapports/{report.pk}/fichier/"
    assert login(client, other_reviewer_with_mfa).get(url).status_code == 404
    response = login(client, secretariat_with_mfa).get(url)
    response.close()
    assert response.status_code == 200


def test_association_staff_and_anonymous_cannot_download(client, reviewer_with_mfa, contributor):
    report = done_report(reviewer_with_mfa)
    url = f"/pilotage/rapports/{report.pk}/fichier/"
    response = client.get(url)
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]
    assert login(client, contributor).get(url).status_code in (403, 404)


def test_expired_file_answers_410_with_a_message(client, reviewer_with_mfa):
    report = done_report(reviewer_with_mfa, expires_in=-datetime.timedelta(minutes=1))
    response = login(client, reviewer_with_mfa).get(f"/pilotage/rapports/{report.pk}/fichier/")
    assert response.status_code == 410
    assert "n'est plus disponible" in html.unescape(response.content.decode())


def test_unfinished_report_has_no_file(client, reviewer_with_mfa):
    report = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    response = login(client, reviewer_with_mfa).get(f"/pilotage/rapports/{report.pk}/fichier/")
    assert response.status_code == 404


# -- sweep ------------------------------------------------------------------------------------


def test_sweep_deletes_expired_files_and_keeps_the_rows(reviewer_with_mfa):
    expired = done_report(reviewer_with_mfa, expires_in=-datetime.timedelta(minutes=1))
    fresh = done_report(reviewer_with_mfa)
    name = expired.file.name
    assert default_storage.exists(name)
    assert reports_sweep()["purged"] == 1
    assert not default_storage.exists(name)
    expired.refresh_from_db()
    assert expired.file.name == "" and expired.purged_at is not None
    assert expired.status == Report.Status.DONE and expired.is_expired
    assert default_storage.exists(fresh.file.name)
    assert reports_sweep()["purged"] == 0  # idempotent


def test_sweep_sends_lost_jobs_again(reviewer_with_mfa, dataset):
    lost = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    Report.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - report_services.LOST_AFTER - datetime.timedelta(minutes=1)
    )
    just_ordered = Report.objects.create(kind=PLAN, requested_by=reviewer_with_mfa)
    assert reports_sweep()["resent"] == 1
    lost.refresh_from_db()
    just_ordered.refresh_from_db()
    assert lost.status == Report.Status.DONE
    assert just_ordered.status == Report.Status.QUEUED


def test_scheduled_jobs_are_in_the_beat_schedule(settings):
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "committee.reports.tasks.sweep_reports" in tasks
    digest = tasks["committee.steering.tasks.send_weekly_digest"]
    assert digest.day_of_week == {1} and digest.hour == {8} and digest.minute == {0}


def test_ordering_a_report_while_the_broker_is_down_keeps_it_queued_for_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The user's order succeeds; the hourly sweep sends the job once the broker is back."""
    from kombu.exceptions import OperationalError

    from committee.reports import tasks
    from committee.reports.models import Report
    from committee.reports.services import report_request
    from members.models import Membership
    from tests import factories as f

    requester = f.MembershipFactory(
        organisation=f.MinistryFactory(), role=Membership.Role.REVIEWER
    ).user

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    monkeypatch.setattr(tasks.build_report, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(kind="initiatives_xlsx", params={}, by=requester)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
