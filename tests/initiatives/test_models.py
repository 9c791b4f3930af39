"""Initiatives: what the database refuses whatever the code path, and derived fields."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from initiatives.models import Initiative, StatusChange
from referentials.models import Territory
from tests import factories as f

pytestmark = pytest.mark.django_db


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.InitiativeFactory(**fields)
    assert not Initiative.objects.exists()


def test_an_initiative_ending_before_it_starts_is_refused():
    refused(start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2024, 6, 30))


def test_an_initiative_may_end_the_day_it_starts():
    f.InitiativeFactory(start_date=datetime.date(2024, 9, 1), end_date=datetime.date(2024, 9, 1))

    assert Initiative.objects.count() == 1


def test_a_negative_budget_is_refused():
    refused(budget=Decimal("-1.00"))


def test_a_zero_or_unknown_budget_is_accepted():
    f.InitiativeFactory(budget=Decimal("0"))
    f.InitiativeFactory(budget=None)

    assert Initiative.objects.count() == 2


def test_a_published_initiative_needs_a_publication_date():
    refused(status=Initiative.Status.PUBLISHED, published_at=None)


def test_a_published_initiative_with_its_date_is_accepted():
    initiative = f.InitiativeFactory(status=Initiative.Status.PUBLISHED)

    assert initiative.published_at is not None


def test_an_unknown_status_is_refused():
    refused(status="forgotten")


@pytest.mark.parametrize(
    "contact", [{"contact_email": "elu@mairie.fr"}, {"contact_phone": "01 23 45 67 89"}]
)
def test_contact_details_without_consent_are_refused(contact):
    refused(contact_name="Camille Martin", contact_consent=False, **contact)


def test_contact_details_with_consent_are_kept_and_shown():
    initiative = f.InitiativeFactory(
        contact_name="Camille Martin", contact_email="elu@mairie.fr", contact_consent=True
    )

    assert initiative.public_contact == {
        "name": "Camille Martin",
        "email": "elu@mairie.fr",
        "phone": "",
    }


def test_a_contact_name_alone_needs_no_consent_and_shows_no_contact():
    initiative = f.InitiativeFactory(contact_name="Service éducation")

    assert initiative.public_contact is None


def test_the_lead_collectivity_level_and_codes_are_copied_on_creation():
    commune = f.CommuneFactory(code="69123", name="Lyon")

    initiative = f.InitiativeFactory(lead_collectivity=commune)

    initiative.refresh_from_db()
    assert initiative.collectivity_level == Territory.Level.COMMUNE
    assert initiative.region_code == "84"
    assert initiative.department_code == "69"


def test_changing_the_lead_collectivity_updates_the_copied_fields_even_with_update_fields():
    initiative = f.InitiativeFactory(lead_collectivity=f.DepartmentFactory())
    brittany = f.RegionFactory(code="53", name="Bretagne")

    initiative.lead_collectivity = brittany
    initiative.save(update_fields=["lead_collectivity"])

    initiative.refresh_from_db()
    assert initiative.collectivity_level == Territory.Level.REGION
    assert initiative.region_code == "53"
    assert initiative.department_code == ""


def test_population_band_and_start_year_are_copied_even_with_update_fields():
    initiative = f.InitiativeFactory(
        lead_collectivity=f.CommuneFactory(population=1_500), start_date=datetime.date(2019, 9, 1)
    )
    initiative.refresh_from_db()
    assert (initiative.population_band, initiative.start_year) == (0, 2019)

    initiative.lead_collectivity = f.CommuneFactory(code="69123", population=520_000)
    initiative.start_date = datetime.date(2024, 1, 8)
    initiative.save(update_fields=["lead_collectivity", "start_date"])
    initiative.refresh_from_db()
    assert (initiative.population_band, initiative.start_year) == (4, 2024)

    initiative.start_date = None
    initiative.save(update_fields=["start_date"])
    initiative.refresh_from_db()
    assert initiative.start_year is None


@pytest.mark.parametrize(
    ("population", "band"),
    [(0, 0), (1_999, 0), (2_000, 1), (49_999, 2), (50_000, 3), (999_999, 4), (2_000_000, 5)],
)
def test_population_bands_have_their_lower_bound_inside(population, band):
    assert Territory.band_of(population) == band
    low, high, _label = Territory.POPULATION_BANDS[band]
    assert low <= population and (high is None or population < high)


def test_the_year_shown_is_the_start_year():
    assert f.InitiativeFactory(start_date=datetime.date(2019, 1, 7)).year == 2019
    assert f.InitiativeFactory(start_date=None).year is None


def test_a_status_change_must_move_the_status():
    initiative = f.InitiativeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.create(
            initiative=initiative, from_status="draft", to_status="draft", comment=""
        )


def test_published_initiatives_are_listed_newest_first():
    older = f.InitiativeFactory(
        status=Initiative.Status.PUBLISHED, published_at=timezone.now() - datetime.timedelta(1)
    )
    newer = f.InitiativeFactory(status=Initiative.Status.PUBLISHED)
    f.InitiativeFactory(status=Initiative.Status.DRAFT)

    assert list(Initiative.objects.published()) == [newer, older]
