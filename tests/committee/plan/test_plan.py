"""The action plan managed by the secretariat: derived progress, indicators computed from
the catalogue, evidence, the update log, contributions with documents, and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.urls import reverse

from committee.contributions import services as contribution_services
from committee.contributions.models import Contribution
from committee.plan.forms import ActionForm
from committee.plan.models import Action, ActionUpdate, Indicator, Milestone
from committee.plan.services import actions as action_services
from committee.plan.services import indicators as indicator_services
from committee.plan.services import progress as progress_services
from initiatives.models import Status as S
from initiatives.services import initiative_publish
from members.models import Membership
from tests import factories as f

from .plan_support import (
    count_queries,
    login,
    make_lead_action,
    member,
    published_initiative,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_action(association):
    return make_lead_action(association)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def finish(response) -> bytes:
    """Read a download to its end: the test client then closes the file."""
    return b"".join(response.streaming_content)


# -- derived progress ---------------------------------------------------------------------------


def test_progress_is_the_mean_of_milestones_reached_and_indicators_attainment():
    milestones = [
        Milestone(reached_on=datetime.date(2025, 1, 1)),
        Milestone(),
        Milestone(),
        Milestone(),
    ]
    indicators = [
        Indicator(baseline=0, target=10, current_value=Decimal(5)),  # 50 %
        Indicator(baseline=100, target=50, current_value=Decimal(40)),  # past the target: 100 %
        Indicator(baseline=0, target=10, current_value=None),  # no value yet: 0 %
    ]
    # milestones 25 %, indicators (50 + 100 + 0) / 3 = 50 % → 37.5 → 38
    assert progress_services.derived_progress(milestones=milestones, indicators=indicators) == 38
    assert progress_services.derived_progress(milestones=milestones, indicators=[]) == 25
    assert progress_services.derived_progress(milestones=[], indicators=[]) == 0
    below = Indicator(baseline=10, target=20, current_value=Decimal(2))
    assert below.attainment == 0.0


def test_reaching_a_milestone_moves_progress_and_is_logged(lead_action, secretariat_with_mfa):
    milestone = lead_action.milestones.get(title="Cahier des charges")
    assert lead_action.progress == 0

    action_services.milestone_reach(
        milestone=milestone, by=secretariat_with_mfa, reached_on=today()
    )

    lead_action.refresh_from_db()
    assert lead_action.progress == 25  # 1 of 2 milestones (50 %), indicator without value (0 %)
    entry = lead_action.updates.first()
    assert entry.kind == ActionUpdate.Kind.MILESTONE
    assert "Cahier des charges" in entry.text
    assert entry.author == secretariat_with_mfa


def test_the_secretariat_reaches_a_milestone_on_the_page_and_the_public_plan_follows(
    client, lead_action, secretariat_with_mfa
):
    milestone = lead_action.milestones.get(title="Cahier des charges")
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:milestone_reach", args=[lead_action.pk, milestone.pk]),
        {f"atteint-{milestone.pk}-reached_on": today().isoformat()},
    )
    assert response.status_code == 302
    indicator = lead_action.indicators.get()
    client.post(
        reverse("plan_admin:indicator_value", args=[lead_action.pk, indicator.pk]),
        {f"valeur-{indicator.pk}-value": "5"},
    )
    lead_action.refresh_from_db()
    assert lead_action.progress == 50  # milestones 50 %, indicator 5/10 = 50 %

    public = client.get(reverse("action_plan")).content.decode()
    assert "<strong>50 %</strong>" in public


def test_progress_cannot_be_typed(client, lead_action, secretariat_with_mfa):
    assert "progress" not in ActionForm.base_fields
    assert "progress" not in modelform_factory(Action, fields="__all__").base_fields
    login(client, secretariat_with_mfa)
    form = ActionForm.for_action(lead_action)
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["lead_partners"] = [p.pk for p in lead_action.lead_partners.all()]
    data["progress"] = 99
    data["title"] = "Équiper toutes les écoles rurales"
    response = client.post(reverse("plan_admin:action_edit", args=[lead_action.pk]), data)
    assert response.status_code == 302
    lead_action.refresh_from_db()
    assert lead_action.title == "Équiper toutes les écoles rurales"
    assert lead_action.progress == 0
    assert "intitulé" in lead_action.updates.first().text


def test_a_manual_value_on_a_computed_indicator_is_refused(lead_action, secretariat_with_mfa):
    indicator = indicator_services.indicator_create(
        action=lead_action,
        by=secretariat_with_mfa,
        data=indicator_services.IndicatorData(
            label="Initiatives publiées sur l'axe 5",
            target=Decimal(20),
            source=Indicator.Source.COMPUTED,
            computation="published_initiatives_on_axis",
            computation_axis=f.axis(5),
        ),
    )
    with pytest.raises(ValidationError):
        indicator_services.indicator_set(
            indicator=indicator, by=secretariat_with_mfa, value=Decimal(12)
        )


# -- computed indicators ------------------------------------------------------------------------


def test_a_computed_indicator_follows_publications_on_its_axis(
    client, lead_action, secretariat_with_mfa, reviewer_with_mfa, django_capture_on_commit_callbacks
):
    rhone = f.DepartmentFactory(code="69", name="Rhône")
    ain = f.DepartmentFactory(code="01", name="Ain")
    published_initiative(department=rhone, axes=[5])
    published_initiative(department=rhone, axes=[1])  # another axis: not counted
    indicator = indicator_services.indicator_create(
        action=lead_action,
        by=secretariat_with_mfa,
        data=indicator_services.IndicatorData(
            label="Départements avec une initiative publiée sur l'axe 5",
            unit="départements",
            target=Decimal(4),
            source=Indicator.Source.COMPUTED,
            computation="departments_with_published_initiative_on_axis",
            computation_axis=f.axis(5),
        ),
    )
    assert indicator.current_value == 1
    lead_action.refresh_from_db()
    progress_before = lead_action.progress

    candidate = f.InitiativeFactory(
        lead_collectivity=ain,
        status=S.SUBMITTED,
        axes=[f.axis(5)],
        lead_organisation=lead_action.lead_partners.get(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        initiative_publish(initiative=candidate, by=reviewer_with_mfa)

    login(client, secretariat_with_mfa)
    page = client.get(reverse("plan_admin:action", args=[lead_action.pk])).content.decode()
    indicator.refresh_from_db()
    lead_action.refresh_from_db()
    assert indicator.current_value == 2
    assert 'data-indicator-value="2.00"' in page
    assert lead_action.progress > progress_before
    assert "Indicateur calculé" in lead_action.updates.first().text


def test_an_evidence_based_indicator_counts_the_linked_published_initiatives(
    lead_action, secretariat_with_mfa
):
    indicator = indicator_services.indicator_create(
        action=lead_action,
        by=secretariat_with_mfa,
        data=indicator_services.IndicatorData(
            label="Initiatives liées",
            target=Decimal(2),
            source=Indicator.Source.COMPUTED,
            computation="linked_published_initiatives",
        ),
    )
    assert indicator.current_value == 0
    evidence = published_initiative(department=f.DepartmentFactory(code="69"))

    assert action_services.evidence_link(
        action=lead_action, initiative=evidence, by=secretariat_with_mfa
    )

    indicator.refresh_from_db()
    assert indicator.current_value == 1
    assert lead_action.updates.filter(kind=ActionUpdate.Kind.EVIDENCE).exists()
    action_services.evidence_unlink(
        action=lead_action, initiative=evidence, by=secretariat_with_mfa
    )
    indicator.refresh_from_db()
    assert indicator.current_value == 0


def test_only_published_initiatives_are_evidence(lead_action, secretariat_with_mfa):
    draft = f.InitiativeFactory(status=S.DRAFT)
    with pytest.raises(ValidationError):
        action_services.evidence_link(action=lead_action, initiative=draft, by=secretariat_with_mfa)
    assert not lead_action.initiatives.exists()


def test_evidence_is_linked_from_a_search_on_the_action_page(
    client, lead_action, secretariat_with_mfa
):
    evidence = published_initiative(
        department=f.DepartmentFactory(code="69"), title="Tablettes rurales"
    )
    login(client, secretariat_with_mfa)
    page = client.get(reverse("plan_admin:action", args=[lead_action.pk]), {"q": "rurales"})
    assert "Tablettes rurales" in page.content.decode()
    response = client.post(
        reverse("plan_admin:evidence_link", args=[lead_action.pk]), {"initiative": evidence.pk}
    )
    assert response.status_code == 302
    assert list(lead_action.initiatives.all()) == [evidence]


# -- actions --------------------------------------------------------------------------------------


def test_the_secretariat_creates_an_action_with_its_lead_partners(
    client, secretariat_with_mfa, association
):
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:action_create"),
        {
            "code": "3.4",
            "axis": f.axis(3).pk,
            "title": "Former les agents territoriaux",
            "objective": "Des parcours de formation partagés.",
            "lead_partners": [association.pk],
            "status": Action.Status.PLANNED,
            "start_date": "2025-01-01",
            "due_date": "2025-12-31",
        },
    )
    action = Action.objects.get(code="3.4")
    assert response.status_code == 302
    assert list(action.lead_partners.all()) == [association]
    assert action.updates.get().kind == ActionUpdate.Kind.CREATED


def test_an_action_form_with_errors_is_shown_with_its_summary(
    client, secretariat_with_mfa, lead_action
):
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:action_create"),
        {"code": "5.1", "axis": f.axis(5).pk, "title": "", "objective": "x", "status": "planned",
         "start_date": "2025-06-01", "due_date": "2025-01-01"},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "fr-alert--error" in page
    assert "L&#x27;échéance ne peut précéder le début." in page
    assert Action.objects.count() == 1


def test_the_internal_plan_takes_a_constant_number_of_queries(
    client, secretariat_with_mfa, association
):
    login(client, secretariat_with_mfa)
    url = reverse("plan_admin:index")

    def grow(n):
        for i in range(n):
            action = f.ActionFactory(axis=f.axis(1 + i % 6))
            action.lead_partners.set([association])
            f.MilestoneFactory(action=action)
            Indicator.objects.create(action=action, label="x", target=1)

    grow(2)
    client.get(url)  # warm-up: catalogue version, computed indicators
    few = count_queries(client, url)
    grow(10)
    many = count_queries(client, url)
    assert few == many


# -- contributions ------------------------------------------------------------------------------


def test_a_contribution_goes_from_draft_to_published_with_its_documents(
    client, secretariat_with_mfa
):
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:contribution_create"),
        {
            "title": "Pour un socle numérique partagé",
            "summary": "Nos propositions.",
            "body": "## Texte",
        },
    )
    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert contribution.status == Contribution.Status.DRAFT
    client.post(
        reverse("plan_admin:contribution_document_upload", args=[contribution.pk]),
        {"file": SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf"), "title": ""},
    )
    document = contribution.documents.get()
    assert document.content_type == "application/pdf"
    url = document.get_absolute_url()

    client.logout()
    assert client.get(url).status_code == 404  # private while a draft
    assert client.get(contribution.get_absolute_url()).status_code == 404

    login(client, secretariat_with_mfa)
    response = client.get(url)
    assert response.status_code == 200  # the secretariat sees it
    assert finish(response) == PDF
    client.post(
        reverse("plan_admin:contribution_status", args=[contribution.pk]), {"decision": "publish"}
    )
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.PUBLISHED
    assert contribution.published_at is not None

    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert finish(response) == PDF

    login(client, secretariat_with_mfa)
    client.post(
        reverse("plan_admin:contribution_status", args=[contribution.pk]), {"decision": "unpublish"}
    )
    client.logout()
    assert client.get(url).status_code == 404


def test_a_contribution_document_is_checked_by_its_content(client, secretariat_with_mfa):
    contribution = f.ContributionFactory()
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:contribution_document_upload", args=[contribution.pk]),
        {"file": SimpleUploadedFile("rapport.pdf", b"MZ\x90\x00 not a pdf"), "title": ""},
    )
    assert response.status_code == 400
    assert "exécutable" in response.content.decode()
    assert not contribution.documents.exists()


def test_only_the_secretariat_manages_contributions(reviewer_with_mfa, contributor):
    contribution = f.ContributionFactory()
    for user in (reviewer_with_mfa, contributor):
        with pytest.raises(PermissionDenied):
            contribution_services.contribution_publish(contribution=contribution, by=user)
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.DRAFT


# -- who may see and change the plan ------------------------------------------------------------


ROLES = ("anonymous", "other_staff", "lead_contributor", "lead_admin", "reviewer", "secretariat")


@pytest.fixture
def people(association, other_association, ministry):
    return {
        "anonymous": None,
        "other_staff": member(other_association, Membership.Role.CONTRIBUTOR),
        "lead_contributor": member(association, Membership.Role.CONTRIBUTOR),
        "lead_admin": member(association, Membership.Role.ADMIN),
        "reviewer": member(ministry, Membership.Role.REVIEWER),
        "secretariat": member(ministry, Membership.Role.SECRETARIAT),
    }


def _status(client, user, method, url, data=None):
    client.logout()
    if user is not None:
        login(client, user)
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    if response.status_code == 302 and "/comptes/login/" in response["Location"]:
        return "login"
    return response.status_code


@pytest.mark.parametrize(
    ("name", "method", "expected"),
    [
        # viewing the internal plan and its export: officials
        ("index", "get", {"reviewer": 200, "secretariat": 200}),
        ("export", "get", {"reviewer": 200, "secretariat": 200}),
        ("action", "get", {"reviewer": 200, "secretariat": 200}),
        # managing it: the secretariat
        ("action_create", "get", {"secretariat": 200}),
        ("action_edit", "get", {"secretariat": 200}),
        ("import", "get", {"secretariat": 200}),
        ("milestone_add", "post", {"secretariat": 302}),
        ("contributions", "get", {"secretariat": 200}),
    ],
)
def test_plan_pages_by_role(client, people, lead_action, name, method, expected):
    args = [lead_action.pk] if name in ("action", "action_edit", "milestone_add") else []
    url = reverse(f"plan_admin:{name}", args=args)
    data = {"jalon-title": "Nouveau jalon", "jalon-due_date": "2030-01-01"}
    for role in ROLES:
        want = "login" if role == "anonymous" else expected.get(role, 403)
        assert _status(client, people[role], method, url, data) == want, (name, role)


def test_an_association_admin_without_mfa_is_sent_to_set_it_up(client, association_admin):
    login(client, association_admin)
    response = client.get(reverse("plan_partner:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
