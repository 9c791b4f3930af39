"""Two officials deciding at once: one wins, the other is told, nothing is overwritten."""

import html
import re
import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from initiatives.models import Initiative, StatusChange
from initiatives.notifications import Kinds
from initiatives.services import initiative_transition
from initiatives.workflow import TransitionConflict
from members.models import Event

from .review_support import initiative_in, login

S = Initiative.Status


def load_decision_form(client, initiative):
    """What the official's browser holds: the hidden fields of the decision form."""
    page = client.get(f"/instruction/{initiative.pk}/").content.decode()
    return {
        name: html.unescape(re.search(rf'name="{name}" value="([^"]*)"', page).group(1))
        for name in ("expected_status", "expected_stamp")
    }


def post_decision(client, initiative, seen, transition, comment=""):
    return client.post(
        reverse("review:decide", kwargs={"pk": initiative.pk}),
        {"transition": transition, "comment": comment, **seen},
    )


@pytest.fixture
def officials_clients(client, django_user_model, reviewer, secretariat):
    from django.test import Client

    return login(client, reviewer), login(Client(), secretariat)


@pytest.mark.django_db
def test_the_second_decision_on_a_stale_page_is_refused_with_409(
    association,
    contributor,
    officials_clients,
    reviewer,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    first, second = officials_clients
    initiative = initiative_in(S.IN_REVIEW, association, created_by=contributor)
    seen_by_first = load_decision_form(first, initiative)
    seen_by_second = load_decision_form(second, initiative)
    assert seen_by_first["expected_status"] == seen_by_second["expected_status"] == "in_review"

    with django_capture_on_commit_callbacks(execute=True):
        assert post_decision(first, initiative, seen_by_first, "publish").status_code == 302
        response = post_decision(second, initiative, seen_by_second, "reject", "Hors sujet.")

    assert response.status_code == 409
    page = response.content.decode()
    assert "Cette initiative vient d&#x27;être modifiée par quelqu&#x27;un d&#x27;autre" in page
    assert "Hors sujet." in page  # what the official typed is kept
    initiative.refresh_from_db()
    assert initiative.status == S.PUBLISHED
    assert list(StatusChange.objects.values_list("to_status", "by")) == [(S.PUBLISHED, reviewer.pk)]
    assert not Event.objects.filter(kind=Kinds.REJECTED).exists()
    assert [m.subject for m in mailoutbox if "refusée" in m.subject] == []


@pytest.mark.django_db
def test_a_stale_form_never_publishes_what_another_official_rejected(
    association, officials_clients
):
    first, second = officials_clients
    initiative = initiative_in(S.IN_REVIEW, association)
    seen_by_first = load_decision_form(first, initiative)
    seen_by_second = load_decision_form(second, initiative)

    post_decision(first, initiative, seen_by_first, "reject", "Doublon d'une autre fiche.")
    response = post_decision(second, initiative, seen_by_second, "publish")

    assert response.status_code == 409
    initiative.refresh_from_db()
    assert initiative.status == S.REJECTED
    assert initiative.published_at is None
    assert StatusChange.objects.count() == 1


@pytest.mark.django_db
def test_a_form_made_before_a_round_trip_to_the_same_status_is_stale(
    association, officials_clients, reviewer
):
    first, second = officials_clients
    initiative = initiative_in(S.IN_REVIEW, association)
    seen_by_second = load_decision_form(second, initiative)
    seen_by_first = load_decision_form(first, initiative)
    post_decision(first, initiative, seen_by_first, "publish")
    initiative.refresh_from_db()
    initiative_transition(
        initiative=initiative, name="unpublish", by=reviewer, comment="Nouvel examen."
    )

    response = post_decision(second, initiative, seen_by_second, "reject", "Hors sujet.")

    assert response.status_code == 409
    initiative.refresh_from_db()
    assert initiative.status == S.IN_REVIEW
    assert StatusChange.objects.count() == 2


@pytest.mark.django_db
def test_a_stale_object_back_in_the_same_status_gets_a_conflict(association, reviewer, secretariat):
    initiative = initiative_in(S.IN_REVIEW, association)
    stale = Initiative.objects.get(pk=initiative.pk)
    initiative_transition(initiative=initiative, name="publish", by=reviewer)
    initiative_transition(initiative=initiative, name="unpublish", by=reviewer, comment="Revoir.")

    with pytest.raises(TransitionConflict):
        initiative_transition(initiative=stale, name="reject", by=secretariat, comment="Non.")

    initiative.refresh_from_db()
    assert initiative.status == S.IN_REVIEW
    assert StatusChange.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_officials_deciding_at_the_same_instant_one_wins(association, reviewer, secretariat):
    initiative = initiative_in(S.IN_REVIEW, association)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, name, comment):
        seen = Initiative.objects.get(pk=initiative.pk)  # each official's own stale copy
        barrier.wait()
        try:
            initiative_transition(initiative=seen, name=name, by=user, comment=comment)
            outcomes[name] = "won"
        except TransitionConflict:
            outcomes[name] = "conflict"
        except Exception as error:  # pragma: no cover - shown if the test fails
            outcomes[name] = repr(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(reviewer, "publish", "")),
        threading.Thread(target=decide, args=(secretariat, "reject", "Hors sujet.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "won"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    initiative.refresh_from_db()
    assert initiative.status == {"publish": S.PUBLISHED, "reject": S.REJECTED}[winner]
    assert StatusChange.objects.count() == 1
    assert Event.objects.filter(kind__in=[Kinds.PUBLISHED, Kinds.REJECTED]).count() == 1
