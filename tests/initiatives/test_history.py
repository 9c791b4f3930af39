"""The history of an initiative: every change of content and of status, as a readable diff."""

import re

import pytest

from initiatives.history import initiative_history, text_diff
from initiatives.models import Initiative
from initiatives.services import initiative_submit, initiative_transition
from tests import factories as f

from .review_support import initiative_in, login

pytestmark = pytest.mark.django_db

S = Initiative.Status


def edit(initiative, by, **changes):
    """Save as a form would, attributed to `by`."""
    for name, value in changes.items():
        setattr(initiative, name, value)
    initiative._history_user = by
    initiative.save()


@pytest.fixture
def lived(association, contributor, reviewer):
    """Created, edited, submitted, published: the usual life of an initiative."""
    initiative = initiative_in(
        S.DRAFT,
        association,
        created_by=contributor,
        title="Tablettes au collège",
        description="Le département équipe les collèges publics.",
    )
    edit(
        initiative,
        contributor,
        title="Tablettes et ENT au collège",
        description="Le département équipe les collèges publics et privés.",
        pupils_reached=1200,
    )
    initiative_submit(initiative=initiative, by=contributor)
    initiative_transition(initiative=initiative, name="publish", by=reviewer)
    return initiative


def test_the_history_lists_creation_edits_and_status_changes_in_order(lived, contributor, reviewer):
    entries = initiative_history(lived)

    assert [e.kind for e in entries] == ["created", "edited", "status", "status"]
    edited = entries[1]
    assert edited.who == str(contributor)
    labels = [c.label for c in edited.changes]
    assert labels == ["titre", "description (Markdown)", "élèves concernés"]
    pupils = edited.changes[2]
    assert (pupils.old, pupils.new) == ("0", "1200")
    assert [(e.from_status, e.to_status, e.who) for e in entries[2:]] == [
        ("Brouillon", "Soumise", str(contributor)),
        ("Soumise", "Publiée", str(reviewer)),
    ]


def test_the_history_page_shows_who_when_and_a_word_diff(client, lived, contributor, reviewer):
    login(client, reviewer)

    response = client.get(f"/instruction/{lived.pk}/historique/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Titre" in page and "Description (Markdown)" in page
    assert re.search(r"<ins><span [^>]+>[^<]+</span>et ENT\s*</ins>", page)
    assert re.search(r"<ins><span [^>]+>[^<]+</span>[^<]*et privés\.\s*</ins>", page)
    assert re.search(r"<del><span [^>]+>[^<]+</span>publics\.\s*</del>", page)
    assert str(contributor) in page and str(reviewer) in page
    assert "Brouillon</strong> → <strong>Soumise" in page
    assert '<time datetime="' in page


def test_many_to_many_changes_are_shown_as_added_and_removed(association, contributor):
    initiative = initiative_in(S.DRAFT, association, created_by=contributor)
    initiative._history_user = contributor
    initiative.axes.set([f.axis(2), f.axis(5)])

    [_created, edited] = initiative_history(initiative)

    [change] = edited.changes
    assert change.label == "axes de travail"
    assert len(change.added) == 2 and change.added[0].startswith("2.")
    assert change.removed and change.removed[0].startswith("1.")


def test_a_form_saved_once_is_one_change_even_with_several_records(association, contributor):
    initiative = initiative_in(S.DRAFT, association, created_by=contributor)
    initiative._history_user = contributor
    initiative.summary = "Un nouveau résumé."
    initiative.save()
    initiative.school_levels.set([f.school_level("college")])

    entries = initiative_history(initiative)

    assert [e.kind for e in entries] == ["created", "edited"]
    assert [c.name for c in entries[1].changes] == ["summary", "school_levels"]


def test_assignments_appear_in_the_history(client, association, reviewer):
    from initiatives.services import initiative_assign

    initiative = initiative_in(S.SUBMITTED, association)
    initiative_assign(initiative=initiative, assignee=reviewer, by=reviewer)

    edited = initiative_history(initiative)[-1]

    [change] = edited.changes
    assert (change.label, change.old, change.new) == ("instructeur assigné", "—", str(reviewer))


def test_text_diff_escapes_what_people_typed():
    html = text_diff("Bonjour <b>", "Bonjour <script>alert(1)</script>")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith("Bonjour ")


def test_the_association_reads_its_own_history_from_the_workspace(client, lived, contributor):
    login(client, contributor, mfa=False)

    response = client.get(f"/instruction/{lived.pk}/historique/")

    assert response.status_code == 200
    assert f'href="/espace/initiatives/{lived.pk}/"' in response.content.decode()


def test_outsiders_cannot_read_the_history(client, association, lived, other_contributor, reviewer):
    url = f"/instruction/{lived.pk}/historique/"
    assert client.get(url)["Location"].startswith("/comptes/login/")

    login(client, other_contributor, mfa=False)
    assert client.get(url).status_code == 404

    draft = initiative_in(S.DRAFT, association)
    login(client, reviewer)
    assert client.get(f"/instruction/{draft.pk}/historique/").status_code == 404
