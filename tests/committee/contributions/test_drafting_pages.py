"""The drafting pages as each role uses them, and the published page with its signatories."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from committee.contributions import drafting as d
from committee.contributions.drafting_models import Amendment, Signature
from committee.contributions.models import Contribution
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(drafting, suffix=""):
    return f"/espace/contributions/{drafting.contribution_id}/{suffix}"


def test_drafters_read_and_amend_outsiders_get_404(client, drafting, group, reviewer, mfa):
    amf = group["reps"][0]
    client.force_login(amf)
    assert "Constat" in client.get(url(drafting)).content.decode()
    section = drafting.sections.get(position=1)
    response = client.post(
        url(drafting, "amendements/"),
        {
            "section": section.pk,
            "kind": "replace",
            "text": "Nouveau constat.",
            "reason": "Plus juste.",
        },
    )
    assert response.status_code == 302
    page = client.get(url(drafting)).content.decode()
    assert "<ins>+ Nouveau constat.</ins>" in page
    assert "<del>− Les écoles sont inégalement équipées.</del>" in page
    mfa(reviewer)
    client.force_login(reviewer)
    assert client.get(url(drafting)).status_code == 404
    assert (
        client.post(
            url(drafting, "amendements/"),
            {"section": section.pk, "kind": "delete", "reason": "x"},
        ).status_code
        == 404
    )
    assert Amendment.objects.count() == 1
    client.logout()
    assert client.get(url(drafting)).status_code == 302


def test_an_amendment_without_reason_is_refused_with_a_message(client, drafting, group):
    client.force_login(group["reps"][0])
    section = drafting.sections.get(position=1)
    response = client.post(
        url(drafting, "amendements/"),
        {"section": section.pk, "kind": "replace", "text": "x", "reason": ""},
        follow=True,
    )
    assert "L&#x27;exposé des motifs est obligatoire." in response.content.decode()
    assert not Amendment.objects.exists()


def test_the_whole_journey_to_the_published_page(client, drafting, group, secretariat, mfa):
    constat, propositions = drafting.sections.order_by("position")
    a1 = d.amendment_propose(
        by=group["reps"][0], section=constat, kind="replace", text="Constat AMF.", reason="r"
    )
    a2 = d.amendment_propose(
        by=group["reps"][1], section=propositions, kind="add_after", text="Former.", reason="r"
    )
    mfa(secretariat)
    client.force_login(secretariat)
    for a in (a1, a2):
        client.post(
            url(drafting, "decisions/"), {"amendment": a.pk, "decision": "accept", "answer": "Oui."}
        )
    assert Amendment.objects.filter(status="accepted").count() == 2
    deadline = (timezone.now() + datetime.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    client.post(url(drafting, "signature/"), {"deadline": deadline})
    drafting.refresh_from_db()
    assert drafting.status == "signing"
    for acronym, choice in (
        ("AMF", "signed"),
        ("ADF", "signed"),
        ("AMRF", "signed"),
        ("RFVE", "declined"),
    ):
        admin = group["admins"][acronym]
        mfa(admin)
        client.force_login(admin)
        page = client.get(url(drafting)).content.decode()
        assert "Enregistrer la réponse de l'organisation" in page
        signature = Signature.objects.get(organisation__acronym=acronym)
        client.post(
            url(drafting, "signer/"),
            {
                "signature": signature.pk,
                "version": 3,
                "choice": choice,
                "statement": "Les villes éducatrices sont oubliées."
                if choice == "declined"
                else "",
            },
        )
    assert Signature.objects.filter(choice="signed").count() == 3
    client.force_login(secretariat)
    client.post(url(drafting, "publier/"))
    client.logout()
    page = client.get("/contributions/numerique-partage/").content.decode()
    assert "Ont refusé de signer" in page and "Les villes éducatrices sont oubliées." in page
    assert "amendement proposé par AMF" in page and "amendement proposé par ADF" in page
    assert Contribution.objects.get().status == "published"
    pdf = client.get("/contributions/numerique-partage/texte.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "Mutualiser les achats." in text and "Former." in text and "AMRF" in text


def test_an_admin_without_mfa_is_sent_to_set_it_up_before_signing(
    client, drafting, group, secretariat
):
    d.signature_round_open(
        by=secretariat, drafting=drafting, deadline=timezone.now() + datetime.timedelta(days=3)
    )
    admin = group["admins"]["AMF"]
    client.force_login(admin)
    signature = Signature.objects.get(organisation__acronym="AMF")
    response = client.post(
        url(drafting, "signer/"), {"signature": signature.pk, "version": 1, "choice": "signed"}
    )
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    signature.refresh_from_db()
    assert signature.choice == ""


def test_contributions_made_before_keep_their_page(client):
    contribution = f.ContributionFactory(status="published", published_at=timezone.now())
    assert client.get(f"/contributions/{contribution.slug}/").status_code == 200


def test_the_round_and_the_versions_are_dated_in_french(client, drafting, group, secretariat, mfa):
    import zoneinfo

    today = timezone.localdate()
    first = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    deadline = datetime.datetime.combine(
        first, datetime.time(18), tzinfo=zoneinfo.ZoneInfo("Europe/Paris")
    )
    d.signature_round_open(by=secretariat, drafting=drafting, deadline=deadline)
    drafting.versions.update(created_at=deadline - datetime.timedelta(hours=6))
    mfa(secretariat)
    client.force_login(secretariat)
    page = client.get(url(drafting)).content.decode()
    month = date_format(first, "F Y")
    assert f"réponses attendues jusqu'au 1er {month} à 18:00." in page
    assert f"Version 1 du 1er {month}" in page
    assert " du 1 " not in page and "jusqu'au 1 " not in page
