"""A contribution drafted in sections, amended by two associations, signed by three and
declined by one, then published with its signatories and history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from committee.contributions import drafting as d
from committee.contributions.drafting_models import (
    Amendment,
    Drafting,
    Signature,
    SignatureRound,
)
from committee.contributions.models import Contribution
from members.models import Notification

pytestmark = pytest.mark.django_db


def sections(drafting):
    return list(drafting.sections.order_by("position"))


def test_amendments_by_two_associations_make_kept_versions(drafting, group, secretariat):
    constat, propositions = sections(drafting)
    amf, adf = group["reps"][:2]
    a1 = d.amendment_propose(
        by=amf,
        section=constat,
        kind="replace",
        text="Les écoles rurales sont moins bien équipées.",
        reason="Préciser.",
    )
    a2 = d.amendment_propose(
        by=adf,
        section=propositions,
        kind="add_after",
        text="Former les enseignants.",
        reason="Compléter.",
    )
    assert ("added", "Les écoles rurales sont moins bien équipées.") in d.amendment_diff(a1)
    d.amendment_comment(by=adf, amendment=a1, text="D'accord.")
    d.amendment_decide(by=secretariat, amendment=a1, decision="accept", answer="Retenu.")
    d.amendment_decide(by=secretariat, amendment=a2, decision="accept", answer="Retenu.")
    drafting.refresh_from_db()
    assert drafting.version == 3
    v1, v3 = drafting.versions.get(number=1), drafting.versions.get(number=3)
    diff = d.versions_diff(v1, v3)
    assert ("removed", "Les écoles sont inégalement équipées.") in diff
    assert ("added", "Former les enseignants.") in diff
    assert [
        v.amendment.organisation.acronym for v in drafting.versions.exclude(amendment=None)
    ] == [
        "AMF",
        "ADF",
    ]


def test_two_conflicting_acceptances_one_wins_the_other_is_told_and_nothing_is_lost(
    drafting, group, secretariat
):
    constat, _ = sections(drafting)
    amf, adf = group["reps"][:2]
    first = d.amendment_propose(
        by=amf, section=constat, kind="replace", text="Version AMF", reason="x"
    )
    second = d.amendment_propose(
        by=adf, section=constat, kind="replace", text="Version ADF", reason="y"
    )
    d.amendment_decide(by=secretariat, amendment=first, decision="accept", answer="Oui.")
    with pytest.raises(ValidationError, match="a changé depuis"):
        d.amendment_decide(by=secretariat, amendment=second, decision="accept", answer="Oui.")
    second.refresh_from_db()
    constat.refresh_from_db()
    assert second.status == Amendment.Status.PROPOSED and second.text == "Version ADF"
    assert constat.text == "Version AMF"
    d.amendment_decide(
        by=secretariat,
        amendment=second,
        decision="merge",
        answer="Fusionné.",
        merged_text="Version commune",
    )
    constat.refresh_from_db()
    assert constat.text == "Version commune"


def test_who_amends_and_who_decides(drafting, group, secretariat, reviewer, association_admin):
    constat, _ = sections(drafting)
    for outsider in (reviewer, association_admin, secretariat):
        with pytest.raises(PermissionDenied):
            d.amendment_propose(by=outsider, section=constat, kind="delete", text="", reason="x")
    amendment = d.amendment_propose(
        by=group["reps"][0], section=constat, kind="delete", text="", reason="x"
    )
    with pytest.raises(PermissionDenied):
        d.amendment_decide(by=group["reps"][1], amendment=amendment, decision="accept", answer="x")
    amendment.refresh_from_db()
    assert amendment.status == Amendment.Status.PROPOSED
    assert Amendment.objects.count() == 1


def test_signed_by_three_declined_by_one_then_published(
    drafting, group, secretariat, mfa, mailoutbox, django_capture_on_commit_callbacks
):
    admins = group["admins"]
    deadline = timezone.now() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        round_ = d.signature_round_open(by=secretariat, drafting=drafting, deadline=deadline)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in admins.values())
    # The text cannot change during the round.
    constat, _ = sections(drafting)
    with pytest.raises(PermissionDenied):
        d.amendment_propose(
            by=group["reps"][0], section=constat, kind="delete", text="", reason="x"
        )
    signatures = {
        s.organisation.acronym: s for s in round_.signatures.select_related("organisation")
    }
    assert sorted(signatures) == ["ADF", "AMF", "AMRF", "RFVE"]
    # A contributor does not sign, nor an admin without two-factor authentication.
    with pytest.raises(PermissionDenied):
        d.signature_give(
            by=group["reps"][0], signature=signatures["AMF"], choice="signed", version=1
        )
    with pytest.raises(PermissionDenied, match="double authentification"):
        d.signature_give(by=admins["AMF"], signature=signatures["AMF"], choice="signed", version=1)
    # Another organisation's admin cannot answer for AMF.
    mfa(admins["ADF"])
    with pytest.raises(PermissionDenied):
        d.signature_give(by=admins["ADF"], signature=signatures["AMF"], choice="signed", version=1)
    assert not Signature.objects.exclude(choice="").exists()
    for acronym in ("AMF", "ADF", "AMRF", "RFVE"):
        mfa(admins[acronym])
    with pytest.raises(ValidationError, match="texte a changé"):
        d.signature_give(by=admins["AMF"], signature=signatures["AMF"], choice="signed", version=0)
    for acronym in ("AMF", "ADF", "AMRF"):
        d.signature_give(
            by=admins[acronym], signature=signatures[acronym], choice="signed", version=1
        )
    d.signature_give(
        by=admins["RFVE"],
        signature=signatures["RFVE"],
        choice="declined",
        version=1,
        statement="Le texte oublie les villes éducatrices.",
    )
    contribution = d.drafting_publish(by=secretariat, drafting=drafting)
    assert contribution.status == Contribution.Status.PUBLISHED
    assert sorted(o.acronym for o in contribution.organisations.all()) == ["ADF", "AMF", "AMRF"]
    assert "## Constat" in contribution.body


def test_a_signature_after_the_deadline_is_refused(drafting, group, secretariat, mfa):
    round_ = d.signature_round_open(
        by=secretariat, drafting=drafting, deadline=timezone.now() + datetime.timedelta(days=1)
    )
    SignatureRound.objects.filter(pk=round_.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    admin = group["admins"]["AMF"]
    mfa(admin)
    signature = round_.signatures.get(organisation__acronym="AMF")
    with pytest.raises(ValidationError, match="date limite"):
        d.signature_give(by=admin, signature=signature, choice="signed", version=1)
    signature.refresh_from_db()
    assert signature.choice == ""


def test_reopening_voids_the_signatures_and_tells_the_signatories(
    drafting, group, secretariat, mfa, mailoutbox, django_capture_on_commit_callbacks
):
    round_ = d.signature_round_open(
        by=secretariat, drafting=drafting, deadline=timezone.now() + datetime.timedelta(days=5)
    )
    admin = group["admins"]["AMF"]
    mfa(admin)
    signature = round_.signatures.get(organisation__acronym="AMF")
    d.signature_give(by=admin, signature=signature, choice="signed", version=1)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        d.drafting_reopen(
            by=secretariat, drafting=drafting, reason="Un amendement de dernière heure."
        )
    round_.refresh_from_db()
    drafting.refresh_from_db()
    assert round_.status == SignatureRound.Status.VOIDED
    assert drafting.status == Drafting.Status.DRAFTING
    assert [m.to for m in mailoutbox] == [[admin.email]]
    assert "dernière heure" in mailoutbox[0].body
    with pytest.raises(ValidationError):
        d.signature_give(by=admin, signature=signature, choice="declined", version=1)


def test_reminders_once_per_organisation_and_reminder(drafting, group, secretariat, mfa):
    now = timezone.now()
    round_ = d.signature_round_open(
        by=secretariat, drafting=drafting, deadline=now + datetime.timedelta(days=10)
    )
    assert d.signature_reminders_send(now=now) == 0  # not yet due
    admin = group["admins"]["AMF"]
    mfa(admin)
    d.signature_give(
        by=admin,
        signature=round_.signatures.get(organisation__acronym="AMF"),
        choice="signed",
        version=1,
    )
    at_j7 = now + datetime.timedelta(days=3, hours=1)
    assert d.signature_reminders_send(now=at_j7) == 3  # AMF answered
    assert d.signature_reminders_send(now=at_j7 + datetime.timedelta(hours=1)) == 0
    at_j2 = now + datetime.timedelta(days=8, hours=1)
    assert d.signature_reminders_send(now=at_j2) == 3
    assert Notification.objects.filter(kind="signature_reminder").count() == 6
