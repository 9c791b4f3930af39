"""The action plan as one spreadsheet: exported and imported with the same columns; a
malformed file is refused with the list of its errors and changes nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from committee.plan import io as plan_io
from committee.plan.models import Action, ActionUpdate, Milestone
from members.models import Organisation
from tests import factories as f

from .plan_support import login, make_lead_action, make_other_action, today, xlsx_bytes

pytestmark = pytest.mark.django_db

XLSX = plan_io.XLSX_CONTENT_TYPE


@pytest.fixture
def plan(association, other_association):
    lead = make_lead_action(association)
    other = make_other_action(other_association)
    other.lead_partners.add(association)  # two partners: "ADF; AMF"
    milestone = lead.milestones.get(title="Cahier des charges")
    milestone.reached_on = today() - datetime.timedelta(days=3)
    milestone.save()
    return {"lead": lead, "other": other}


def plan_state():
    """Everything an import could change, as plain values."""
    actions = [
        (
            a.code, a.axis_id, a.title, a.objective, a.status, a.start_date, a.due_date,
            a.progress, a.updated_at, sorted(p.acronym for p in a.lead_partners.all()),
        )
        for a in Action.objects.order_by("code").prefetch_related("lead_partners")
    ]  # fmt: skip
    milestones = list(
        Milestone.objects.order_by("pk").values_list(
            "action_id", "title", "due_date", "reached_on", "position"
        )
    )
    return actions, milestones, ActionUpdate.objects.count()


def upload(content: bytes, name="plan.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_the_export_has_both_sheets_with_the_import_columns(client, secretariat_with_mfa, plan):
    login(client, secretariat_with_mfa)
    response = client.get(reverse("plan_admin:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    actions = list(workbook["actions"].iter_rows(values_only=True))
    assert actions[0] == plan_io.ACTION_COLUMNS
    rows = {row[0]: row for row in actions[1:]}
    assert rows["2.1"][4] == "ADF; AMF"
    assert rows["5.1"][1] == 5
    assert rows["5.1"][5] == "En cours"
    assert rows["5.1"][6] == datetime.datetime(2024, 1, 1)
    milestones = list(workbook["jalons"].iter_rows(values_only=True))
    assert milestones[0] == plan_io.MILESTONE_COLUMNS
    assert ("5.1", "Cahier des charges") in {row[:2] for row in milestones[1:]}


def test_exporting_then_importing_changes_nothing(client, secretariat_with_mfa, plan):
    login(client, secretariat_with_mfa)
    exported = client.get(reverse("plan_admin:export")).content
    before = plan_state()

    response = client.post(reverse("plan_admin:import"), {"file": upload(exported)}, follow=True)

    assert response.status_code == 200
    assert "ne change rien" in response.content.decode()
    assert plan_state() == before


def test_a_malformed_file_is_refused_with_every_error_and_changes_nothing(
    client, secretariat_with_mfa, plan
):
    before = plan_state()
    content = xlsx_bytes(
        [
            # a valid change of an existing action: must not be applied either
            ("5.1", 5, "Nouveau titre", "Objectif", "AMF", "En cours", "01/01/2024", None),
            ("9.9", 9, "Axe inconnu", "Objectif", "AMF", "Prévue", None, None),
            ("7.1", 1, "Partenaire inconnu", "Objectif", "XYZ", "Prévue", None, None),
            ("7.2", 1, "Date illisible", "Objectif", "AMF", "Prévue", "32/13/2024", None),
            ("7.3", 1, "Statut inconnu", "Objectif", "AMF", "Presque fini", None, None),
            ("7.1", 1, "Code en double", "Objectif", "AMF", "Prévue", None, None),
            ("7.4", 1, "", "Objectif", "AMF", "Prévue", None, None),
            ("7.5", 1, "Dates inversées", "Objectif", "", "Prévue", "2025-06-01", "2025-01-01"),
        ],
        [
            ("5.1", "Nouveau jalon", "2026-01-01", None),
            ("8.8", "Jalon orphelin", "2026-01-01", None),
            ("5.1", "Sans échéance", None, None),
        ],
    )
    login(client, secretariat_with_mfa)

    response = client.post(reverse("plan_admin:import"), {"file": upload(content)})

    assert response.status_code == 400
    page = response.content.decode()
    errors = {(e.sheet, e.row, e.column) for e in response.context["errors"]}
    assert errors == {
        ("actions", 3, "axe"),
        ("actions", 4, "partenaires pilotes"),
        ("actions", 5, "début"),
        ("actions", 6, "statut"),
        ("actions", 7, "code"),
        ("actions", 8, "intitulé"),
        ("actions", 9, "échéance"),
        ("jalons", 3, "code action"),
        ("jalons", 4, "échéance"),
    }
    assert "Partenaire inconnu « XYZ »" in page
    assert "Code « 7.1 » en double (déjà ligne 4)" in page
    assert "Rien n'a été modifié" in page
    assert plan_state() == before
    assert not Organisation.objects.filter(acronym="XYZ").exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(client, secretariat_with_mfa, plan):
    before = plan_state()
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:import"), {"file": upload(b"code;axe\n1;2\n", name="plan.csv")}
    )
    assert response.status_code == 400
    assert "pas un classeur XLSX lisible" in response.content.decode()
    assert plan_state() == before


def test_missing_columns_are_named(secretariat_with_mfa, plan):
    content = xlsx_bytes([("5.1", 5)], actions_header=("code", "axe"))
    with pytest.raises(plan_io.ImportRefused) as refused:
        plan_io.plan_import(upload=upload(content), by=secretariat_with_mfa)
    missing = {e.column for e in refused.value.errors}
    assert missing == {"intitulé", "objectif", "statut"}


def test_a_valid_file_creates_and_updates_actions_by_code(
    client, secretariat_with_mfa, plan, association
):
    content = xlsx_bytes(
        [
            ("5.1", 5, "Équiper toutes les écoles rurales", plan["lead"].objective, "AMF",
             "En cours", "01/01/2024", plan["lead"].due_date),
            ("6.1", "6", "Structurer la filière", "Un annuaire des entreprises.", "amf ; ADF",
             "planned", datetime.date(2025, 1, 1), "2026-12-31"),
        ],
        [
            ("6.1", "Annuaire publié", "2025-06-30", "2025-06-15"),
            ("6.1", "Rencontres nationales", "2026-03-31", None),
        ],
    )  # fmt: skip
    login(client, secretariat_with_mfa)
    response = client.post(reverse("plan_admin:import"), {"file": upload(content)})
    assert response.status_code == 302

    lead = Action.objects.get(code="5.1")
    assert lead.title == "Équiper toutes les écoles rurales"
    assert lead.updates.first().kind == ActionUpdate.Kind.IMPORT
    new = Action.objects.get(code="6.1")
    assert new.axis == f.axis(6)
    assert sorted(p.acronym for p in new.lead_partners.all()) == ["ADF", "AMF"]
    assert new.due_date == datetime.date(2026, 12, 31)
    assert list(new.milestones.order_by("position").values_list("title", "reached_on")) == [
        ("Annuaire publié", datetime.date(2025, 6, 15)),
        ("Rencontres nationales", None),
    ]
    assert new.progress == 50  # derived from the milestones imported
    assert Action.objects.get(code="2.1").updates.count() == 0  # not in the file: untouched


def test_only_the_secretariat_imports(client, reviewer_with_mfa, plan):
    login(client, reviewer_with_mfa)
    assert client.get(reverse("plan_admin:import")).status_code == 403
    assert client.get(reverse("plan_admin:export")).status_code == 200
