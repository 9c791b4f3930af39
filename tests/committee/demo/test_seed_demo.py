"""`manage.py seed_demo`: real signatories and referentials, a believable demo catalogue."""

import datetime
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from committee.axes import Axis
from committee.contributions.models import Contribution
from committee.demo import content
from committee.demo.seed import DEMO_PASSWORD
from committee.plan.models import Action, Milestone
from initiatives.models import Initiative, StatusChange
from initiatives.workflow import TRANSITIONS
from members.models import Membership, Organisation, User
from referentials.datafiles import data_file
from referentials.models import Referential, ReferentialItem, Territory

S = Initiative.Status
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def seed_output(django_db_setup, django_db_blocker):
    """Seed once for the module (COG included) and roll everything back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(seed_output, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return seed_output


def demo_initiatives():
    return Initiative.objects.filter(slug__in=[i["slug"] for i in content.INITIATIVES])


def test_the_ten_signatories_have_their_real_names_and_sites(seeded):
    organisations = {o.acronym: o for o in Organisation.objects.all()}

    assert set(organisations) >= {
        "AMF", "ADF", "AMGVF", "ARF", "AMVBF", "AMRF", "RFVE", "Villes Internet", "CDC", "MEN",
    }  # fmt: skip
    amf = organisations["AMF"]
    assert amf.name == "Association des maires de France et des présidents d'intercommunalité"
    assert amf.website == "https://www.amf.asso.fr"
    assert organisations["ADF"].name == "Assemblée des départements de France"
    assert organisations["AMGVF"].name == "France urbaine"
    assert (
        organisations["AMGVF"].former_name == "Association des maires de grandes villes de France"
    )
    assert organisations["ARF"].name == "Régions de France"
    assert organisations["ARF"].former_name == "Association des régions de France"
    assert organisations["CDC"].kind == Organisation.Kind.FUNDER
    assert organisations["MEN"].kind == Organisation.Kind.MINISTRY
    assert organisations["MEN"].name == "Ministère de l'Éducation nationale"
    signatories = {o["acronym"] for o in data_file("organisations")["organisations"]}
    for organisation in organisations.values():
        if organisation.acronym in signatories:
            assert organisation.charter_signed_on == datetime.date(2015, 10, 1)
            assert organisation.website.startswith("https://")
            assert organisation.description and organisation.represents


def test_the_six_axes_are_there_verbatim(seeded):
    assert list(Axis.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert Axis.objects.get(number=5).title == "les infrastructures et équipements"


def test_four_referentials_in_force_one_per_kind(seeded):
    in_force = Referential.objects.filter(status=Referential.Status.IN_FORCE)

    assert sorted(in_force.values_list("kind", flat=True)) == sorted(Referential.Kind.values)
    # Versioning shows: the equipment referential has an archived earlier version.
    versions = Referential.objects.filter(slug="socle-numerique-ecoles")
    assert set(versions.values_list("version", "status")) == {
        ("2016", "archived"),
        ("2021", "in_force"),
    }
    for referential in in_force:
        items = referential.items.all()
        assert items.filter(depth=0, parent=None).exists()
        assert all(item.parent.referential_id == referential.pk for item in items.filter(depth=1))


def test_the_crcn_has_its_five_domains_and_sixteen_competences(seeded):
    crcn = Referential.objects.get(slug="crcn", status=Referential.Status.IN_FORCE)
    domains = list(crcn.items.filter(depth=0).order_by("position"))
    competences = crcn.items.filter(depth=1)

    assert [(d.code, d.label) for d in domains] == [
        ("1", "Information et données"),
        ("2", "Communication et collaboration"),
        ("3", "Création de contenus"),
        ("4", "Protection et sécurité"),
        ("5", "Environnement numérique"),
    ]
    assert competences.count() == 16
    assert competences.get(code="3.4").label == "Programmer"
    assert competences.get(code="4.2").label == (
        "Protéger les données personnelles et la vie privée"
    )
    assert competences.get(code="3.4").parent.code == "3"
    assert [c.code for c in domains[1].children.order_by("position")] == [
        "2.1", "2.2", "2.3", "2.4",
    ]  # fmt: skip


def test_catalogue_covers_every_region_and_every_status(seeded):
    initiatives = demo_initiatives()
    statuses = list(initiatives.values_list("status", flat=True))
    regions = set(Territory.objects.filter(level="region").values_list("code", flat=True))

    assert 55 <= len(statuses) <= 70
    assert set(statuses) == set(S.values)
    assert statuses.count(S.PUBLISHED) > len(statuses) / 2
    assert len(regions) == 18
    assert set(initiatives.values_list("region_code", flat=True)) == regions
    assert set(initiatives.values_list("collectivity_level", flat=True)) == {
        "commune", "epci", "department", "region",
    }  # fmt: skip


def test_initiatives_are_led_by_the_collectivity_that_runs_their_schools(seeded):
    for initiative in demo_initiatives().prefetch_related("school_levels"):
        levels = {level.code for level in initiative.school_levels.all()}
        if initiative.collectivity_level in ("commune", "epci"):
            assert levels <= {"maternelle", "elementaire", "periscolaire"}, initiative.slug
        elif initiative.collectivity_level == "region":
            assert "lycee" in levels, initiative.slug
        elif initiative.slug != "cantal-tres-haut-debit-ecoles-rurales":
            assert "college" in levels, initiative.slug


def test_initiatives_are_complete_records(seeded):
    for initiative in demo_initiatives():
        assert initiative.axes.exists() and initiative.referential_items.exists()
        assert initiative.territories.filter(pk=initiative.lead_collectivity_id).exists()
        assert initiative.start_date and initiative.budget and initiative.funding_sources
        assert initiative.created_by is not None
    published = demo_initiatives().filter(status=S.PUBLISHED)
    assert all(i.outcomes for i in published)
    assert published.filter(contact_consent=True).exclude(contact_email="").exists()
    assert demo_initiatives().filter(partners__acronym="CDC").exists()


def test_every_status_was_reached_through_the_lifecycle(seeded):
    for initiative in demo_initiatives():
        changes = list(initiative.status_changes.order_by("at", "pk"))
        if initiative.status == S.DRAFT:
            assert changes == []
            continue
        assert changes, initiative.slug
        assert changes[0].from_status == S.DRAFT
        for previous, current in zip(changes, changes[1:], strict=False):
            assert current.from_status == previous.to_status
            assert current.at > previous.at
        for change in changes:
            assert any(
                change.from_status in t.sources and change.to_status == t.target
                for t in TRANSITIONS.values()
            ), change
            assert change.by is not None
        assert changes[-1].to_status == initiative.status
        assert initiative.status_changed_at == changes[-1].at
        assert initiative.created_at < changes[0].at
        assert initiative.submitted_at == max(c.at for c in changes if c.to_status == S.SUBMITTED)
        if initiative.status in (S.PUBLISHED, S.ARCHIVED):
            assert initiative.published_at == max(
                c.at for c in changes if c.to_status == S.PUBLISHED
            )


def test_reviewers_explain_requests_and_refusals(seeded):
    decisions = StatusChange.objects.filter(
        initiative__in=demo_initiatives(), to_status__in=[S.CHANGES_REQUESTED, S.REJECTED]
    )
    assert decisions.exists()
    assert not decisions.filter(comment="").exists()


def test_action_plan_has_a_dozen_actions_with_milestones(seeded):
    actions = Action.objects.prefetch_related("milestones", "lead_partners", "initiatives")
    today = datetime.date.today()

    assert actions.count() >= 12
    assert set(actions.values_list("axis__number", flat=True)) == {1, 2, 3, 4, 5, 6}
    for action in actions:
        assert 2 <= action.milestones.count() <= 4
        assert action.lead_partners.exists()
        assert action.objective
        assert all(i.status == S.PUBLISHED for i in action.initiatives.all())
    assert Milestone.objects.filter(reached_on__isnull=False).exists()
    assert Milestone.objects.filter(reached_on__isnull=True, due_date__lt=today).exists()
    assert Action.objects.filter(initiatives__isnull=False).exists()
    done = actions.filter(status=Action.Status.DONE)
    assert done.exists() and all(a.progress == 100 for a in done)


def test_policy_contributions_include_a_draft(seeded):
    statuses = list(Contribution.objects.values_list("status", flat=True))
    assert statuses.count(Contribution.Status.PUBLISHED) >= 2
    assert Contribution.Status.DRAFT in statuses


def test_one_demo_account_per_role_can_log_in(seeded, client):
    expected = {
        "contributeur": ("AMF", Membership.Role.CONTRIBUTOR),
        "admin-association": ("AMF", Membership.Role.ADMIN),
        "contributeur-adf": ("ADF", Membership.Role.CONTRIBUTOR),
        "instructeur": ("MEN", Membership.Role.REVIEWER),
        "secretariat": ("MEN", Membership.Role.SECRETARIAT),
    }
    for local, (acronym, role) in expected.items():
        email = f"{local}@demo.comite-numerique.fr"
        membership = Membership.objects.get(user__email=email)
        assert (membership.organisation.acronym, membership.role) == (acronym, role)
        assert EmailAddress.objects.filter(email=email, verified=True, primary=True).exists()
        assert client.login(email=email, password=DEMO_PASSWORD), email
        assert email in seeded
    admin = User.objects.get(email="admin@demo.comite-numerique.fr")
    assert admin.is_superuser and admin.is_staff
    assert DEMO_PASSWORD in seeded


def test_amf_contributor_sees_initiatives_in_every_state(seeded):
    contributor = User.objects.get(email="contributeur@demo.comite-numerique.fr")
    mine = demo_initiatives().filter(lead_organisation__acronym="AMF")
    assert set(mine.values_list("status", flat=True)) == set(S.values)
    assert mine.filter(created_by=contributor).exists()


def _snapshot():
    from django.db.models import Model

    snapshot = {}
    models: list[type[Model]] = [
        Organisation, Axis, Referential, ReferentialItem, Initiative, StatusChange, Action,
        Milestone, Contribution, User, Membership, EmailAddress, Territory,
    ]  # fmt: skip
    for model in models:
        snapshot[model.__name__] = sorted(model.objects.values_list("pk", flat=True))
    snapshot["initiatives"] = sorted(
        Initiative.objects.values_list(
            "pk", "slug", "title", "status", "created_at", "updated_at", "published_at"
        )
    )
    snapshot["history"] = sorted(StatusChange.objects.values_list("pk", "at", "by", "to_status"))
    for field in ("axes", "partners", "school_levels", "referential_items", "territories"):
        through = Initiative._meta.get_field(field).remote_field.through
        snapshot[field] = sorted(through.objects.values_list("pk", flat=True))
    if hasattr(Initiative, "history"):
        snapshot["change_history"] = Initiative.history.count()
    return snapshot


def test_running_it_again_changes_nothing(seeded):
    before = _snapshot()

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", "--no-accounts", stdout=StringIO())

    assert _snapshot() == before


def test_demo_accounts_are_refused_where_they_are_disabled(seeded, settings):
    User.objects.filter(email__endswith="@demo.comite-numerique.fr").delete()
    settings.DEMO_ACCOUNTS_ENABLED = False
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert not User.objects.filter(email__endswith="@demo.comite-numerique.fr").exists()
    assert "DEMO_ACCOUNTS_ENABLED" in out.getvalue()
    assert DEMO_PASSWORD not in out.getvalue()
    # The public reference data and the catalogue are still there.
    assert Organisation.objects.filter(acronym="AMF").exists()
    assert demo_initiatives().count() == len(content.INITIATIVES)


def test_load_reference_data_writes_no_examples_and_is_idempotent(db, settings):
    # The module's seed may be active: start from a catalogue without examples.
    Action.objects.all().delete()
    Contribution.objects.all().delete()
    Initiative.objects.all().delete()
    User.objects.all().delete()
    settings.PASSWORD_HASHERS = FAST_HASHER

    out = StringIO()
    call_command("load_reference_data", stdout=out)

    assert Organisation.objects.filter(acronym="CDC").exists()
    assert Referential.objects.filter(slug="crcn", status="in_force").exists()
    assert Axis.objects.count() == 6
    assert not Initiative.objects.exists()
    assert not Action.objects.exists()
    assert not User.objects.exists()
    assert "6 axes" in out.getvalue()
    # A second run changes nothing: no new row, no row saved again.
    stamps = list(Organisation.objects.order_by("pk").values())
    items = ReferentialItem.objects.count()
    call_command("load_reference_data", stdout=StringIO())
    assert list(Organisation.objects.order_by("pk").values()) == stamps
    assert ReferentialItem.objects.count() == items


def test_load_reference_data_keeps_edits_unless_asked_to_overwrite(db):
    call_command("load_reference_data", stdout=StringIO())
    Organisation.objects.filter(acronym="AMF").update(description="Texte revu par le secrétariat")
    Organisation.objects.filter(acronym="CDC").delete()

    call_command("load_reference_data", verbosity=0)
    assert Organisation.objects.get(acronym="AMF").description == "Texte revu par le secrétariat"
    assert Organisation.objects.filter(acronym="CDC").exists()  # missing rows come back

    call_command("load_reference_data", "--overwrite", verbosity=0)
    assert Organisation.objects.get(acronym="AMF").description.startswith("Créée en 1907")


def test_demo_officials_and_admins_have_a_known_totp_and_pass_the_mfa_gate(seeded, client):
    from allauth.mfa.models import Authenticator

    for local in content.TOTP_SECRETS:
        user = User.objects.get(email=f"{local}@{content.DEMO_EMAIL_DOMAIN}")
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    reviewer = User.objects.get(email=f"instructeur@{content.DEMO_EMAIL_DOMAIN}")
    client.force_login(reviewer)
    assert client.get("/instruction/").status_code == 200


def test_demo_secrets_are_printed_with_the_credentials(seed_output, seeded):
    for secret in content.TOTP_SECRETS.values():
        assert secret in seed_output


def test_demo_action_progress_is_derived_from_milestones(seeded):
    from committee.plan.services.progress import derived_progress

    for action in Action.objects.all():
        expected = derived_progress(
            milestones=action.milestones.all(), indicators=action.indicators.all()
        )
        assert action.progress == expected
