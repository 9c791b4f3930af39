"""People, organisations and memberships: what the database itself guarantees."""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from members.models import Membership, User
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_email_is_stored_lowercase_whatever_the_case_typed():
    user = User.objects.create_user("Camille.Martin@Mairie-Exemple.FR", "mot-de-passe-solide-42")

    user.refresh_from_db()
    assert user.email == "camille.martin@mairie-exemple.fr"


def test_email_is_normalised_by_form_validation_too():
    user = User(email="Camille.Martin@Mairie-Exemple.FR")

    user.clean()

    assert user.email == "camille.martin@mairie-exemple.fr"


def test_an_address_differing_only_by_case_cannot_open_a_second_account():
    User.objects.create_user("camille.martin@mairie-exemple.fr", "mot-de-passe-solide-42")

    with pytest.raises(IntegrityError), transaction.atomic():
        # Saved directly, bypassing the manager's normalisation: the database still refuses.
        User(email="Camille.Martin@Mairie-Exemple.fr").save()

    assert User.objects.count() == 1


def test_login_with_the_address_in_another_case_succeeds():
    User.objects.create_user("camille.martin@mairie-exemple.fr", "mot-de-passe-solide-42")
    request = RequestFactory().post("/comptes/login/")

    user = authenticate(
        request, email="CAMILLE.Martin@Mairie-Exemple.fr", password="mot-de-passe-solide-42"
    )

    assert user is not None
    assert user.email == "camille.martin@mairie-exemple.fr"


def test_superuser_gets_admin_access():
    user = User.objects.create_superuser("admin@example.org", "mot-de-passe-solide-42")

    assert user.is_staff and user.is_superuser


def test_an_account_needs_an_email_address():
    with pytest.raises(ValueError, match="obligatoire"):
        User.objects.create_user("", "mot-de-passe-solide-42")


def test_a_user_has_one_membership_per_organisation(association):
    membership = f.MembershipFactory(organisation=association, role=Membership.Role.CONTRIBUTOR)

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=membership.user, organisation=association, role=Membership.Role.ADMIN
        )

    assert Membership.objects.filter(user=membership.user).count() == 1


def test_a_user_may_act_for_several_organisations(association, other_association):
    membership = f.MembershipFactory(organisation=association)

    Membership.objects.create(
        user=membership.user, organisation=other_association, role=Membership.Role.CONTRIBUTOR
    )

    assert membership.user.memberships.count() == 2


def test_an_unknown_role_is_refused_by_the_database(association):
    user = f.UserFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=association, role="president")

    assert not Membership.objects.exists()


@pytest.mark.parametrize("role", [Membership.Role.REVIEWER, Membership.Role.SECRETARIAT])
def test_ministry_roles_are_refused_in_an_association(association, role):
    membership = Membership(user=f.UserFactory(), organisation=association, role=role)

    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()

    assert "role" in excinfo.value.message_dict


@pytest.mark.parametrize("role", [Membership.Role.CONTRIBUTOR, Membership.Role.ADMIN])
def test_association_roles_are_refused_in_the_ministry(ministry, role):
    membership = Membership(user=f.UserFactory(), organisation=ministry, role=role)

    with pytest.raises(ValidationError) as excinfo:
        membership.full_clean()

    assert "role" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("association", Membership.Role.CONTRIBUTOR),
        ("association", Membership.Role.ADMIN),
        ("ministry", Membership.Role.REVIEWER),
        ("ministry", Membership.Role.SECRETARIAT),
    ],
)
def test_matching_roles_are_accepted(request, organisation, role):
    membership = Membership(
        user=f.UserFactory(), organisation=request.getfixturevalue(organisation), role=role
    )

    membership.full_clean()


def test_organisation_acronyms_are_unique_whatever_the_case(association):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.OrganisationFactory.create(acronym="amf", slug="amf-bis")
