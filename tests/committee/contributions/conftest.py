"""A drafting group of four associations (AMF, ADF, AMRF, RFVE), each with a representative
and an admin, and a contribution drafted in two sections."""

import pytest

from committee.contributions import drafting as d
from committee.contributions.models import Contribution
from committee.sessions.models import Body, Representative
from members.models import Membership
from tests import factories as f


@pytest.fixture
def group(association, other_association, contributor, other_contributor, ministry, secretariat):
    """A drafting group: AMF, ADF, AMRF and RFVE, each with a representative and an admin."""
    body = Body.objects.create(name="Comité plénier", slug="pleniere", kind=Body.Kind.PLENARY)
    orgs = [association, other_association]
    orgs += [f.OrganisationFactory(acronym=a) for a in ("AMRF", "RFVE")]
    reps = [contributor, other_contributor]
    reps += [f.MembershipFactory(organisation=o).user for o in orgs[2:]]
    admins = {}
    for org, rep in zip(orgs, reps, strict=True):
        Representative.objects.create(body=body, user=rep, organisation=org)
        admins[org.acronym] = f.MembershipFactory(organisation=org, role=Membership.Role.ADMIN).user
    Representative.objects.create(body=body, user=secretariat, organisation=ministry)
    return {"body": body, "orgs": orgs, "reps": reps, "admins": admins}


@pytest.fixture
def drafting(group, secretariat):
    contribution = Contribution.objects.create(
        title="Pour un numérique éducatif partagé", slug="numerique-partage", summary="Résumé."
    )
    return d.drafting_start(
        by=secretariat,
        contribution=contribution,
        body=group["body"],
        sections=[
            ("Constat", "Les écoles sont inégalement équipées."),
            ("Propositions", "Mutualiser les achats."),
        ],
    )
