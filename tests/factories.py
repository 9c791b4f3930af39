"""Factories for the portal's models; territories are built small and consistent."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from committee.axes import Axis
from committee.contributions.models import Contribution
from committee.plan.models import Action, Milestone
from initiatives.models import Initiative, SchoolLevel
from members.models import Membership, Organisation, User
from referentials.models import Referential, ReferentialItem, Territory


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-solide-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["acronym"]

    acronym = factory.Sequence(lambda n: f"ASSO{n}")
    slug = factory.LazyAttribute(lambda o: o.acronym.lower())
    name = factory.LazyAttribute(lambda o: f"Association {o.acronym}")
    kind = Organisation.Kind.ASSOCIATION


class MinistryFactory(OrganisationFactory):
    acronym = "MEN"
    name = "Ministère de l'Éducation nationale"
    kind = Organisation.Kind.MINISTRY


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.CONTRIBUTOR


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["level", "code"]

    level = Territory.Level.REGION
    code = "84"
    name = "Auvergne-Rhône-Alpes"
    region_code = factory.LazyAttribute(lambda o: o.code)
    population = 8_000_000


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["level", "code"]

    level = Territory.Level.DEPARTMENT
    code = "69"
    name = "Rhône"
    parent = factory.SubFactory(RegionFactory)
    region_code = factory.LazyAttribute(lambda o: o.parent.code)
    department_code = factory.LazyAttribute(lambda o: o.code)
    population = 1_900_000


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["level", "code"]

    level = Territory.Level.COMMUNE
    code = factory.Sequence(lambda n: f"69{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    parent = factory.SubFactory(DepartmentFactory)
    region_code = factory.LazyAttribute(lambda o: o.parent.region_code)
    department_code = factory.LazyAttribute(lambda o: o.parent.code)
    population = 5_000


class ReferentialFactory(DjangoModelFactory):
    class Meta:
        model = Referential

    kind = Referential.Kind.USAGES
    slug = factory.Sequence(lambda n: f"referentiel-{n}")
    name = "Cadre de référence des compétences numériques"
    version = "2019"
    status = Referential.Status.IN_FORCE


class ReferentialItemFactory(DjangoModelFactory):
    class Meta:
        model = ReferentialItem

    referential = factory.SubFactory(ReferentialFactory)
    code = factory.Sequence(lambda n: f"{n}.1")
    label = "Mener une recherche et une veille d'information"


def axis(number: int = 1) -> Axis:
    """Axes are reference data created by a migration."""
    return Axis.objects.get(number=number)


def school_level(code: str = "college") -> SchoolLevel:
    return SchoolLevel.objects.get(code=code)


class InitiativeFactory(DjangoModelFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Tablettes numériques au collège {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = "Des tablettes pour chaque élève de sixième, avec un accompagnement des enseignants."
    description = "Le département équipe les collèges publics."
    lead_organisation = factory.SubFactory(OrganisationFactory)
    lead_collectivity = factory.SubFactory(DepartmentFactory)
    start_date = datetime.date(2024, 9, 1)
    status = Initiative.Status.DRAFT

    @factory.lazy_attribute
    def published_at(self):
        return timezone.now() if self.status == Initiative.Status.PUBLISHED else None

    @factory.post_generation
    def axes(obj, create, extracted, **kwargs):
        if create:
            obj.axes.set(extracted if extracted is not None else [axis(1)])


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    axis = factory.LazyFunction(lambda: axis(1))
    code = factory.Sequence(lambda n: f"A{n}")
    title = "Recenser les équipements des écoles"
    objective = "Disposer d'un état des lieux partagé."


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = "Questionnaire diffusé"
    due_date = datetime.date(2026, 6, 30)


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = Contribution

    title = factory.Sequence(lambda n: f"Contribution {n}")
    slug = factory.Sequence(lambda n: f"contribution-{n}")
    summary = "Une contribution du comité."
