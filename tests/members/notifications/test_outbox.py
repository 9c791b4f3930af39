"""The outbox: who hears of each event, in the portal and by email, written with the change;
emails outside any event, to a user or to an address without an account."""

import dataclasses

import pytest
from django.core import mail

from committee.reports.models import Report
from committee.reports.notifications import Kinds as ReportKinds
from initiatives.models import Initiative
from initiatives.notifications import Kinds as InitiativeKinds
from initiatives.services import (
    comment_post,
    initiative_assign,
    initiative_submit,
    initiative_transition,
    initiatives_bulk_assign,
)
from members.models import Event, Notification
from members.notifications import registry
from members.notifications.accounts import Kinds
from members.notifications.outbox import notification_queue, notification_send
from members.notifications.preferences import preference_set
from members.services import event_record, invitation_create
from tests.initiatives.review_support import initiative_in

from .support import SITE, emails_to, html_of, in_app

pytestmark = pytest.mark.django_db

S = Initiative.Status


# --- the path of each event -------------------------------------------------------------------


def test_a_submission_tells_the_association_admins_and_every_official_but_not_its_author(
    people, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_submit(initiative=draft, by=people["author"])

    told = {"admin", "reviewer", "colleague", "secretariat"}
    for name, user in people.items():
        assert in_app(user).count() == (1 if name in told else 0), name
        assert len(emails_to(user.email)) == (1 if name in told else 0), name
    [admin_mail] = emails_to(people["admin"].email)
    [official_mail] = emails_to(people["reviewer"].email)
    assert (
        admin_mail.subject
        == "Initiative soumise à l'instruction : Tablettes au collège Jean-Moulin"
    )
    assert f"{SITE}/espace/initiatives/{draft.pk}/" in admin_mail.body
    assert f"{SITE}/instruction/{draft.pk}/" in official_mail.body
    assert f'href="{SITE}/instruction/{draft.pk}/"' in html_of(official_mail)
    assert "Alice" in official_mail.body  # who submitted it
    notification = in_app(people["reviewer"]).get()
    assert notification.path == f"/instruction/{draft.pk}/"
    assert notification.read_at is None
    assert notification.event.kind == InitiativeKinds.SUBMITTED


def test_assigning_tells_the_assignee_and_nobody_hears_of_their_own_act(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_assign(initiative=in_review, assignee=people["colleague"], by=people["reviewer"])
    [message] = mail.outbox
    assert message.to == [people["colleague"].email]
    assert message.subject == "Initiative à instruire : Classes mobiles à Lyon"
    assert in_app(people["colleague"]).get().path == f"/instruction/{in_review.pk}/"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_assign(initiative=in_review, assignee=people["reviewer"], by=people["reviewer"])
    assert mail.outbox == []
    assert not in_app(people["reviewer"]).exists()


@pytest.mark.parametrize(
    ("transition", "comment", "subject"),
    [
        ("request_changes", "Précisez le budget.", "Modifications demandées : "),
        ("publish", "", "Initiative publiée : "),
        ("reject", "Hors du champ du comité.", "Initiative refusée : "),
    ],
)
def test_a_decision_tells_the_author_and_the_association_admins_with_the_comment(
    people, in_review, transition, comment, subject, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(
            initiative=in_review, name=transition, by=people["reviewer"], comment=comment
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["author"].email, people["admin"].email]
    )
    for message in mail.outbox:
        assert message.subject == subject + "Classes mobiles à Lyon"
        assert f"{SITE}/espace/initiatives/{in_review.pk}/" in message.body
        assert comment in message.body
    for name in ("reviewer", "colleague", "secretariat"):
        assert not in_app(people[name]).exists()
    assert in_app(people["author"]).get().data["comment"] == comment


def test_unpublishing_tells_the_association(
    people, association, django_capture_on_commit_callbacks
):
    published = initiative_in(S.PUBLISHED, association, created_by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(
            initiative=published, name="unpublish", by=people["secretariat"], comment="Périmée."
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["author"].email, people["admin"].email]
    )
    assert all(m.subject.startswith("Initiative dépubliée pour réexamen") for m in mail.outbox)


def test_taking_into_review_and_archiving_notify_nobody(
    people, association, django_capture_on_commit_callbacks
):
    submitted = initiative_in(S.SUBMITTED, association, created_by=people["author"])
    rejected = initiative_in(S.REJECTED, association, created_by=people["author"])
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=submitted, name="start_review", by=people["reviewer"])
        initiative_transition(initiative=rejected, name="archive", by=people["secretariat"])
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_message_from_the_association_goes_to_the_assignee_only(
    people, in_review, django_capture_on_commit_callbacks
):
    in_review.assignee = people["colleague"]
    in_review.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(initiative=in_review, author=people["author"], body="Le budget est joint.")
    [message] = mail.outbox
    assert message.to == [people["colleague"].email]
    assert "Le budget est joint." in message.body
    assert f"{SITE}/instruction/{in_review.pk}/" in message.body


def test_a_message_from_the_association_goes_to_every_official_while_nobody_is_assigned(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(initiative=in_review, author=people["admin"], body="Une question.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        people[name].email for name in ("reviewer", "colleague", "secretariat")
    )


def test_a_message_from_an_official_goes_to_the_author_and_the_admins(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(initiative=in_review, author=people["reviewer"], body="Combien d'élèves ?")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["author"].email, people["admin"].email]
    )
    assert in_app(people["author"]).get().data["comment"] == "Combien d'élèves ?"
    assert all("Combien d'élèves ?" in m.body for m in mail.outbox)  # not HTML-escaped


def test_an_invitation_is_mailed_to_the_address_without_an_unsubscribe_link(
    people, association, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            organisation=association,
            email="Nouvelle@Example.org",
            role="contributor",
            by=people["admin"],
        )
    [message] = mail.outbox
    assert message.to == ["nouvelle@example.org"]
    assert message.subject == "Invitation à rejoindre AMF sur le portail du comité"
    assert f"{SITE}/invitation/{token}/" in message.body
    assert "Contributeur" in message.body
    assert "List-Unsubscribe" not in message.extra_headers  # a mandatory kind
    # The token is rebuilt for the email, never stored: only its hash is.
    notification = Notification.objects.get(kind=Kinds.INVITED)
    assert token not in str(notification.data) and notification.recipient is None


def test_a_ready_report_is_announced_to_the_official_who_ordered_it(
    people, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    report = Report.objects.create(
        kind=Report.Kind.ACTION_PLAN_PDF,
        requested_by=people["reviewer"],
        status=Report.Status.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(hours=72),
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_record(kind=ReportKinds.REPORT_READY, target=report, data={"report_id": report.pk})
    [message] = mail.outbox
    assert message.to == [people["reviewer"].email]
    assert message.subject == "Votre rapport est prêt : Plan d'action (PDF)"
    assert f"{SITE}/pilotage/rapports/#rapport-{report.pk}" in message.body
    assert in_app(people["reviewer"]).get().path == f"/pilotage/rapports/#rapport-{report.pk}"


def test_a_bulk_assignment_sends_one_email_listing_the_initiatives(
    people, association, django_capture_on_commit_callbacks
):
    first = initiative_in(S.SUBMITTED, association, title="Fibre des écoles")
    second = initiative_in(S.IN_REVIEW, association, title="Robots en classe")
    with django_capture_on_commit_callbacks(execute=True):
        initiatives_bulk_assign(
            initiatives=[first, second], assignee=people["colleague"], by=people["reviewer"]
        )
    [message] = mail.outbox
    assert message.to == [people["colleague"].email]
    assert message.subject == "2 initiatives à instruire"
    assert f"{SITE}/instruction/{first.pk}/" in message.body
    assert f"{SITE}/instruction/{second.pk}/" in message.body
    assert in_app(people["colleague"]).count() == 2


def test_the_email_is_in_the_recipients_language(
    people, in_review, django_capture_on_commit_callbacks
):
    people["author"].language = "en"
    people["author"].save()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    by_address = {m.to[0]: m for m in mail.outbox}
    assert '<html lang="en">' in html_of(by_address[people["author"].email])
    assert '<html lang="fr">' in html_of(by_address[people["admin"].email])


def test_inactive_people_hear_nothing(people, in_review, django_capture_on_commit_callbacks):
    people["admin"].is_active = False
    people["admin"].save()
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    assert [m.to for m in mail.outbox] == [[people["author"].email]]
    assert not in_app(people["admin"]).exists()


def test_a_broken_rule_never_undoes_the_change(people, in_review, monkeypatch, caplog):
    def broken(event):
        raise RuntimeError("règle cassée")

    published = registry.KINDS[InitiativeKinds.PUBLISHED]
    monkeypatch.setitem(
        registry.KINDS, InitiativeKinds.PUBLISHED, dataclasses.replace(published, recipients=broken)
    )
    initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])

    in_review.refresh_from_db()
    assert in_review.status == S.PUBLISHED
    assert Event.objects.filter(kind=InitiativeKinds.PUBLISHED).exists()
    assert not Notification.objects.exists()
    assert "règle cassée" in caplog.text


# --- emails outside any event -----------------------------------------------------------------


def test_a_prepared_email_goes_out_once_per_delivery_key_unless_turned_off(
    people, django_capture_on_commit_callbacks
):
    reviewer = people["reviewer"]

    def send():
        return notification_send(
            kind="weekly_digest",
            user=reviewer,
            subject="Point hebdomadaire du comité — semaine du 2 mars 2026",
            text="Bonjour,\n\nNouvelles soumissions : 2 <b>",
            delivery_key=f"weekly-digest:{reviewer.pk}:2026-03-02",
        )

    with django_capture_on_commit_callbacks(execute=True):
        assert send() is not None
        assert send() is None  # same key: written once
    [message] = mail.outbox
    assert message.subject == "Point hebdomadaire du comité — semaine du 2 mars 2026"
    assert message.body == "Bonjour,\n\nNouvelles soumissions : 2 <b>"
    html = message.alternatives[0][0]
    assert "Nouvelles soumissions : 2 &lt;b&gt;" in html
    assert "/notifications/desabonner/" in message.extra_headers["List-Unsubscribe"]

    preference_set(user=reviewer, kind="weekly_digest", mode="off")
    assert (
        notification_send(
            kind="weekly_digest",
            user=reviewer,
            subject="s",
            text="t",
            delivery_key="weekly-digest:other",
        )
        is None
    )


def test_an_address_without_an_account_is_written_to_in_the_language_of_the_request(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            kind=Kinds.SECURITY,
            email=" Visiteur@Example.org ",
            language="en",
            delivery_key="test:address",
            data={"text": "Un message."},
        )
    assert notification.recipient is None and notification.email == "visiteur@example.org"
    [message] = mail.outbox
    assert message.to == ["visiteur@example.org"]
    assert '<html lang="en">' in html_of(message)
    assert "List-Unsubscribe" not in message.extra_headers  # no account, no preferences
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT


def test_only_declared_kinds_are_queued(people):
    with pytest.raises(registry.UnknownKind):
        notification_queue(kind="not_declared", user=people["admin"], delivery_key="test:x")
    assert not Notification.objects.exists()
