"""Minutes: drafted per item, every version kept and compared, circulated for remarks until a
deadline, approved; decisions then act on the plan through its services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from committee.plan.models import Action, ActionUpdate
from committee.sessions import minutes as m
from committee.sessions import services
from committee.sessions.models import Decision, Minutes, MinutesRemark
from members.models import Notification
from tests import factories as f

from .conftest import held

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_session(make_session, secretariat, representative, other_representative):
    session = make_session(convene=True)
    services.agenda_item_add(by=secretariat, session=session, title="Bilan de l'équipement")
    services.agenda_item_add(
        by=secretariat, session=session, title="Budget confidentiel", is_closed=True
    )
    return held(session)


def items(session):
    return list(session.agenda_items.order_by("position"))


def test_every_saved_state_is_a_version_and_two_versions_compare(held_session, secretariat):
    minutes = m.minutes_start(by=secretariat, session=held_session)
    first, closed = items(held_session)
    m.minutes_save(
        by=secretariat, minutes=minutes, texts={first.pk: "Les écoles sont équipées."}, version=0
    )
    m.minutes_save(
        by=secretariat,
        minutes=minutes,
        texts={first.pk: "Les écoles sont presque équipées."},
        version=1,
    )
    v1, v2 = minutes.versions.order_by("number")
    lines = m.versions_diff(v1, v2)
    assert ("removed", "Les écoles sont équipées.") in [(x.kind, x.text) for x in lines]
    assert ("added", "Les écoles sont presque équipées.") in [(x.kind, x.text) for x in lines]


def test_two_writers_one_wins_the_other_is_told_and_nothing_is_lost(held_session, secretariat):
    minutes = m.minutes_start(by=secretariat, session=held_session)
    first, _closed = items(held_session)
    m.minutes_save(by=secretariat, minutes=minutes, texts={first.pk: "Texte A"}, version=0)
    stale = Minutes.objects.get(pk=minutes.pk)
    with pytest.raises(ValidationError, match="entre-temps"):
        m.minutes_save(by=secretariat, minutes=stale, texts={first.pk: "Texte B"}, version=0)
    assert minutes.entries.get(agenda_item=first).text == "Texte A"
    assert minutes.versions.count() == 1


def test_remarks_until_the_deadline_then_approval_applies_the_decisions(
    held_session,
    secretariat,
    representative,
    reviewer,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    action = f.ActionFactory(code="A-12", status=Action.Status.PLANNED)
    minutes = m.minutes_start(by=secretariat, session=held_session)
    first, _closed = items(held_session)
    m.minutes_save(by=secretariat, minutes=minutes, texts={first.pk: "Débat."}, version=0)
    m.decision_add(
        by=secretariat,
        agenda_item=first,
        text="L'action A-12 est lancée ; échéance fin juin.",
        effect=Decision.Effect.UPDATE_ACTION,
        action=action,
        changes={"status": "in_progress", "due_date": "2027-06-30"},
    )
    m.decision_add(
        by=secretariat,
        agenda_item=first,
        text="Une action nouvelle recense les ENT.",
        effect=Decision.Effect.CREATE_ACTION,
        changes={"code": "A-13", "title": "Recenser les ENT", "objective": "Savoir.", "axis": 1},
    )
    with pytest.raises(ValidationError):  # not circulated yet
        m.minutes_approve(by=secretariat, minutes=minutes)
    until = timezone.now() + datetime.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        m.minutes_circulate(by=secretariat, minutes=minutes, until=until)
    assert Notification.objects.filter(kind="minutes_circulated", recipient=representative).exists()
    m.minutes_remark_add(by=representative, minutes=minutes, text="Ajouter la date du bilan.")
    with pytest.raises(PermissionDenied):  # not an attendee nor a representative
        m.minutes_remark_add(by=reviewer, minutes=minutes, text="Hors sujet")
    with pytest.raises(ValidationError, match="remarques sont ouvertes"):
        m.minutes_approve(by=secretariat, minutes=minutes)
    action.refresh_from_db()
    assert action.status == Action.Status.PLANNED  # nothing applied before approval

    Minutes.objects.filter(pk=minutes.pk).update(
        remarks_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    minutes.refresh_from_db()
    with pytest.raises(PermissionDenied):
        m.minutes_remark_add(by=representative, minutes=minutes, text="Trop tard")
    assert MinutesRemark.objects.count() == 1
    m.minutes_approve(by=secretariat, minutes=minutes)
    action.refresh_from_db()
    assert action.status == Action.Status.IN_PROGRESS
    assert action.due_date == datetime.date(2027, 6, 30)
    log = [u.text for u in ActionUpdate.objects.filter(action=action)]
    assert any("Statut" in t or "statut" in t for t in log)
    assert any(f"/seances/{held_session.pk}/#decision-" in t for t in log)
    created = Action.objects.get(code="A-13")
    assert (
        created.updates.filter(
            kind=ActionUpdate.Kind.NOTE, text__contains="procès-verbal".capitalize()[:4]
        ).exists()
        or created.updates.filter(text__contains="/seances/").exists()
    )
    assert Decision.objects.filter(applied_at__isnull=True).count() == 0
    with pytest.raises(ValidationError):  # approved minutes no longer change
        m.minutes_save(
            by=secretariat, minutes=minutes, texts={first.pk: "Autre"}, version=minutes.version
        )


def test_a_decision_the_plan_refuses_leaves_everything_as_it_was(held_session, secretariat):
    f.ActionFactory(code="A-1")
    minutes = m.minutes_start(by=secretariat, session=held_session)
    first, _closed = items(held_session)
    m.minutes_save(by=secretariat, minutes=minutes, texts={first.pk: "Débat."}, version=0)
    m.decision_add(
        by=secretariat,
        agenda_item=first,
        text="Action en double",
        effect=Decision.Effect.CREATE_ACTION,
        changes={"code": "A-1", "title": "Doublon", "objective": "x", "axis": 1},
    )
    m.minutes_circulate(
        by=secretariat, minutes=minutes, until=timezone.now() + datetime.timedelta(hours=1)
    )
    Minutes.objects.filter(pk=minutes.pk).update(
        remarks_until=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="ne peut pas être appliquée"):
        m.minutes_approve(by=secretariat, minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.CIRCULATED
    assert Action.objects.filter(code="A-1").count() == 1


def test_decisions_are_checked_when_written(held_session, secretariat, association_admin):
    first, _closed = items(held_session)
    with pytest.raises(ValidationError):
        m.decision_add(by=secretariat, agenda_item=first, text="x", effect="update_action")
    with pytest.raises(ValidationError):
        m.decision_add(
            by=secretariat,
            agenda_item=first,
            text="x",
            effect="create_action",
            changes={"code": "Z"},
        )
    with pytest.raises(PermissionDenied):
        m.decision_add(by=association_admin, agenda_item=first, text="x")
    assert not Decision.objects.exists()
