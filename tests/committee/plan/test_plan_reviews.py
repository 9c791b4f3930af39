"""Plan reviews: a frozen snapshot, one assessment per action, a closing summary; any two
reviews compared (what moved, what slipped); the action-plan report built from a review."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from committee.plan.models import Action, ActionAssessment, PlanReview
from committee.plan.selectors import plan_snapshot_for_report
from committee.plan.services import actions as action_services
from committee.plan.services import indicators as indicator_services
from committee.plan.services import reviews as review_services
from members.models import Membership
from tests import factories as f

from .plan_support import DAY, login, make_lead_action, member, today

pytestmark = pytest.mark.django_db
R = ActionAssessment.Rating


@pytest.fixture
def lead_action(association):
    return make_lead_action(association)


def open_review(by, *, title="Revue", held_on=None):
    return review_services.plan_review_open(by=by, title=title, held_on=held_on or today())


def close(review, by):
    return review_services.plan_review_close(review=review, by=by, summary="Bilan fait.")


def test_a_review_freezes_the_plan_when_it_opens(lead_action, secretariat_with_mfa):
    review = open_review(secretariat_with_mfa)
    frozen = review.snapshot["actions"][0]
    assert frozen["code"] == "5.1"
    assert frozen["progress"] == 0
    assert frozen["lead_partners"] == ["AMF"]
    assert [m["title"] for m in frozen["milestones"]] == [
        "Cahier des charges",
        "Premières écoles équipées",
    ]
    assert frozen["indicators"][0]["target"] == "10.00"

    milestone = lead_action.milestones.get(title="Cahier des charges")
    action_services.milestone_reach(
        milestone=milestone, by=secretariat_with_mfa, reached_on=today()
    )
    review.refresh_from_db()
    assert review.snapshot["actions"][0]["progress"] == 0
    assert review.snapshot["actions"][0]["milestones"][0]["reached_on"] is None


def test_one_assessment_per_action_and_a_summary_to_close(
    lead_action, secretariat_with_mfa, reviewer_with_mfa
):
    review = open_review(secretariat_with_mfa)
    review_services.assessment_set(
        review=review, action=lead_action, by=reviewer_with_mfa, rating=R.AT_RISK
    )
    review_services.assessment_set(
        review=review, action=lead_action, by=reviewer_with_mfa, rating=R.LATE, next_step="Relancer"
    )
    assessment = ActionAssessment.objects.get()
    assert (assessment.rating, assessment.next_step) == (R.LATE, "Relancer")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionAssessment.objects.create(review=review, action=lead_action, rating=R.ON_TRACK)

    with pytest.raises(ValidationError):
        review_services.plan_review_close(review=review, by=secretariat_with_mfa, summary=" ")
    close(review, secretariat_with_mfa)
    review.refresh_from_db()
    assert review.status == PlanReview.Status.CLOSED
    with pytest.raises(ValidationError):
        review_services.assessment_set(
            review=review, action=lead_action, by=reviewer_with_mfa, rating=R.ON_TRACK
        )


def test_only_one_review_is_open_at_a_time(lead_action, secretariat_with_mfa):
    review = open_review(secretariat_with_mfa)
    with pytest.raises(ValidationError):
        open_review(secretariat_with_mfa)
    close(review, secretariat_with_mfa)
    assert open_review(secretariat_with_mfa).is_open


def test_reviewers_assess_the_secretariat_opens_and_closes(
    lead_action, reviewer_with_mfa, secretariat_with_mfa
):
    with pytest.raises(PermissionDenied):
        open_review(reviewer_with_mfa)
    review = open_review(secretariat_with_mfa)
    review_services.assessment_set(
        review=review, action=lead_action, by=reviewer_with_mfa, rating=R.ON_TRACK
    )
    with pytest.raises(PermissionDenied):
        close(review, reviewer_with_mfa)


def test_two_reviews_compare_what_moved_and_what_slipped(
    client, association, secretariat_with_mfa, reviewer_with_mfa
):
    ahead = f.ActionFactory(code="1.1", axis=f.axis(1), title="Avance")
    behind = f.ActionFactory(code="1.2", axis=f.axis(1), title="Recule")
    late = f.ActionFactory(code="1.3", axis=f.axis(1), title="Jalon dépassé")
    worse = f.ActionFactory(code="1.4", axis=f.axis(1), title="Moins bien notée")
    still = f.ActionFactory(code="1.5", axis=f.axis(1), title="Immobile")
    step = f.MilestoneFactory(action=ahead, title="Étape", due_date=today() + 30 * DAY)
    measure = indicator_services.indicator_create(
        action=behind,
        by=secretariat_with_mfa,
        data=indicator_services.IndicatorData(label="Écoles", target=Decimal(10)),
    )
    indicator_services.indicator_set(indicator=measure, by=secretariat_with_mfa, value=Decimal(6))
    f.MilestoneFactory(action=late, title="Échéance proche", due_date=today() - 5 * DAY)
    f.MilestoneFactory(action=still, title="Lointain", due_date=today() + 300 * DAY)

    first = open_review(secretariat_with_mfa, title="T1", held_on=today() - 10 * DAY)
    review_services.assessment_set(
        review=first, action=worse, by=reviewer_with_mfa, rating=R.ON_TRACK
    )
    review_services.assessment_set(
        review=first, action=still, by=reviewer_with_mfa, rating=R.ON_TRACK
    )
    close(first, secretariat_with_mfa)

    action_services.milestone_reach(milestone=step, by=secretariat_with_mfa, reached_on=today())
    indicator_services.indicator_set(indicator=measure, by=secretariat_with_mfa, value=Decimal(2))
    added = f.ActionFactory(code="1.6", axis=f.axis(1), title="Nouvelle")

    second = open_review(secretariat_with_mfa, title="T2", held_on=today())
    review_services.assessment_set(
        review=second, action=worse, by=reviewer_with_mfa, rating=R.AT_RISK
    )
    review_services.assessment_set(
        review=second, action=still, by=reviewer_with_mfa, rating=R.ON_TRACK
    )
    close(second, secretariat_with_mfa)

    # The order given does not matter: the earlier review comes first.
    comparison = review_services.plan_reviews_compare(a=second, b=first)
    assert comparison.earlier == first
    verdicts = {item.code: item.verdict for item in comparison.actions}
    assert verdicts == {
        "1.1": "moved",
        "1.2": "slipped",
        "1.3": "slipped",
        "1.4": "slipped",
        "1.5": "unchanged",
        "1.6": "added",
    }
    by_code = {item.code: item for item in comparison.actions}
    assert by_code["1.1"].progress_delta == 100
    assert by_code["1.1"].milestones_reached == ["Étape"]
    assert by_code["1.2"].progress_delta == -40
    assert by_code["1.3"].milestones_newly_late == ["Échéance proche"]
    assert (by_code["1.4"].rating_before, by_code["1.4"].rating_after) == (R.ON_TRACK, R.AT_RISK)
    assert added.pk and Action.objects.count() == 6

    login(client, reviewer_with_mfa)
    response = client.get(reverse("plan_admin:reviews_compare"), {"a": first.pk, "b": second.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="moved" id="comparaison-1.1"' in page
    assert 'data-verdict="slipped" id="comparaison-1.3"' in page
    assert "nouveaux jalons en retard : Échéance proche" in page
    assert ">T1</th>" in page and ">T2</th>" in page


def test_the_review_pages_by_role(client, lead_action, association, other_association, ministry):
    secretariat = member(ministry, Membership.Role.SECRETARIAT)
    review = open_review(secretariat)
    people = {
        "other_staff": member(other_association, Membership.Role.CONTRIBUTOR),
        "lead_contributor": member(association, Membership.Role.CONTRIBUTOR),
        "lead_admin": member(association, Membership.Role.ADMIN),
        "reviewer": member(ministry, Membership.Role.REVIEWER),
        "secretariat": secretariat,
    }
    assess = reverse("plan_admin:assessment_set", args=[review.pk, lead_action.pk])
    closing = reverse("plan_admin:review_close", args=[review.pk])
    client.logout()
    assert "/comptes/login/" in client.get(reverse("plan_admin:reviews"))["Location"]
    assert "/comptes/login/" in client.post(assess, {})["Location"]
    for name, user in people.items():
        login(client, user)
        is_official = name in ("reviewer", "secretariat")
        assert client.get(reverse("plan_admin:reviews")).status_code == (
            200 if is_official else 403
        )
        assert client.get(reverse("plan_admin:review", args=[review.pk])).status_code == (
            200 if is_official else 403
        )
        response = client.post(assess, {f"a{lead_action.pk}-rating": R.AT_RISK})
        assert response.status_code == (302 if is_official else 403), name
        response = client.post(closing, {"summary": "x"}) if name != "secretariat" else None
        if response is not None:
            assert response.status_code == 403, name
    assert ActionAssessment.objects.get().rating == R.AT_RISK
    login(client, secretariat)
    assert client.post(closing, {"summary": ""}).status_code == 400
    assert client.post(closing, {"summary": "Revue close."}).status_code == 302
    review.refresh_from_db()
    assert review.summary == "Revue close."


def test_the_secretariat_opens_a_review_on_the_page(client, lead_action, secretariat_with_mfa):
    login(client, secretariat_with_mfa)
    response = client.post(
        reverse("plan_admin:review_open"), {"title": "Revue de printemps", "held_on": "2025-04-01"}
    )
    review = PlanReview.objects.get()
    assert response.status_code == 302
    assert review.held_on == datetime.date(2025, 4, 1)
    page = client.get(reverse("plan_admin:review", args=[review.pk])).content.decode()
    assert "5.1 — Équiper les écoles rurales" in page


def test_the_action_plan_report_can_be_built_from_a_review(
    lead_action, secretariat_with_mfa, reviewer_with_mfa
):
    review = open_review(secretariat_with_mfa, title="Revue d'automne")
    review_services.assessment_set(
        review=review,
        action=lead_action,
        by=reviewer_with_mfa,
        rating=R.AT_RISK,
        next_step="Relancer",
    )
    close(review, secretariat_with_mfa)
    action_services.milestone_reach(
        milestone=lead_action.milestones.first(), by=secretariat_with_mfa, reached_on=today()
    )  # after the review: not in the report

    context = plan_snapshot_for_report(review)
    assert context["action_count"] == 1
    action = context["axes"][4].action_list[0]
    assert (action.code, action.progress, action.assessment.rating) == ("5.1", 0, R.AT_RISK)
    html = render_to_string(
        "reports/action_plan.html", {**context, "generated_at": today(), "portal_name": "CNPE"}
    )
    assert "Revue d&#x27;automne" in html
    assert "5.1 — Équiper les écoles rurales" in html
    assert "AMF" in html
    assert "Bilan fait." in html
