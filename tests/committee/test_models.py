"""The committee's reference data and the action plan's database guarantees."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from committee.axes import Axis
from committee.plan.models import Action
from tests import factories as f

pytestmark = pytest.mark.django_db

# The six work axes as written in the charter (Maire info, 6 October 2015), in this order.
CHARTER_AXES = [
    "les nouveaux usages du numérique à l'école et autour de l'école",
    "une gouvernance partagée à la bonne échelle et ancrée dans les territoires",
    "l'accompagnement des acteurs professionnels et de la communauté éducative",
    "les référentiels nationaux relatifs aux ressources, aux équipements, aux usages "
    "et aux formations",
    "les infrastructures et équipements",
    "l'aide à la structuration de la filière du numérique éducatif",
]


def test_the_six_axes_of_the_charter_exist_verbatim_and_in_order():
    axes = list(Axis.objects.order_by("number").values_list("number", "title"))

    assert axes == list(enumerate(CHARTER_AXES, start=1))


def test_axes_have_distinct_short_titles_and_slugs():
    axes = Axis.objects.all()

    assert len({axis.slug for axis in axes}) == 6
    assert all(axis.short_title for axis in axes)


@pytest.mark.parametrize("number", [0, 7])
def test_an_axis_number_outside_one_to_six_is_refused(number):
    with pytest.raises(IntegrityError), transaction.atomic():
        Axis.objects.create(number=number, title="Axe inventé", short_title="Inventé", slug="x")

    assert Axis.objects.count() == 6


def test_progress_above_one_hundred_percent_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ActionFactory(progress=101)

    assert not Action.objects.exists()


def test_progress_of_one_hundred_percent_is_accepted():
    action = f.ActionFactory(progress=100, status=Action.Status.DONE)

    action.refresh_from_db()
    assert action.progress == 100


def test_an_action_due_before_it_starts_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ActionFactory(start_date=datetime.date(2026, 3, 1), due_date=datetime.date(2026, 2, 1))

    assert not Action.objects.exists()


def test_an_action_may_be_due_the_day_it_starts_or_have_open_dates():
    f.ActionFactory(start_date=datetime.date(2026, 3, 1), due_date=datetime.date(2026, 3, 1))
    f.ActionFactory(start_date=None, due_date=datetime.date(2026, 3, 1))
    f.ActionFactory(start_date=datetime.date(2026, 3, 1), due_date=None)

    assert Action.objects.count() == 3


def test_an_unknown_action_status_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ActionFactory(status="forgotten")


def test_an_axis_with_actions_cannot_be_deleted():
    action = f.ActionFactory()

    with pytest.raises(ProtectedError):
        action.axis.delete()

    assert Axis.objects.count() == 6


def test_a_published_contribution_needs_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ContributionFactory(status="published", published_at=None)
