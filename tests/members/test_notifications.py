"""Who hears of what: in-app notifications, emails, links, preferences and unsubscribing."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee.reports.models import Report
from initiatives.models import Initiative
from initiatives.services import (
    comment_post,
    initiative_assign,
    initiative_submit,
    initiative_transition,
    initiatives_bulk_assign,
)
from members import notifications
from members.models import Event, Notification, NotificationPreference
from members.notifications import Recipient, register_rule
from members.services import event_record, invitation_create
from tests import factories as f
from tests.initiatives.review_support import initiative_in

pytestmark = pytest.mark.django_db

S = Initiative.Status
Mode = NotificationPreference.Mode
SITE = "http://127.0.0.1:8000"


def in_app(user):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


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
    assert notification.event.kind == Event.Kind.SUBMITTED


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
    notification = Notification.objects.get(kind=Event.Kind.INVITED)
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
        event_record(kind=Event.Kind.REPORT_READY, target=report, data={"report_id": report.pk})
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
    assert message.subject == "2 initiative(s) à instruire"
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

    monkeypatch.setitem(notifications.RULES, Event.Kind.PUBLISHED, broken)
    initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])

    in_review.refresh_from_db()
    assert in_review.status == S.PUBLISHED
    assert Event.objects.filter(kind=Event.Kind.PUBLISHED).exists()
    assert not Notification.objects.exists()
    assert "règle cassée" in caplog.text


def test_apps_register_rules_for_their_events(people):
    seen = []
    register_rule("test_kind", lambda event: [Recipient(user=people["admin"], path="/x/")])
    try:
        event = event_record(kind="test_kind", actor=people["author"])
        seen = list(Notification.objects.filter(event=event).values_list("channel", "path"))
    finally:
        notifications.RULES.pop("test_kind")
    assert sorted(seen) == [("email", "/x/"), ("in_app", "/x/")]


# --- preferences ------------------------------------------------------------------------------


def test_a_kind_turned_off_stays_in_app_but_sends_no_email(
    people, in_review, django_capture_on_commit_callbacks
):
    notifications.preference_set(user=people["author"], kind=Event.Kind.PUBLISHED, mode=Mode.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    assert [m.to for m in mail.outbox] == [[people["admin"].email]]
    assert in_app(people["author"]).count() == 1


def test_invitations_cannot_be_turned_off():
    user = f.UserFactory()
    notifications.preference_set(user=user, kind=Event.Kind.INVITED, mode=Mode.OFF)
    assert not NotificationPreference.objects.exists()
    assert notifications.mode_for(user, Event.Kind.INVITED) == Mode.IMMEDIATE


def test_the_preferences_page_saves_a_choice_per_kind(people, signed_in):
    client = signed_in(people["admin"])
    page = client.get(reverse("members:notification_preferences"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Initiative publiée" in content and 'name="kind_published"' in content
    assert 'name="kind_invited"' not in content  # mandatory: not offered

    data = {f"kind_{spec.kind}": Mode.IMMEDIATE for spec in notifications.preference_kinds()}
    data.update({"kind_published": Mode.WEEKLY, "kind_commented": Mode.OFF, "recap": "daily"})
    response = client.post(reverse("members:notification_preferences"), data)

    assert response.status_code == 302
    assert notifications.mode_for(people["admin"], Event.Kind.PUBLISHED) == Mode.WEEKLY
    assert notifications.mode_for(people["admin"], Event.Kind.COMMENTED) == Mode.OFF
    assert notifications.settings_for(people["admin"]).recap == "daily"


def test_an_invalid_preference_is_reported_and_nothing_is_saved(people, signed_in):
    client = signed_in(people["admin"])
    response = client.post(reverse("members:notification_preferences"), {"kind_published": "x"})
    assert response.status_code == 400
    assert "fr-alert--error" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- unsubscribing ------------------------------------------------------------------------------


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return re.search(r"<https?://[^/]+(/notifications/desabonner/[^>]+)>", header).group(1)


def test_each_email_carries_a_one_click_unsubscribe_for_its_kind(
    people, in_review, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        initiative_transition(initiative=in_review, name="publish", by=people["reviewer"])
    message = emails_to(people["author"].email)[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path in message.body and path in html_of(message)

    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(path)
    assert page.status_code == 200
    assert "Me désabonner" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # GET changes nothing

    # What a mail client does (RFC 8058): a POST without any form token.
    response = anonymous.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert notifications.mode_for(people["author"], Event.Kind.PUBLISHED) == Mode.OFF
    assert notifications.mode_for(people["author"], Event.Kind.COMMENTED) == Mode.IMMEDIATE


def test_a_tampered_unsubscribe_link_is_refused(people):
    token = notifications.unsubscribe_token(people["author"], Event.Kind.PUBLISHED)
    response = Client().post(reverse("members:notification_unsubscribe", args=[token + "x"]))
    assert response.status_code == 404
    assert not NotificationPreference.objects.exists()


# --- the notification centre ------------------------------------------------------------------


def test_the_header_counts_unread_notifications_and_the_centre_lists_them(people, draft, signed_in):
    initiative_submit(initiative=draft, by=people["author"])
    client = signed_in(people["reviewer"])

    home = client.get("/").content.decode()
    assert 'href="/notifications/"' in home
    assert re.search(r"fr-badge[^>]*>1<span class=\"fr-sr-only\">", home)

    page = client.get(reverse("members:notifications")).content.decode()
    assert "Tablettes au collège Jean-Moulin" in page
    assert f'href="/instruction/{draft.pk}/"' in page
    assert "Non lue" in page


def test_marking_as_read_is_a_post_on_ones_own_notifications(people, draft, signed_in):
    initiative_submit(initiative=draft, by=people["author"])
    mine = in_app(people["reviewer"]).get()
    theirs = in_app(people["colleague"]).get()
    client = signed_in(people["reviewer"])
    url = reverse("members:notification_read", args=[mine.pk])

    assert client.get(url).status_code == 405
    assert client.post(reverse("members:notification_read", args=[theirs.pk])).status_code == 404
    response = client.post(url, {"next": "/notifications/?page=1"})

    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert notifications.unread_count(people["reviewer"]) == 0


def test_mark_all_as_read(people, association, signed_in):
    for title in ("Un", "Deux"):
        draft = initiative_in(S.DRAFT, association, created_by=people["author"], title=title)
        initiative_submit(initiative=draft, by=people["author"])
    client = signed_in(people["admin"])
    assert notifications.unread_count(people["admin"]) == 2

    client.post(reverse("members:notifications_read_all"))

    assert not in_app(people["admin"]).filter(read_at__isnull=True).exists()
    assert notifications.unread_count(people["admin"]) == 0


def test_the_unread_count_costs_one_query_then_none_until_it_changes(people, draft):
    with CaptureQueriesContext(connection) as first:
        assert notifications.unread_count(people["reviewer"]) == 0
    with CaptureQueriesContext(connection) as again:
        assert notifications.unread_count(people["reviewer"]) == 0
    assert len(first) == 1 and len(again) == 0

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        initiative_submit(initiative=draft, by=people["author"])
    assert notifications.unread_count(people["reviewer"]) == 1


def test_officials_without_mfa_are_sent_to_set_it_up(people, client):
    client.force_login(people["reviewer"])
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("members:notifications"))
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_an_anonymised_account_keeps_no_notifications_or_preferences(people, draft):
    from members.services import user_anonymise

    initiative_submit(initiative=draft, by=people["author"])
    notifications.preference_set(user=people["reviewer"], kind=Event.Kind.PUBLISHED, mode="off")

    user_anonymise(user=people["reviewer"])

    assert not Notification.objects.filter(recipient=people["reviewer"]).exists()
    assert not NotificationPreference.objects.filter(user=people["reviewer"]).exists()
    assert Notification.objects.filter(recipient=people["colleague"]).exists()


def test_each_person_chooses_only_among_the_kinds_their_roles_receive(people):
    official = {spec.kind for spec in notifications.preference_kinds(people["reviewer"])}
    staff = {spec.kind for spec in notifications.preference_kinds(people["author"])}

    assert {"assigned", "report_ready", "weekly_digest", "submitted"} <= official
    assert "published" not in official
    assert {"published", "changes_requested", "commented"} <= staff
    assert "report_ready" not in staff and "assigned" not in staff
