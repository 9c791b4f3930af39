"""The association staff's workspace: dashboard, drafting, editing rights, submission."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.models import Initiative, StatusChange
from initiatives.notifications import Kinds
from initiatives.services import initiative_transition
from members.models import Event, Membership
from referentials.models import Referential, Territory
from tests import factories as f
from tests.mfa import with_totp

pytestmark = pytest.mark.django_db

S = Initiative.Status
CREATE_URL = "/espace/initiatives/nouvelle/"


@pytest.fixture
def places():
    """A few real territories, enough to exercise search and ambiguity."""
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    idf = f.RegionFactory(code="11", name="Île-de-France", population=12_000_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    loire = f.DepartmentFactory(code="42", name="Loire", parent=ara, population=770_000)
    paris_dept = f.DepartmentFactory(code="75", name="Paris", parent=idf, population=2_100_000)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    villeurbanne = f.CommuneFactory(
        code="69266", name="Villeurbanne", parent=rhone, population=150_000
    )
    saint_etienne = f.CommuneFactory(
        code="42218", name="Saint-Étienne", parent=loire, population=170_000
    )
    paris = f.CommuneFactory(code="75056", name="Paris", parent=paris_dept, population=2_100_000)
    metropole = Territory.objects.create(
        level=Territory.Level.EPCI,
        code="200046977",
        name="Métropole de Lyon",
        parent=rhone,
        region_code="84",
        department_code="69",
        population=1_400_000,
    )
    return {
        "ara": ara,
        "rhone": rhone,
        "lyon": lyon,
        "villeurbanne": villeurbanne,
        "saint_etienne": saint_etienne,
        "paris": paris,
        "paris_dept": paris_dept,
        "metropole": metropole,
    }


@pytest.fixture
def item():
    referential = f.ReferentialFactory(name="CRCN", status=Referential.Status.IN_FORCE)
    return f.ReferentialItemFactory(referential=referential, code="1.1", label="Veille")


def form_data(**overrides):
    data = {
        "title": "Tablettes au collège Jean-Moulin",
        "summary": "Chaque élève de sixième reçoit une tablette.",
        "description": "## Objectifs\n\nDes **tablettes** pour tous.",
        "lead_collectivity_q": "69123",
        "axes": [str(f.axis(1).pk), str(f.axis(5).pk)],
        "school_levels": [str(f.school_level("college").pk)],
        "start_date": "2024-09-01",
        "end_date": "2025-06-30",
        "budget": "12 000,50",
        "funding_sources": "Département, État",
        "schools_reached": "4",
        "pupils_reached": "1 200",
        "outcomes": "Plus d'autonomie.",
        "contact_name": "Camille Martin",
        "contact_email": "camille.martin@example.org",
        "contact_phone": "04 72 00 00 00",
        "contact_consent": "on",
        "_action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def draft_of(organisation, *, by=None, status=S.DRAFT, **kwargs):
    return f.InitiativeFactory(
        lead_organisation=organisation,
        status=status,
        created_by=by,
        published_at=timezone.now() if status == S.PUBLISHED else None,
        **kwargs,
    )


def page(response) -> str:
    return response.content.decode()


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/espace/", CREATE_URL])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/login/")


def test_a_user_without_membership_is_told_rights_come_from_an_invitation(client):
    client.force_login(f.UserFactory())

    response = client.get("/espace/")

    assert response.status_code == 200
    assert "invit" in page(response)
    assert client.get(CREATE_URL).status_code == 403


def test_an_official_on_the_workspace_is_pointed_to_the_review(client, reviewer):
    client.force_login(with_totp(reviewer))

    response = client.get("/espace/")

    assert response.status_code == 200
    assert 'href="/instruction/"' in page(response)


# --- Dashboard ------------------------------------------------------------------------------


def test_the_dashboard_groups_my_initiatives_by_status_and_shows_what_awaits_me(
    client, association, other_association, contributor, reviewer
):
    draft_of(association, by=contributor, title="Mon brouillon")
    asked = draft_of(association, title="À reprendre")
    initiative_transition(initiative=asked, name="submit", by=contributor)
    initiative_transition(
        initiative=asked,
        name="request_changes",
        by=reviewer,
        comment="Précisez le budget, s'il vous plaît.",
    )
    draft_of(association, status=S.PUBLISHED, title="Déjà publiée")
    draft_of(other_association, title="Brouillon des autres")
    client.force_login(contributor)

    response = client.get("/espace/")

    text = page(response)
    assert response.status_code == 200
    assert "Mon brouillon" in text
    assert "Précisez le budget, s&#x27;il vous plaît." in text
    assert "Brouillon : 1" in text
    assert "Modifications demandées : 1" in text
    assert "Publiée : 1" in text
    assert "Brouillon des autres" not in text


def test_the_dashboard_costs_the_same_queries_for_3_or_30_initiatives(
    client, association, contributor, reviewer, django_assert_max_num_queries
):
    client.force_login(contributor)
    client.get("/espace/")  # the first request of a session also writes the session

    def queries_with(count):
        Initiative.objects.all().delete()
        for n in range(count):
            initiative = draft_of(association, by=contributor)
            if n % 3 == 1:
                initiative_transition(initiative=initiative, name="submit", by=contributor)
                initiative_transition(
                    initiative=initiative, name="request_changes", by=reviewer, comment="Non"
                )
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/espace/").status_code == 200
        return [q["sql"][:70] for q in queries]

    few, many = queries_with(3), queries_with(30)

    assert len(few) == len(many), (few, many)
    with django_assert_max_num_queries(10):
        client.get("/espace/")


# --- Creating a draft -------------------------------------------------------------------------


def test_creating_a_draft_saves_every_field_and_relation(
    client, association, other_association, contributor, places, item
):
    client.force_login(contributor)
    data = form_data(
        referential_items=[str(item.pk)],
        partners=[str(other_association.pk)],
        territories=[str(places["villeurbanne"].pk)],
        territories_q="Saint-Etienne",
    )

    response = client.post(CREATE_URL, data)

    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/espace/initiatives/{initiative.pk}/#documents"
    assert initiative.status == S.DRAFT
    assert initiative.slug == "tablettes-au-college-jean-moulin"
    assert initiative.created_by == contributor
    assert initiative.lead_organisation == association
    assert initiative.lead_collectivity == places["lyon"]
    assert (initiative.collectivity_level, initiative.region_code, initiative.department_code) == (
        "commune",
        "84",
        "69",
    )
    assert initiative.budget == Decimal("12000.50")
    assert initiative.pupils_reached == 1200
    assert initiative.end_date == datetime.date(2025, 6, 30)
    assert initiative.contact_consent is True
    assert sorted(a.number for a in initiative.axes.all()) == [1, 5]
    assert [level.code for level in initiative.school_levels.all()] == ["college"]
    assert list(initiative.referential_items.all()) == [item]
    assert list(initiative.partners.all()) == [other_association]
    assert set(initiative.territories.all()) == {places["villeurbanne"], places["saint_etienne"]}
    history = list(initiative.history.all())
    assert len(history) == 1
    assert history[0].history_type == "+"
    assert history[0].history_user == contributor


def test_a_second_draft_with_the_same_title_gets_a_numbered_address(client, contributor, places):
    client.force_login(contributor)

    client.post(CREATE_URL, form_data())
    client.post(CREATE_URL, form_data())
    client.post(CREATE_URL, form_data())

    assert sorted(Initiative.objects.values_list("slug", flat=True)) == [
        "tablettes-au-college-jean-moulin",
        "tablettes-au-college-jean-moulin-2",
        "tablettes-au-college-jean-moulin-3",
    ]


def test_validation_errors_are_summarised_and_nothing_typed_is_lost(client, contributor, places):
    client.force_login(contributor)
    data = form_data(title="", start_date="2025-01-10", end_date="2024-01-10", budget="-5")

    response = client.post(CREATE_URL, data)

    text = page(response)
    assert response.status_code == 200
    assert Initiative.objects.count() == 0
    assert "fr-alert--error" in text
    assert 'href="#id_title"' in text
    assert 'href="#id_end_date"' in text
    assert 'href="#id_budget"' in text
    assert "La date de fin doit être" in text
    # What was typed comes back, including the territory, now resolved to its label.
    assert "Chaque élève de sixième reçoit une tablette." in text
    assert re.search(
        r'<input type="email"[^>]* value="camille.martin@example.org"[^>]* class="fr-input"', text
    )
    assert 'value="Lyon — commune (69123)"' in text
    assert 'value="2025-01-10"' in text
    assert re.search(rf'name="axes" value="{f.axis(5).pk}" id="id_axes_\d" checked', text)


def test_missing_lead_collectivity_and_axes_are_reported(client, contributor, places):
    client.force_login(contributor)

    response = client.post(CREATE_URL, form_data(lead_collectivity_q="", axes=None))

    text = page(response)
    assert Initiative.objects.count() == 0
    assert 'href="#id_lead_collectivity_q"' in text
    assert 'href="#id_axes_0"' in text


def test_contact_details_without_consent_are_refused_with_a_message(client, contributor, places):
    client.force_login(contributor)

    response = client.post(CREATE_URL, form_data(contact_consent=None))

    assert Initiative.objects.count() == 0
    assert 'href="#id_contact_consent"' in page(response)
    assert "accord" in page(response)


def test_a_contact_name_alone_needs_no_consent(client, contributor, places):
    client.force_login(contributor)

    client.post(
        CREATE_URL,
        form_data(contact_consent=None, contact_email="", contact_phone=""),
    )

    assert Initiative.objects.get().contact_name == "Camille Martin"


def test_staff_of_two_associations_choose_which_leads(
    client, association, other_association, contributor, places
):
    Membership.objects.create(
        user=contributor, organisation=other_association, role=Membership.Role.CONTRIBUTOR
    )
    client.force_login(contributor)

    assert 'name="lead_organisation"' in page(client.get(CREATE_URL))
    client.post(CREATE_URL, form_data(lead_organisation=str(other_association.pk)))

    assert Initiative.objects.get().lead_organisation == other_association


def test_an_association_the_user_does_not_belong_to_cannot_be_made_lead(
    client, association, other_association, contributor, places
):
    third = f.OrganisationFactory(acronym="AMRF")
    Membership.objects.create(
        user=contributor, organisation=other_association, role=Membership.Role.CONTRIBUTOR
    )
    client.force_login(contributor)

    response = client.post(CREATE_URL, form_data(lead_organisation=str(third.pk)))

    assert Initiative.objects.count() == 0
    assert 'href="#id_lead_organisation"' in page(response)


def test_officials_cannot_create_initiatives(client, reviewer):
    client.force_login(with_totp(reviewer))

    response = client.post(CREATE_URL, form_data())

    assert response.status_code == 403
    assert Initiative.objects.count() == 0


# --- Preview and territories without JavaScript -----------------------------------------------


def test_preview_shows_the_sanitised_description_and_saves_nothing(client, contributor, places):
    client.force_login(contributor)
    description = "## Étapes\n\n<script>alert('x')</script>[lien](javascript:alert(1))"

    response = client.post(
        CREATE_URL, form_data(description=description, title="", _action="preview")
    )

    text = page(response)
    assert Initiative.objects.count() == 0
    assert "<h2>Étapes</h2>" in text
    assert "alert(" not in text.split('id="apercu"')[1].split("</section>")[0]
    assert "fr-alert--error" not in text  # a preview is not a save: no error summary
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text  # kept in the textarea


def test_an_ambiguous_territory_offers_choices_and_keeps_the_text(client, contributor, places):
    client.force_login(contributor)

    response = client.post(CREATE_URL, form_data(lead_collectivity_q="Paris"))

    text = page(response)
    assert Initiative.objects.count() == 0
    assert 'name="lead_collectivity_q" value="Paris"' in text
    assert 'name="lead_collectivity_pick"' in text
    assert f'value="{places["paris"].pk}">Paris — commune (75056)' in text
    assert f'value="{places["paris_dept"].pk}">Paris — département (75)' in text

    client.post(
        CREATE_URL,
        form_data(lead_collectivity_q="Paris", lead_collectivity_pick=str(places["paris"].pk)),
    )

    assert Initiative.objects.get().lead_collectivity == places["paris"]


def test_an_unknown_territory_is_reported(client, contributor, places):
    client.force_login(contributor)

    response = client.post(CREATE_URL, form_data(lead_collectivity_q="Atlantide"))

    assert Initiative.objects.count() == 0
    assert "Aucun territoire ne correspond à « Atlantide »" in page(response)


def test_the_id_chosen_by_the_script_is_used_while_the_text_is_its_label(
    client, contributor, places
):
    client.force_login(contributor)
    metropole = places["metropole"]

    client.post(
        CREATE_URL,
        form_data(
            lead_collectivity_q="Métropole de Lyon — intercommunalité (200046977)",
            lead_collectivity=str(metropole.pk),
        ),
    )

    initiative = Initiative.objects.get()
    assert initiative.lead_collectivity == metropole
    assert initiative.collectivity_level == "epci"


def test_a_stale_id_does_not_override_a_new_text(client, contributor, places):
    client.force_login(contributor)

    client.post(
        CREATE_URL,
        form_data(lead_collectivity_q="Villeurbanne", lead_collectivity=str(places["lyon"].pk)),
    )

    assert Initiative.objects.get().lead_collectivity == places["villeurbanne"]


def test_adding_a_territory_without_javascript_saves_nothing(client, contributor, places):
    client.force_login(contributor)

    response = client.post(
        CREATE_URL,
        form_data(title="", territories_q="villeurbanne", _action="add_territory"),
    )

    text = page(response)
    assert Initiative.objects.count() == 0
    assert f'name="territories" value="{places["villeurbanne"].pk}"' in text
    assert 'name="territories_q" value=""' in text
    assert "fr-alert--error" not in text


def test_autocomplete_finds_territories_by_name_without_accents(client, contributor, places):
    client.force_login(contributor)

    results = client.get("/espace/territoires/", {"q": "saint-etienne"}).json()["results"]

    assert [r["id"] for r in results] == [places["saint_etienne"].pk]
    assert results[0]["label"] == "Saint-Étienne — commune (42218)"


@pytest.mark.parametrize("query", ["SAINT ETIENNE", "saint-étienne", "Étienne"])
def test_autocomplete_ignores_case_accents_and_hyphens(client, contributor, places, query):
    client.force_login(contributor)

    results = client.get("/espace/territoires/", {"q": query}).json()["results"]

    assert [r["id"] for r in results] == [places["saint_etienne"].pk]


def test_autocomplete_finds_territories_by_code_prefix_exact_first(client, contributor, places):
    client.force_login(contributor)

    results = client.get("/espace/territoires/", {"q": "69"}).json()["results"]

    assert results[0]["id"] == places["rhone"].pk
    assert {r["code"] for r in results} >= {"69", "69123", "69266"}


def test_autocomplete_puts_exact_names_first_and_returns_at_most_20(client, contributor, places):
    rhone = places["rhone"]
    for n in range(25):
        f.CommuneFactory(code=f"69{500 + n}", name=f"Lyon-sur-Test {n}", parent=rhone)
    client.force_login(contributor)

    results = client.get("/espace/territoires/", {"q": "lyon"}).json()["results"]

    assert len(results) == 20
    assert results[0]["id"] == places["lyon"].pk


def test_autocomplete_needs_two_characters_and_a_login(client, contributor, places):
    assert client.get("/espace/territoires/", {"q": "ly"}).status_code == 302
    client.force_login(contributor)

    assert client.get("/espace/territoires/", {"q": "l"}).json() == {"results": []}


# --- Editing ----------------------------------------------------------------------------------


def edit_url(initiative):
    return f"/espace/initiatives/{initiative.pk}/modifier/"


def test_a_contributor_edits_a_draft_of_their_association(client, association, contributor, places):
    initiative = draft_of(association, lead_collectivity=places["lyon"])
    client.force_login(contributor)

    form = client.get(edit_url(initiative))
    response = client.post(edit_url(initiative), form_data(title="Nouveau titre"))

    assert form.status_code == 200
    assert 'value="Lyon — commune (69123)"' in page(form)
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Nouveau titre"
    assert initiative.slug.startswith("initiative-")  # addresses do not move
    assert initiative.history.latest().history_change_reason.startswith("Modification")
    assert not Event.objects.filter(kind=Kinds.EDITED).exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.PUBLISHED, S.REJECTED])
def test_a_contributor_cannot_edit_once_submitted(client, association, contributor, places, status):
    initiative = draft_of(association, status=status, title="Avant")
    records = initiative.history.count()
    client.force_login(contributor)

    get = client.get(edit_url(initiative))
    post = client.post(edit_url(initiative), form_data(title="Après"))

    assert (get.status_code, post.status_code) == (403, 403)
    initiative.refresh_from_db()
    assert initiative.title == "Avant"
    assert initiative.history.count() == records


def test_the_secretariat_corrects_a_published_initiative_and_it_is_recorded(
    client, association, secretariat, places
):
    initiative = draft_of(association, status=S.PUBLISHED, title="Avant")
    client.force_login(with_totp(secretariat))

    response = client.post(edit_url(initiative), form_data(title="Après", outcomes="Corrigé"))

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Après"
    assert initiative.status == S.PUBLISHED
    assert initiative.lead_organisation == association
    event = Event.objects.get(kind=Kinds.EDITED)
    assert event.actor == secretariat
    assert event.object_id == initiative.pk
    assert {"title", "outcomes"} <= set(event.data["fields"])
    record = initiative.history.latest()
    assert record.history_user == secretariat
    assert "title" in record.history_change_reason
    assert record.title == "Après"


def test_the_secretariat_cannot_edit_an_archived_initiative(client, association, secretariat):
    initiative = draft_of(association, status=S.ARCHIVED, title="Avant")
    client.force_login(with_totp(secretariat))

    response = client.post(edit_url(initiative), form_data(title="Après"))

    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "Avant"


def test_officials_do_not_see_association_drafts(client, association, reviewer, secretariat):
    initiative = draft_of(association)
    for official in (reviewer, secretariat):
        client.force_login(with_totp(official))

        assert client.get(f"/espace/initiatives/{initiative.pk}/").status_code == 404
        assert client.get(edit_url(initiative)).status_code == 404


# --- Other associations see nothing -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/espace/initiatives/{pk}/"),
        ("get", "/espace/initiatives/{pk}/modifier/"),
        ("post", "/espace/initiatives/{pk}/modifier/"),
        ("post", "/espace/initiatives/{pk}/soumettre/"),
        ("post", "/espace/initiatives/{pk}/documents/"),
        ("post", "/espace/initiatives/{pk}/documents/{doc}/supprimer/"),
        ("get", "/espace/documents/{doc}/"),
        ("get", "/initiatives/documents/{doc}/"),
    ],
)
@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED])
def test_staff_of_another_association_get_404_everywhere(
    client, association, other_contributor, places, method, url, status, tmp_path
):
    from django.core.files.base import ContentFile

    from initiatives.models import Document

    initiative = draft_of(association, status=status, title="Secret")
    document = Document(
        initiative=initiative,
        title="Note",
        content_type="application/pdf",
        size=9,
        original_name="note.pdf",
    )
    document.file.save("x", ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    client.force_login(other_contributor)

    response = getattr(client, method)(
        url.format(pk=initiative.pk, doc=document.pk),
        form_data(title="Piraté") if method == "post" else None,
    )

    assert response.status_code == 404
    initiative.refresh_from_db()
    assert (initiative.title, initiative.status) == ("Secret", status)
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_missing_initiative_is_a_404(client, contributor):
    client.force_login(contributor)

    assert client.get("/espace/initiatives/999999/").status_code == 404


# --- Submitting ---------------------------------------------------------------------------------


def submit_url(initiative):
    return f"/espace/initiatives/{initiative.pk}/soumettre/"


def test_submitting_a_draft_sends_it_to_review(client, association, contributor, places):
    initiative = draft_of(association, by=contributor)
    client.force_login(contributor)

    response = client.post(submit_url(initiative))

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == S.SUBMITTED
    assert initiative.submitted_at is not None
    change = StatusChange.objects.get(initiative=initiative)
    assert (change.from_status, change.to_status, change.by) == (S.DRAFT, S.SUBMITTED, contributor)


def test_get_on_the_submit_address_changes_nothing(client, association, contributor):
    initiative = draft_of(association)
    client.force_login(contributor)

    response = client.get(submit_url(initiative))

    assert response.status_code == 405
    initiative.refresh_from_db()
    assert initiative.status == S.DRAFT
    assert not StatusChange.objects.exists()


def test_submitting_twice_is_refused_with_a_message(client, association, contributor):
    initiative = draft_of(association, status=S.SUBMITTED)
    client.force_login(contributor)

    response = client.post(submit_url(initiative))

    assert response.status_code == 403
    assert not StatusChange.objects.exists()


def test_a_request_for_changes_is_read_answered_and_resubmitted(
    client, association, contributor, reviewer, places
):
    initiative = draft_of(association, by=contributor, lead_collectivity=places["lyon"])
    client.force_login(contributor)
    client.post(submit_url(initiative))
    initiative.refresh_from_db()
    initiative_transition(
        initiative=initiative,
        name="request_changes",
        by=reviewer,
        comment="Ajoutez le nombre d'élèves concernés.",
    )

    detail = client.get(f"/espace/initiatives/{initiative.pk}/")
    edit = client.post(edit_url(initiative), form_data(pupils_reached="450"))
    resubmit = client.post(submit_url(initiative))

    assert "Ajoutez le nombre d&#x27;élèves concernés." in page(detail)
    assert "Soumettre à nouveau" in page(detail)
    assert (edit.status_code, resubmit.status_code) == (302, 302)
    initiative.refresh_from_db()
    assert initiative.pupils_reached == 450
    assert initiative.status == S.SUBMITTED
    assert list(initiative.status_changes.values_list("to_status", flat=True)) == [
        S.SUBMITTED,
        S.CHANGES_REQUESTED,
        S.SUBMITTED,
    ]


def test_the_private_page_shows_the_status_and_the_sanitised_description(
    client, association, contributor
):
    initiative = draft_of(
        association, description="Voir <script>alert(1)</script>**ceci**", title="Privée"
    )
    client.force_login(contributor)

    response = client.get(f"/espace/initiatives/{initiative.pk}/")

    text = page(response)
    assert response.status_code == 200
    assert "Brouillon" in text
    assert "<strong>ceci</strong>" in text
    assert "<script>alert(1)</script>" not in text
    assert f'action="/espace/initiatives/{initiative.pk}/soumettre/"' in text


def test_a_failed_edit_keeps_the_saved_title_in_the_heading(client, association, contributor):
    initiative = draft_of(association, title="Titre enregistré")
    client.force_login(contributor)

    response = client.post(edit_url(initiative), form_data(title=""))

    assert "Modifier « Titre enregistré »" in page(response)
    initiative.refresh_from_db()
    assert initiative.title == "Titre enregistré"


def test_the_private_page_carries_the_thread_and_the_history(
    client, association, contributor, reviewer
):
    from initiatives.models import Comment

    initiative = draft_of(association, by=contributor, status=S.SUBMITTED)
    Comment.objects.create(
        initiative=initiative,
        author=reviewer,
        author_organisation=reviewer.memberships.get().organisation,
        body="Pouvez-vous joindre le bilan ?",
    )
    client.force_login(contributor)

    text = page(client.get(f"/espace/initiatives/{initiative.pk}/"))

    assert "Pouvez-vous joindre le bilan ?" in text
    assert f'action="/instruction/{initiative.pk}/messages/"' in text
    assert f'href="/instruction/{initiative.pk}/historique/"' in text


def test_control_characters_typed_or_pasted_are_not_kept(client, contributor, places):
    client.force_login(contributor)
    data = form_data(
        title="Tablettes\x0b au collège\x1f",
        summary="Chaque\x01 élève.",
        outcomes="Ligne 1\nLigne 2",
    )
    response = client.post(CREATE_URL, data)
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert (initiative.title, initiative.summary) == ("Tablettes au collège", "Chaque élève.")
    assert initiative.outcomes == "Ligne 1\nLigne 2"
