"""The demo shows a past session with published minutes, an upcoming one, and a
contribution in its signature round; seeding twice changes nothing."""

import pytest
from django.utils.html import escape

from committee.contributions.drafting_models import Drafting, Signature, SignatureRound
from committee.demo.governance import PAST_TITLE, UPCOMING_TITLE, governance_seed
from committee.plan.models import ActionUpdate
from committee.sessions.models import Minutes, Session
from members.models import Membership, Organisation
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    orgs = {a: f.OrganisationFactory(acronym=a) for a in ("AMF", "ADF", "AMRF", "RFVE", "AMGVF")}
    orgs["MEN"] = f.MinistryFactory()
    for acronym, org in orgs.items():
        role = Membership.Role.SECRETARIAT if acronym == "MEN" else Membership.Role.CONTRIBUTOR
        f.MembershipFactory(organisation=org, role=role)
    f.MembershipFactory(organisation=orgs["AMF"], role=Membership.Role.ADMIN)
    f.ActionFactory(code="1.1")
    return orgs


def test_the_demo_shows_the_committees_work(client, organisations):
    governance_seed(organisations=organisations)
    counts = governance_seed(organisations=organisations)  # idempotent
    assert counts == {"sessions": 2, "minutes_approved": 1, "signature_rounds_open": 1}
    page = client.get("/seances/").content.decode()
    assert escape(PAST_TITLE) in page and escape(UPCOMING_TITLE) in page
    past = Session.objects.get(title=PAST_TITLE)
    assert past.minutes.status == Minutes.Status.APPROVED
    detail = client.get(f"/seances/{past.pk}/").content.decode()
    assert (
        "Le secrétariat présente l&#x27;avancement" in detail or "Le secrétariat présente" in detail
    )
    assert "Échange sur les enveloppes" not in detail  # closed item stays private
    assert ActionUpdate.objects.filter(text__contains=f"/seances/{past.pk}/#decision-").count() == 1
    drafting = Drafting.objects.get()
    assert drafting.status == Drafting.Status.SIGNING
    round_ = SignatureRound.objects.get(status="open")
    assert round_.signatures.count() == 5
    assert list(
        round_.signatures.exclude(choice="").values_list("organisation__acronym", "choice")
    ) == [("AMF", Signature.Choice.SIGNED)]
    assert Organisation.objects.count() == 6
