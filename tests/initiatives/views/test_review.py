"""The officials' review: who reaches it, the queue, assignment and each decision."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative, StatusChange
from initiatives.notifications import Kinds
from initiatives.services import initiative_submit
from members.models import Event, Membership
from tests import factories as f
from tests.initiatives.review_support import initiative_in, login

pytestmark = pytest.mark.django_db

S = Initiative.Status
QUEUE = "/instruction/"


@pytest.fixture
def colleague(ministry):
    return f.MembershipFactory(
        organisation=ministry,
        role=Membership.Role.REVIEWER,
        user__first_name="Dominique",
        user__last_name="Collègue",
    ).user


@pytest.fixture
def in_review(association, contributor):
    return initiative_in(S.IN_REVIEW, association, created_by=contributor)


def decide(client, initiative, transition, comment="", expected=None):
    return client.post(
        reverse("review:decide", kwargs={"pk": initiative.pk}),
        {
            "transition": transition,
            "comment": comment,
            "expected_status": expected or initiative.status,
        },
    )


def events(kind):
    return Event.objects.filter(kind=kind)


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, association):
    initiative = initiative_in(S.SUBMITTED, association)

    for url in (QUEUE, f"/instruction/{initiative.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/?next=")


@pytest.mark.parametrize("role", ["contributor", "association_admin", "other_contributor"])
def test_association_staff_are_refused_the_review(client, request, association, role):
    user = request.getfixturevalue(role)
    initiative = initiative_in(S.SUBMITTED, association)
    login(client, user)

    assert client.get(QUEUE).status_code == 403
    assert client.get(f"/instruction/{initiative.pk}/").status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "secretariat"])
def test_officials_reach_the_queue_and_the_initiative_file(client, request, association, role):
    initiative = initiative_in(S.SUBMITTED, association, title="Robots à l'école")
    login(client, request.getfixturevalue(role))

    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert "Robots à l&#x27;école" in queue.content.decode()
    assert client.get(f"/instruction/{initiative.pk}/").status_code == 200


def test_drafts_and_unknown_ids_are_not_found_in_the_review(client, association, reviewer):
    draft = initiative_in(S.DRAFT, association)
    login(client, reviewer)

    assert client.get(f"/instruction/{draft.pk}/").status_code == 404
    assert client.get("/instruction/999999/").status_code == 404


# --- queue -------------------------------------------------------------------------------------


def _queue_titles(response):
    return [row["initiative"].title for row in response.context["rows"]]


def test_the_queue_lists_what_awaits_officials_oldest_waiting_first(client, association, reviewer):
    now = timezone.now()
    initiative_in(S.SUBMITTED, association, title="Récente", submitted_at=now)
    initiative_in(
        S.IN_REVIEW, association, title="Ancienne", submitted_at=now - datetime.timedelta(40)
    )
    initiative_in(
        S.CHANGES_REQUESTED,
        association,
        title="Moyenne",
        status_changed_at=now - datetime.timedelta(10),
    )
    for status in (S.DRAFT, S.PUBLISHED, S.REJECTED, S.ARCHIVED):
        initiative_in(status, association, title=f"Hors file {status}")
    login(client, reviewer)

    response = client.get(QUEUE)

    assert _queue_titles(response) == ["Ancienne", "Moyenne", "Récente"]
    assert "40 jours" in response.content.decode()


@pytest.mark.parametrize(
    ("waiting", "expected"), [("7", ["Ancienne", "Moyenne"]), ("30", ["Ancienne"])]
)
def test_the_queue_filters_by_waiting_time(client, association, reviewer, waiting, expected):
    now = timezone.now()
    for title, days in (("Ancienne", 40), ("Moyenne", 10), ("Récente", 1)):
        initiative_in(
            S.SUBMITTED, association, title=title, submitted_at=now - datetime.timedelta(days)
        )
    login(client, reviewer)

    assert _queue_titles(client.get(QUEUE, {"waiting": waiting})) == expected


def test_the_queue_filters_by_status_axis_region_and_partner(
    client, association, other_association, reviewer
):
    other_region = f.DepartmentFactory(
        code="13", name="Bouches-du-Rhône", parent=f.RegionFactory(code="93", name="PACA")
    )
    f.RegionFactory()  # Auvergne-Rhône-Alpes, the default département's région
    initiative_in(S.SUBMITTED, association, title="AMF axe 1")
    initiative_in(
        S.SUBMITTED,
        association,
        title="AMF axe 5 PACA",
        axes=[f.axis(5)],
        lead_collectivity=other_region,
    )
    initiative_in(S.IN_REVIEW, other_association, title="ADF axe 1")
    initiative_in(S.PUBLISHED, association, title="Publiée")
    login(client, reviewer)

    assert _queue_titles(client.get(QUEUE, {"status": "published"})) == ["Publiée"]
    assert _queue_titles(client.get(QUEUE, {"axis": 5})) == ["AMF axe 5 PACA"]
    assert _queue_titles(client.get(QUEUE, {"region": "93"})) == ["AMF axe 5 PACA"]
    assert sorted(_queue_titles(client.get(QUEUE, {"partner": "ADF"}))) == ["ADF axe 1"]
    assert sorted(_queue_titles(client.get(QUEUE, {"status": "in_review"}))) == ["ADF axe 1"]


def test_the_queue_filters_by_assignee(client, association, reviewer, colleague):
    initiative_in(S.SUBMITTED, association, title="À moi", assignee=reviewer)
    initiative_in(S.SUBMITTED, association, title="Au collègue", assignee=colleague)
    initiative_in(S.SUBMITTED, association, title="À personne")
    login(client, reviewer)

    assert _queue_titles(client.get(QUEUE, {"assignee": "me"})) == ["À moi"]
    assert _queue_titles(client.get(QUEUE, {"assignee": "none"})) == ["À personne"]
    assert _queue_titles(client.get(QUEUE, {"assignee": colleague.pk})) == ["Au collègue"]


def test_an_invalid_filter_is_reported_and_ignored(client, association, reviewer):
    initiative_in(S.SUBMITTED, association, title="Soumise")
    login(client, reviewer)

    response = client.get(QUEUE, {"status": "draft"})

    assert response.status_code == 200
    assert _queue_titles(response) == ["Soumise"]
    assert "filtres n'ont pas été pris en compte" in response.content.decode()


def test_the_queue_costs_the_same_queries_for_3_or_12_initiatives(
    client, association, other_association, reviewer, colleague
):
    def make(n):
        for i in range(n):
            initiative_in(
                S.SUBMITTED,
                association if i % 2 else other_association,
                assignee=colleague if i % 3 else None,
                axes=[f.axis(1), f.axis(2)],
            )

    login(client, reviewer)
    make(3)
    client.get(QUEUE)  # warm the caches of the session and templates
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    make(9)
    with CaptureQueriesContext(connection) as many:
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == 12
    assert len(many) == len(few)


# --- assignment --------------------------------------------------------------------------------


def test_an_official_assigns_an_initiative_to_themselves_from_the_queue(
    client, association, reviewer, django_capture_on_commit_callbacks, mailoutbox
):
    initiative = initiative_in(S.SUBMITTED, association)
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("review:bulk_assign"), {"me": initiative.pk})

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.assignee == reviewer
    event = events(Kinds.ASSIGNED).get()
    assert (event.actor, event.data["assignee"]) == (reviewer, reviewer.pk)
    assert mailoutbox == []  # nobody needs an email about their own act


def test_an_official_assigns_an_initiative_to_a_colleague_who_is_told(
    client, association, reviewer, colleague, django_capture_on_commit_callbacks, mailoutbox
):
    initiative = initiative_in(S.IN_REVIEW, association, title="Fibre des écoles")
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:assign", kwargs={"pk": initiative.pk}), {"assignee": colleague.pk}
        )

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.assignee == colleague
    assert events(Kinds.ASSIGNED).count() == 1
    [email] = mailoutbox
    assert email.to == [colleague.email]
    assert "Fibre des écoles" in email.subject
    assert f"http://127.0.0.1:8000/instruction/{initiative.pk}/" in email.body


def test_the_initiative_file_offers_assignment_to_oneself_and_colleagues(
    client, association, reviewer, colleague
):
    initiative = initiative_in(S.SUBMITTED, association)
    login(client, reviewer)

    page = client.get(f"/instruction/{initiative.pk}/").content.decode()

    assert "M'assigner cette initiative" in page
    assert str(colleague) in page


def test_an_official_bulk_assigns_the_selected_initiatives(
    client, association, reviewer, colleague, django_capture_on_commit_callbacks, mailoutbox
):
    first = initiative_in(S.SUBMITTED, association)
    second = initiative_in(S.IN_REVIEW, association)
    untouched = initiative_in(S.SUBMITTED, association)
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:bulk_assign"),
            {"initiatives": [first.pk, second.pk], "assignee": colleague.pk},
            follow=True,
        )

    assert "2 initiatives assignées" in response.content.decode()
    assert set(Initiative.objects.filter(assignee=colleague)) == {first, second}
    untouched.refresh_from_db()
    assert untouched.assignee is None
    assert events(Kinds.ASSIGNED).count() == 2
    [email] = mailoutbox  # one summary, not one email per initiative
    assert email.to == [colleague.email]
    assert f"/instruction/{first.pk}/" in email.body and f"/instruction/{second.pk}/" in email.body


def test_bulk_assignment_reports_initiatives_that_cannot_be_assigned(
    client, association, reviewer, colleague
):
    submitted = initiative_in(S.SUBMITTED, association)
    published = initiative_in(S.PUBLISHED, association, title="Déjà publiée")
    login(client, reviewer)

    response = client.post(
        reverse("review:bulk_assign"),
        {"initiatives": [submitted.pk, published.pk], "assignee": colleague.pk},
        follow=True,
    )

    page = response.content.decode()
    assert "Déjà publiée" in page and "ne peut pas être assignée" in page
    published.refresh_from_db()
    assert published.assignee is None
    submitted.refresh_from_db()
    assert submitted.assignee == colleague


@pytest.mark.parametrize("url_name", ["review:assign", "review:bulk_assign"])
def test_assigning_to_someone_outside_the_ministry_is_refused(
    client, association, reviewer, contributor, url_name
):
    initiative = initiative_in(S.SUBMITTED, association)
    login(client, reviewer)
    kwargs = {"pk": initiative.pk} if url_name == "review:assign" else {}

    response = client.post(
        reverse(url_name, kwargs=kwargs),
        {"assignee": contributor.pk, "initiatives": [initiative.pk]},
        follow=True,
    )

    assert "seuls les instructeurs et le secrétariat du ministère" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.assignee is None
    assert not events(Kinds.ASSIGNED).exists()


def test_association_staff_cannot_assign(client, association, contributor, reviewer):
    initiative = initiative_in(S.SUBMITTED, association)
    login(client, contributor)

    response = client.post(
        reverse("review:assign", kwargs={"pk": initiative.pk}), {"assignee": reviewer.pk}
    )

    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.assignee is None


# --- decisions ---------------------------------------------------------------------------------


def test_the_file_offers_only_the_decisions_of_the_current_state(client, association, reviewer):
    submitted = initiative_in(S.SUBMITTED, association)
    published = initiative_in(S.PUBLISHED, association)
    archived = initiative_in(S.ARCHIVED, association)
    login(client, reviewer)

    def offered(initiative):
        form = client.get(f"/instruction/{initiative.pk}/").context["decision_form"]
        return [name for name, _label in form.fields["transition"].choices]

    assert offered(submitted) == ["start_review", "request_changes", "publish", "reject"]
    assert offered(published) == ["unpublish", "archive"]
    assert offered(archived) == []


def test_publishing_records_the_change_and_tells_the_association(
    client,
    association,
    contributor,
    association_admin,
    reviewer,
    in_review,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, in_review, "publish")

    assert response.status_code == 302
    assert response["Location"] == f"/instruction/{in_review.pk}/"
    in_review.refresh_from_db()
    assert in_review.status == S.PUBLISHED
    assert in_review.published_at is not None
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.by) == (
        S.IN_REVIEW,
        S.PUBLISHED,
        reviewer,
    )
    event = events(Kinds.PUBLISHED).get()
    assert event.organisation == association
    assert event.object_id == in_review.pk
    assert event.data == {"from": "in_review", "to": "published", "comment": ""}
    # One email per person (each in their language, with their own unsubscribe link).
    assert sorted(a for m in mailoutbox for a in m.to) == sorted(
        [contributor.email, association_admin.email]
    )
    for email in mailoutbox:
        assert "publiée" in email.subject
        assert f"http://127.0.0.1:8000/espace/initiatives/{in_review.pk}/" in email.body


def test_requesting_changes_sends_the_comment_to_the_author_and_admins(
    client,
    contributor,
    association_admin,
    reviewer,
    in_review,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, in_review, "request_changes", "Précisez le budget, s'il vous plaît.")

    in_review.refresh_from_db()
    assert in_review.status == S.CHANGES_REQUESTED
    assert StatusChange.objects.get().comment == "Précisez le budget, s'il vous plaît."
    event = events(Kinds.CHANGES_REQUESTED).get()
    assert event.data["comment"] == "Précisez le budget, s'il vous plaît."
    assert sorted(a for m in mailoutbox for a in m.to) == sorted(
        [contributor.email, association_admin.email]
    )
    assert all("Précisez le budget" in email.body for email in mailoutbox)


def test_rejecting_records_the_reason(
    client, contributor, reviewer, in_review, django_capture_on_commit_callbacks, mailoutbox
):
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, in_review, "reject", "Hors du champ du comité.")

    in_review.refresh_from_db()
    assert in_review.status == S.REJECTED
    assert events(Kinds.REJECTED).get().data["comment"] == "Hors du champ du comité."
    [email] = mailoutbox
    assert email.to == [contributor.email]
    assert "Hors du champ du comité." in email.body


@pytest.mark.parametrize("transition", ["request_changes", "reject"])
@pytest.mark.parametrize("comment", ["", "   "])
def test_a_decision_needing_a_comment_is_refused_without_one_and_changes_nothing(
    client, reviewer, in_review, transition, comment, django_capture_on_commit_callbacks
):
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = decide(client, in_review, transition, comment)

    assert response.status_code == 400
    assert "Expliquez votre décision" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert not StatusChange.objects.exists()
    assert not Event.objects.exists()
    assert callbacks == []


def test_unpublishing_takes_the_initiative_back_into_review(
    client, association, contributor, reviewer, django_capture_on_commit_callbacks, mailoutbox
):
    published = initiative_in(S.PUBLISHED, association, created_by=contributor)
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, published, "unpublish", "Les coordonnées sont périmées.")

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == S.IN_REVIEW
    assert events(Kinds.UNPUBLISHED).get().data["to"] == "in_review"
    [email] = mailoutbox
    assert email.to == [contributor.email]


def test_archiving_a_rejected_initiative_is_recorded_without_email(
    client, association, contributor, secretariat, django_capture_on_commit_callbacks, mailoutbox
):
    rejected = initiative_in(S.REJECTED, association, created_by=contributor)
    login(client, secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, rejected, "archive")

    rejected.refresh_from_db()
    assert rejected.status == S.ARCHIVED
    assert events(Kinds.ARCHIVED).get().actor == secretariat
    assert mailoutbox == []


def test_taking_a_submission_into_review_is_recorded(
    client, association, reviewer, django_capture_on_commit_callbacks, mailoutbox
):
    submitted = initiative_in(S.SUBMITTED, association)
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        decide(client, submitted, "start_review")

    submitted.refresh_from_db()
    assert submitted.status == S.IN_REVIEW
    assert events(Kinds.REVIEW_STARTED).count() == 1
    assert mailoutbox == []


def test_a_submission_tells_the_association_admins_and_every_official(
    association,
    contributor,
    association_admin,
    reviewer,
    secretariat,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    draft = initiative_in(S.DRAFT, association, created_by=contributor, title="Écoles connectées")

    with django_capture_on_commit_callbacks(execute=True):
        initiative_submit(initiative=draft, by=contributor)

    event = events(Kinds.SUBMITTED).get()
    assert (event.actor, event.data["to"]) == (contributor, "submitted")
    by_recipient = {m.to[0]: m for m in mailoutbox}  # one email per person
    assert len(mailoutbox) == 3
    assert set(by_recipient) == {association_admin.email, reviewer.email, secretariat.email}
    assert f"/espace/initiatives/{draft.pk}/" in by_recipient[association_admin.email].body
    for official in (reviewer, secretariat):
        officials_mail = by_recipient[official.email]
        assert f"/instruction/{draft.pk}/" in officials_mail.body
        assert "Écoles connectées" in officials_mail.subject


@pytest.mark.parametrize(
    ("status", "transition"),
    [(S.SUBMITTED, "archive"), (S.SUBMITTED, "unpublish"), (S.PUBLISHED, "publish")],
)
def test_an_illegal_transition_is_refused_with_a_clear_message(
    client, association, reviewer, status, transition
):
    initiative = initiative_in(status, association)
    login(client, reviewer)

    response = decide(client, initiative, transition, "Motif")

    assert response.status_code == 400
    assert "Impossible de « " in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == status
    assert not StatusChange.objects.exists()
    assert not Event.objects.exists()


def test_a_draft_cannot_be_published_from_the_review(client, association, reviewer):
    draft = initiative_in(S.DRAFT, association)
    login(client, reviewer)

    response = decide(client, draft, "publish")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_an_unknown_decision_is_refused(client, reviewer, in_review):
    login(client, reviewer)

    response = decide(client, in_review, "teleport")

    assert response.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


def test_decisions_and_assignments_are_never_made_by_get(client, reviewer, in_review):
    login(client, reviewer)

    for name in ("review:decide", "review:assign", "review:comment"):
        assert client.get(reverse(name, kwargs={"pk": in_review.pk})).status_code == 405
    assert client.get(reverse("review:bulk_assign")).status_code == 405
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


@pytest.mark.parametrize("role", ["contributor", "association_admin"])
def test_association_staff_cannot_decide_on_their_own_initiative(client, request, in_review, role):
    login(client, request.getfixturevalue(role))

    response = decide(client, in_review, "publish")

    assert response.status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert not StatusChange.objects.exists()


def test_the_file_shows_everything_including_private_contact_and_history(
    client, association, contributor, reviewer
):
    initiative = initiative_in(
        S.SUBMITTED,
        association,
        created_by=contributor,
        contact_name="Claude Dupont",
        contact_email="claude.dupont@mairie.example",
        contact_consent=True,
        funding_sources="Plan France Relance",
    )
    initiative.documents.create(
        title="Bilan 2024", file="documents/x/abc", content_type="application/pdf", size=1234
    )
    StatusChange.objects.create(
        initiative=initiative, from_status=S.DRAFT, to_status=S.SUBMITTED, by=contributor
    )
    login(client, reviewer)

    page = client.get(f"/instruction/{initiative.pk}/").content.decode()

    assert "claude.dupont@mairie.example" in page
    assert "Plan France Relance" in page
    assert "Bilan 2024" in page
    document = initiative.documents.get()
    assert f"/espace/documents/{document.pk}/" in page
    assert "Brouillon → Soumise" in page
    assert f"/instruction/{initiative.pk}/historique/" in page
