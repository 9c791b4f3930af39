"""Lead partners report on their actions; officials accept or send back each report; only
accepted reports change the (public) plan."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from committee.plan.models import ActionUpdate, PartnerReport
from committee.plan.notifications import Kinds
from committee.plan.services import indicators as indicator_services
from committee.plan.services import partner_reports as partner_report_services
from members.models import Membership, Notification
from members.notifications.preferences import preference_set
from tests import factories as f

from .plan_support import (
    login,
    make_lead_action,
    make_other_action,
    member,
    published_initiative,
    today,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_action(association):
    return make_lead_action(association)


@pytest.fixture
def other_action(other_association):
    return make_other_action(other_association)


@pytest.fixture
def evidence(association):
    return published_initiative(
        department=f.DepartmentFactory(code="69"), org=association, title="Écoles connectées"
    )


def report_form(action, evidence=None, **overrides):
    milestone = action.milestones.get(title="Cahier des charges")
    indicator = action.indicators.get()
    data = {
        "account": "Le cahier des charges est validé ; trois départements sont engagés.",
        "milestone": milestone.pk,
        "reached_on": (today() - datetime.timedelta(days=2)).isoformat(),
        "indicator": indicator.pk,
        "indicator_value": "3",
    }
    if evidence is not None:
        data["initiatives"] = [evidence.pk]
    data.update(overrides)
    return data


def public_plan(client) -> str:
    client.logout()
    return client.get(reverse("action_plan")).content.decode()


def test_a_report_changes_the_public_plan_only_once_accepted(
    client,
    lead_action,
    contributor,
    reviewer_with_mfa,
    evidence,
    django_capture_on_commit_callbacks,
):
    milestone = lead_action.milestones.get(title="Cahier des charges")
    indicator = lead_action.indicators.get()
    login(client, contributor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plan_partner:report_new", args=[lead_action.pk]),
            report_form(lead_action, evidence),
        )
    assert response.status_code == 302, response.context["form"].errors
    report = PartnerReport.objects.get()
    assert report.status == PartnerReport.Status.SUBMITTED
    assert report.organisation == lead_action.lead_partners.get()

    # Submitted, not accepted: nothing changed, on the plan nor on its public page.
    lead_action.refresh_from_db()
    milestone.refresh_from_db()
    indicator.refresh_from_db()
    assert (lead_action.progress, milestone.reached_on, indicator.current_value) == (0, None, None)
    assert not lead_action.initiatives.exists()
    page = public_plan(client)
    assert "<strong>0 %</strong>" in page
    assert "Écoles connectées" not in page

    login(client, reviewer_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("plan_admin:report_decide", args=[report.pk]),
            {"decision": "accept", "comment": "Merci."},
        )
    assert response.status_code == 302

    report.refresh_from_db()
    lead_action.refresh_from_db()
    milestone.refresh_from_db()
    indicator.refresh_from_db()
    assert report.status == PartnerReport.Status.ACCEPTED
    assert report.reviewer == reviewer_with_mfa
    assert milestone.reached_on == today() - datetime.timedelta(days=2)
    assert indicator.current_value == Decimal(3)
    assert list(lead_action.initiatives.all()) == [evidence]
    assert lead_action.progress == 40  # milestones 1/2 = 50 %, indicator 3/10 = 30 %
    log = lead_action.updates.first()
    assert log.kind == ActionUpdate.Kind.REPORT
    assert "Cahier des charges" in log.text and "AMF" in log.text
    page = public_plan(client)
    assert "<strong>40 %</strong>" in page
    assert "Écoles connectées" in page
    assert any("accepté" in m.subject for m in mail.outbox if contributor.email in m.to)


def test_a_partner_cannot_report_on_another_partners_action(
    client, other_action, lead_action, contributor
):
    login(client, contributor)
    url = reverse("plan_partner:report_new", args=[other_action.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"account": "Nous avons avancé."})
    assert response.status_code == 403
    assert not PartnerReport.objects.exists()
    with pytest.raises(PermissionDenied):
        partner_report_services.partner_report_submit(
            action=other_action, by=contributor, account="x"
        )
    # Its own milestone cannot be smuggled onto another action either.
    foreign = other_action.milestones.get()
    response = client.post(
        reverse("plan_partner:report_new", args=[lead_action.pk]),
        {"account": "x", "milestone": foreign.pk, "reached_on": today().isoformat()},
    )
    assert response.status_code == 400
    assert not PartnerReport.objects.exists()


def test_the_partner_page_lists_only_the_actions_the_association_leads(
    client, lead_action, other_action, contributor
):
    login(client, contributor)
    page = client.get(reverse("plan_partner:index")).content.decode()
    assert lead_action.title in page
    assert other_action.title not in page


def test_a_returned_report_needs_a_comment_and_changes_nothing(
    client, lead_action, contributor, reviewer_with_mfa, django_capture_on_commit_callbacks
):
    report = partner_report_services.partner_report_submit(
        action=lead_action,
        by=contributor,
        account="Tout est fait.",
        milestone=lead_action.milestones.get(title="Cahier des charges"),
        reached_on=today(),
    )
    login(client, reviewer_with_mfa)
    url = reverse("plan_admin:report_decide", args=[report.pk])

    response = client.post(url, {"decision": "return", "comment": "  "})
    assert response.status_code == 400
    assert "pourquoi le compte rendu est renvoyé" in response.content.decode()
    report.refresh_from_db()
    assert report.status == PartnerReport.Status.SUBMITTED
    with pytest.raises(ValidationError):
        partner_report_services.partner_report_return(
            report=report, by=reviewer_with_mfa, comment=""
        )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "return", "comment": "Joignez le procès-verbal."})
    report.refresh_from_db()
    lead_action.refresh_from_db()
    assert report.status == PartnerReport.Status.RETURNED
    assert report.review_comment == "Joignez le procès-verbal."
    assert lead_action.progress == 0
    assert lead_action.milestones.filter(reached_on__isnull=False).count() == 0
    [returned] = [m for m in mail.outbox if m.to == [contributor.email]]
    assert "Joignez le procès-verbal." in returned.body

    login(client, contributor)
    page = client.get(reverse("plan_partner:index")).content.decode()
    assert "Renvoyé" in page and "Joignez le procès-verbal." in page
    # A decided report cannot be decided again.
    with pytest.raises(ValidationError):
        partner_report_services.partner_report_accept(report=report, by=reviewer_with_mfa)


def test_each_step_of_a_report_goes_through_the_outbox(
    lead_action,
    contributor,
    reviewer_with_mfa,
    secretariat_with_mfa,
    django_capture_on_commit_callbacks,
):
    """The secretariat hears of a report, its author of the decision: in the portal and by
    email, with the preferences (and digests) of every notification."""
    with django_capture_on_commit_callbacks(execute=True):
        report = partner_report_services.partner_report_submit(
            action=lead_action, by=contributor, account="Tout est fait."
        )
    [told] = mail.outbox
    assert told.to == [secretariat_with_mfa.email]
    assert told.subject == "Compte rendu de AMF sur l'action 5.1"
    assert "AMF a transmis un compte rendu sur l'action 5.1 — Équiper les écoles rurales." in (
        told.body
    )
    assert f"/pilotage/plan/comptes-rendus/{report.pk}/" in told.body
    in_app = Notification.objects.get(
        recipient=secretariat_with_mfa, channel=Notification.Channel.IN_APP
    )
    assert in_app.kind == Kinds.REPORT_SUBMITTED
    assert not Notification.objects.filter(
        recipient=reviewer_with_mfa
    ).exists()  # reviewers are not told

    mail.outbox.clear()
    preference_set(user=contributor, kind=Kinds.REPORT_ACCEPTED, mode="daily")
    with django_capture_on_commit_callbacks(execute=True):
        partner_report_services.partner_report_accept(
            report=report, by=reviewer_with_mfa, comment="Bravo."
        )
    assert mail.outbox == []  # kept for the author's daily digest
    kept = Notification.objects.get(recipient=contributor, channel=Notification.Channel.EMAIL)
    assert (kept.kind, kept.digest, kept.status) == (Kinds.REPORT_ACCEPTED, "daily", "pending")
    assert kept.path == f"/espace/plan/comptes-rendus/{report.pk}/"
    assert kept.data["comment"] == "Bravo."


def test_a_report_is_accepted_once(
    lead_action, contributor, reviewer_with_mfa, secretariat_with_mfa
):
    indicator = lead_action.indicators.get()
    report = partner_report_services.partner_report_submit(
        action=lead_action,
        by=contributor,
        account="Valeur à jour.",
        indicator=indicator,
        indicator_value=Decimal(5),
    )
    partner_report_services.partner_report_accept(report=report, by=reviewer_with_mfa)
    with pytest.raises(ValidationError):
        partner_report_services.partner_report_accept(report=report, by=secretariat_with_mfa)
    assert lead_action.updates.filter(kind=ActionUpdate.Kind.REPORT).count() == 1


def test_computed_indicators_are_not_reported(lead_action, contributor, secretariat_with_mfa):
    computed = indicator_services.indicator_create(
        action=lead_action,
        by=secretariat_with_mfa,
        data=indicator_services.IndicatorData(
            label="Initiatives liées",
            target=Decimal(5),
            source="computed",
            computation="linked_published_initiatives",
        ),
    )
    with pytest.raises(ValidationError):
        partner_report_services.partner_report_submit(
            action=lead_action,
            by=contributor,
            account="x",
            indicator=computed,
            indicator_value=Decimal(4),
        )


@pytest.mark.parametrize(
    ("role", "inbox", "partner_page", "report_form"),
    [
        ("anonymous", "login", "login", "login"),
        ("other_staff", 403, 200, 403),
        ("lead_contributor", 403, 200, 200),
        ("lead_admin", 403, 200, 200),
        ("reviewer", 200, 403, 403),
        ("secretariat", 200, 403, 403),
    ],
)
def test_report_pages_by_role(
    client, lead_action, association, other_association, ministry, role, inbox, partner_page,
    report_form,
):  # fmt: skip
    users = {
        "anonymous": None,
        "other_staff": (other_association, Membership.Role.CONTRIBUTOR),
        "lead_contributor": (association, Membership.Role.CONTRIBUTOR),
        "lead_admin": (association, Membership.Role.ADMIN),
        "reviewer": (ministry, Membership.Role.REVIEWER),
        "secretariat": (ministry, Membership.Role.SECRETARIAT),
    }
    if users[role] is not None:
        login(client, member(*users[role]))

    def status(url):
        response = client.get(url)
        if response.status_code == 302 and "/comptes/login/" in response["Location"]:
            return "login"
        return response.status_code

    assert status(reverse("plan_admin:reports")) == inbox
    assert status(reverse("plan_partner:index")) == partner_page
    assert status(reverse("plan_partner:report_new", args=[lead_action.pk])) == report_form


def test_reviewers_and_the_secretariat_decide_partners_cannot(
    lead_action, contributor, association_admin, reviewer_with_mfa
):
    report = partner_report_services.partner_report_submit(
        action=lead_action, by=contributor, account="Fait."
    )
    for user in (contributor, association_admin):
        with pytest.raises(PermissionDenied):
            partner_report_services.partner_report_accept(report=report, by=user)
    partner_report_services.partner_report_accept(report=report, by=reviewer_with_mfa)
    report.refresh_from_db()
    assert report.status == PartnerReport.Status.ACCEPTED


def test_a_partner_sees_only_its_own_reports(client, lead_action, contributor, other_contributor):
    report = partner_report_services.partner_report_submit(
        action=lead_action, by=contributor, account="Fait."
    )
    login(client, other_contributor)
    assert client.get(reverse("plan_partner:report", args=[report.pk])).status_code == 404
    login(client, contributor)
    assert client.get(reverse("plan_partner:report", args=[report.pk])).status_code == 200
