"""Sessions: created, convened, changed and cancelled (with their invitations), replies,
attendance and quorum, reminders the day before."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from committee.sessions import services
from committee.sessions.models import Attendance, Reply, Session
from committee.sessions.selectors import quorum
from members.models import Notification

from .conftest import paris

pytestmark = pytest.mark.django_db


def emails_of(kind):
    return Notification.objects.filter(kind=kind, channel=Notification.Channel.EMAIL)


def ics_of(message) -> Calendar:
    (attachment,) = [a for a in message.attachments if a[0] == "invitation.ics"]
    return Calendar.from_ical(attachment[1])


def test_convening_tells_each_representative_with_an_invitation(
    make_session,
    representative,
    other_representative,
    secretariat,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    session = make_session()
    assert not emails_of("session_convened").exists()  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        services.session_convene(by=secretariat, session=session)
    assert emails_of("session_convened").count() == 2
    assert (
        Notification.objects.filter(
            kind="session_convened", channel=Notification.Channel.IN_APP
        ).count()
        == 2
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [representative.email, other_representative.email]
    )
    message = mailoutbox[0]
    assert "Convocation" in message.subject
    calendar = ics_of(message)
    assert str(calendar["method"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]).startswith(f"seance-{session.uid}@")
    assert int(event["sequence"]) == 0
    assert event["dtstart"].dt.hour == 9


def test_a_change_is_sent_with_the_same_uid_and_a_higher_sequence_then_the_cancellation(
    make_session, representative, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(convene=True)
    first = ics_of(mailoutbox[-1]).walk("VEVENT")[0]
    data = services.SessionData(
        body=session.body,
        title=session.title,
        starts_at=paris(11, 14),
        ends_at=paris(11, 17),
        place=session.place,
        is_public=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert "starts_at" in services.session_update(by=secretariat, session=session, data=data)
    updated = ics_of(mailoutbox[-1]).walk("VEVENT")[0]
    assert str(updated["uid"]) == str(first["uid"])
    assert int(updated["sequence"]) == 1
    assert updated["dtstart"].dt.hour == 14
    assert "modifiée" in mailoutbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(by=secretariat, session=session)
    cancelled = ics_of(mailoutbox[-1])
    assert str(cancelled["method"]) == "CANCEL"
    event = cancelled.walk("VEVENT")[0]
    assert str(event["uid"]) == str(first["uid"])
    assert int(event["sequence"]) == 2
    assert str(event["status"]) == "CANCELLED"
    assert len(mailoutbox) == 3


def test_an_update_that_changes_nothing_sent_sends_nothing(
    make_session, representative, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(convene=True)
    data = services.SessionData(
        body=session.body,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        is_public=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.session_update(by=secretariat, session=session, data=data) == ["is_public"]
    session.refresh_from_db()
    assert session.sequence == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        ((10, 12), (10, 9), "ends_at"),  # ends before it starts
        ((-1, 9), (-1, 12), "starts_at"),  # in the past
    ],
)
def test_bad_dates_are_refused_with_a_message_and_nothing_saved(
    body, secretariat, starts, ends, field
):
    data = services.SessionData(
        body=body, title="Séance", starts_at=paris(*starts), ends_at=paris(*ends)
    )
    with pytest.raises(ValidationError) as error:
        services.session_create(by=secretariat, data=data)
    assert field in error.value.message_dict
    assert not Session.objects.exists()


def test_only_the_secretariat_creates_and_convenes(body, make_session, association_admin, reviewer):
    data = services.SessionData(body=body, title="Séance", starts_at=paris(5), ends_at=paris(5, 12))
    for user in (association_admin, reviewer):
        with pytest.raises(PermissionDenied):
            services.session_create(by=user, data=data)
    session = make_session()
    with pytest.raises(PermissionDenied):
        services.session_convene(by=association_admin, session=session)
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT
    assert Session.objects.count() == 1


def test_a_naive_time_is_paris_time(body, secretariat):
    start = datetime.datetime.combine(paris(30).date(), datetime.time(9, 0))
    session = services.session_create(
        by=secretariat,
        data=services.SessionData(
            body=body, title="Séance", starts_at=start, ends_at=start + datetime.timedelta(hours=2)
        ),
    )
    assert session.starts_at.astimezone(paris().tzinfo).hour == 9


def test_replies_present_absent_or_represented_by_a_colleague(
    make_session, representative, other_representative, colleague, other_contributor
):
    session = make_session(convene=True)
    services.reply_set(
        by=representative, session=session, answer=Reply.Answer.REPRESENTED, proxy=colleague
    )
    reply = Reply.objects.get(session=session, user=representative)
    assert reply.proxy == colleague
    # A colleague from another organisation cannot stand in.
    with pytest.raises(ValidationError):
        services.reply_set(
            by=representative,
            session=session,
            answer=Reply.Answer.REPRESENTED,
            proxy=other_contributor,
        )
    reply.refresh_from_db()
    assert reply.proxy == colleague
    services.reply_set(by=representative, session=session, answer=Reply.Answer.ABSENT)
    reply.refresh_from_db()
    assert (reply.answer, reply.proxy) == ("absent", None)


def test_only_representatives_reply_and_not_to_a_draft(
    make_session, representative, association_admin, secretariat
):
    draft = make_session()
    with pytest.raises(PermissionDenied):
        services.reply_set(by=representative, session=draft, answer="present")
    session = make_session(convene=True, days=12)
    for user in (association_admin, secretariat):
        with pytest.raises(PermissionDenied):
            services.reply_set(by=user, session=session, answer="present")
    assert not Reply.objects.exists()


def test_quorum_from_replies_then_from_recorded_attendance(
    make_session, representative, other_representative, secretariat, body
):
    from decimal import Decimal

    body.quorum_share = Decimal("0.60")
    body.save()
    session = make_session(convene=True)
    services.reply_set(by=representative, session=session, answer="present")
    state = quorum(session)
    assert (state.members, state.present, state.required, state.reached) == (2, 1, 2, False)
    assert not state.recorded
    # Attendance is recorded once the session has begun.
    with pytest.raises(ValidationError):
        services.attendance_record(
            by=secretariat, session=session, statuses={representative: "present"}
        )
    from .conftest import held

    held(session)
    services.attendance_record(
        by=secretariat,
        session=session,
        statuses={representative: "present", other_representative: "represented"},
    )
    state = quorum(session)
    assert (state.present, state.reached, state.recorded) == (2, True, True)
    assert Attendance.objects.filter(session=session).count() == 2


def test_reminders_go_the_day_before_exactly_once_per_person(
    make_session,
    representative,
    other_representative,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        session = make_session(days=1, convene=True)
        make_session(days=3, convene=True, title="Plus tard")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 0  # beat runs every hour: nothing more
    assert len(mailoutbox) == 2
    assert all(session.title in m.body and "Demain" in m.subject for m in mailoutbox)


def test_a_reminder_for_a_session_cancelled_meanwhile_is_not_sent(
    make_session, representative, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(days=1, convene=True)
    services.reminders_send()  # queued, delivery not run (no commit yet)
    services.session_cancel(by=secretariat, session=session)
    from members.notifications.delivery import deliver

    reminder = emails_of("session_reminder").get()
    deliver(reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == Notification.Status.CANCELLED
    assert not any("Demain" in m.subject for m in mailoutbox)


def test_a_representative_names_only_members_of_their_own_organisation(
    body,
    association,
    other_association,
    association_admin,
    colleague,
    other_contributor,
    secretariat,
):
    services.representative_name(
        by=association_admin, body=body, user=colleague, organisation=association
    )
    with pytest.raises(PermissionDenied):
        services.representative_name(
            by=association_admin, body=body, user=other_contributor, organisation=other_association
        )
    with pytest.raises(ValidationError):
        services.representative_name(
            by=secretariat, body=body, user=other_contributor, organisation=association
        )
    assert list(body.representatives.values_list("user_id", flat=True)) == [colleague.pk]


def test_documents_follow_the_upload_rules(make_session, secretariat):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = make_session()
    disguised = SimpleUploadedFile("ordre-du-jour.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError):
        services.session_document_add(by=secretariat, session=session, upload=disguised)
    assert not session.documents.exists()
    pdf = SimpleUploadedFile(
        "odj.pdf",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "application/pdf",
    )
    document = services.session_document_add(
        by=secretariat, session=session, upload=pdf, title="Ordre du jour"
    )
    assert document.content_type == "application/pdf"


def test_the_convocation_in_the_past_is_refused(make_session, secretariat):
    session = make_session()
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    session.refresh_from_db()
    with pytest.raises(ValidationError):
        services.session_convene(by=secretariat, session=session)
    session.refresh_from_db()
    assert session.status == Session.Status.DRAFT
