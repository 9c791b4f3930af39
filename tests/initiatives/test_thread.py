"""The private thread between the officials and the association, from both sides."""

import pytest
from django.urls import reverse

from initiatives.models import Comment, Initiative
from initiatives.notifications import Kinds
from members.models import Event, Membership
from tests import factories as f

from .review_support import initiative_in, login

pytestmark = pytest.mark.django_db

S = Initiative.Status


@pytest.fixture
def submitted(association, contributor):
    return initiative_in(S.SUBMITTED, association, created_by=contributor, title="Classes mobiles")


def post(client, initiative, body, **extra):
    return client.post(
        reverse("review:comment", kwargs={"pk": initiative.pk}), {"body": body, **extra}
    )


def test_a_contributor_writes_and_every_official_is_told_when_nobody_is_assigned(
    client,
    association,
    contributor,
    reviewer,
    secretariat,
    submitted,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    login(client, contributor, mfa=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, submitted, "  Le budget est joint.  ", next="/espace/initiatives/1/"
        )

    assert response.status_code == 302
    assert response["Location"] == "/espace/initiatives/1/"
    comment = Comment.objects.get()
    assert (comment.author, comment.author_organisation, comment.body) == (
        contributor,
        association,
        "Le budget est joint.",
    )
    event = Event.objects.get(kind=Kinds.COMMENTED)
    assert (event.actor, event.organisation, event.object_id) == (
        contributor,
        association,
        submitted.pk,
    )
    # One email per person (each in their language, with their own unsubscribe link).
    assert sorted(a for m in mailoutbox for a in m.to) == sorted(
        [reviewer.email, secretariat.email]
    )
    for email in mailoutbox:
        assert "Le budget est joint." in email.body
        assert f"/instruction/{submitted.pk}/" in email.body


def test_when_an_official_is_assigned_only_they_hear_from_the_association(
    client,
    contributor,
    reviewer,
    secretariat,
    submitted,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    submitted.assignee = reviewer
    submitted.save()
    login(client, contributor, mfa=False)

    with django_capture_on_commit_callbacks(execute=True):
        post(client, submitted, "Une question sur le calendrier.")

    [email] = mailoutbox
    assert email.to == [reviewer.email]


def test_an_official_writes_and_the_author_and_association_admins_are_told(
    client,
    contributor,
    association_admin,
    reviewer,
    ministry,
    submitted,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    login(client, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, submitted, "Pouvez-vous préciser le nombre d'élèves ?")

    assert response["Location"] == f"/instruction/{submitted.pk}/#discussion"
    comment = Comment.objects.get()
    assert comment.author_organisation == ministry
    assert sorted(a for m in mailoutbox for a in m.to) == sorted(
        [contributor.email, association_admin.email]
    )
    assert all(f"/espace/initiatives/{submitted.pk}/" in email.body for email in mailoutbox)


def test_the_thread_shows_each_message_with_its_author_side_and_date(
    client, contributor, reviewer, submitted
):
    login(client, contributor, mfa=False)
    post(client, submitted, "Message de l'association")
    login(client, reviewer)
    post(client, submitted, "Réponse du ministère")

    page = client.get(f"/instruction/{submitted.pk}/").content.decode()

    assert "Message de l&#x27;association" in page and "Réponse du ministère" in page
    assert str(contributor) in page and str(reviewer) in page
    assert ">AMF</span>" in page and ">Ministère</span>" in page
    assert page.count("<time datetime=") == 2
    assert '<label class="fr-label" for="thread-body">' in page


def test_staff_of_another_association_cannot_post(client, other_contributor, submitted):
    login(client, other_contributor, mfa=False)

    response = post(client, submitted, "Intrusion")

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_anonymous_visitors_cannot_post(client, submitted):
    response = post(client, submitted, "Anonyme")

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")
    assert not Comment.objects.exists()


def test_nobody_posts_to_the_thread_of_a_draft(client, association, contributor, reviewer):
    draft = initiative_in(S.DRAFT, association, created_by=contributor)
    login(client, contributor, mfa=False)

    assert post(client, draft, "Trop tôt").status_code == 403
    login(client, reviewer)
    assert post(client, draft, "Trop tôt").status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Écrivez un message"), ("x" * 5001, "au plus 5000 caractères")],
)
def test_an_empty_or_oversized_message_is_refused(client, contributor, submitted, body, message):
    login(client, contributor, mfa=False)

    response = post(client, submitted, body, next=f"/instruction/{submitted.pk}/historique/")

    assert not Comment.objects.exists()
    assert not Event.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert message in page.replace("\u202f", " ").replace("&#x27;", "'")


def test_an_outside_next_address_is_ignored(client, contributor, submitted):
    login(client, contributor, mfa=False)

    response = post(client, submitted, "Bonjour", next="https://ailleurs.example/piege")

    assert response.status_code == 302
    assert response["Location"] == f"/espace/initiatives/{submitted.pk}/#discussion"


def test_a_member_of_both_sides_speaks_for_the_association(
    client, association, ministry, submitted
):
    user = f.MembershipFactory(organisation=association, role=Membership.Role.CONTRIBUTOR).user
    Membership.objects.create(user=user, organisation=ministry, role=Membership.Role.REVIEWER)
    login(client, user)

    post(client, submitted, "Double casquette")

    assert Comment.objects.get().author_organisation == association
