"""Writes on bodies, representatives, sessions, agenda, documents, replies and attendance.

Every write checks `members.permissions.can` first (PermissionDenied: nothing written) and
validates its input (ValidationError with a French message: nothing written). Convocation,
changes and cancellation are recorded as events in the same transaction: the notification
outbox tells the representatives, with the `.ics` (committee.sessions.notifications).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.sessions.models import (
    AgendaItem,
    Attendance,
    Body,
    CalendarToken,
    Reply,
    Representative,
    Session,
    SessionDocument,
)
from committee.sessions.notifications import Kinds, session_data
from committee.sessions.texts import PARIS
from members.models import Membership, Organisation
from members.notifications.outbox import notification_queue
from members.permissions import Perm, can
from members.services import event_record


def require(user, permission: Perm, obj=None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))


# --- bodies and representatives -------------------------------------------------------------


@transaction.atomic
def bodies_ensure_defaults() -> list[Body]:
    """The plenary committee and one working group per axis (idempotent)."""
    bodies = [
        Body.objects.get_or_create(
            slug="comite-plenier",
            defaults={"name": "Comité plénier", "kind": Body.Kind.PLENARY},
        )[0]
    ]
    for axis in Axis.objects.order_by("number"):
        bodies.append(
            Body.objects.get_or_create(
                slug=f"groupe-de-travail-axe-{axis.number}",
                defaults={
                    "name": f"Groupe de travail de l'axe {axis.number} : {axis.short_title}",
                    "kind": Body.Kind.WORKING_GROUP,
                    "axis": axis,
                },
            )[0]
        )
    return bodies


@transaction.atomic
def body_create(*, by, name: str, description: str = "", quorum_share=None) -> Body:
    """Another working group, created by the secretariat. Two bodies never share a name
    (representatives would not know which one they are convened to)."""
    require(by, Perm.SESSION_MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Le nom est obligatoire.")})
    if Body.objects.filter(name__iexact=name[:200]).exists():
        raise ValidationError(
            {"name": _("Une instance porte déjà ce nom : choisissez-en un autre.")}
        )
    base = slugify(name)[:70] or "groupe"
    slug, n = base, 2
    while Body.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    body = Body(
        name=name[:200],
        slug=slug,
        kind=Body.Kind.WORKING_GROUP,
        description=(description or "").strip(),
    )
    if quorum_share is not None:
        body.quorum_share = quorum_share
    body.full_clean()
    body.save()
    return body


@transaction.atomic
def representative_name(*, by, body: Body, user, organisation: Organisation) -> Representative:
    """Name a member of the organisation in the body (its admin, or the secretariat)."""
    require(by, Perm.REPRESENTATIVE_NAME, organisation)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(
            {"user": _("Cette personne n'est pas membre de %(org)s.") % {"org": organisation}}
        )
    elsewhere = Representative.objects.filter(user=user).exclude(organisation=organisation).first()
    if elsewhere is not None:
        raise ValidationError(
            {
                "user": _(
                    "Cette personne représente déjà %(org)s : une personne ne représente "
                    "qu'une organisation."
                )
                % {"org": elsewhere.organisation}
            }
        )
    representative, _created = Representative.objects.get_or_create(
        body=body, user=user, defaults={"organisation": organisation, "named_by": by}
    )
    return representative


@transaction.atomic
def representative_remove(*, by, representative: Representative) -> None:
    require(by, Perm.REPRESENTATIVE_NAME, representative.organisation)
    representative.delete()


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionData:
    body: Body
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = ""
    visio_url: str = ""
    is_public: bool = False


def _check_session(data: SessionData) -> None:
    errors = {}
    if not (data.title or "").strip():
        errors["title"] = _("L'intitulé est obligatoire.")
    if data.starts_at is None:
        errors["starts_at"] = _("Indiquez la date et l'heure du début.")
    if data.ends_at is None:
        errors["ends_at"] = _("Indiquez l'heure de fin.")
    if data.starts_at and data.ends_at:
        if data.ends_at <= data.starts_at:
            errors["ends_at"] = _("La fin de la séance doit suivre son début.")
        elif data.ends_at - data.starts_at > datetime.timedelta(days=3):
            errors["ends_at"] = _("Une séance dure au plus trois jours.")
        if data.starts_at <= timezone.now():
            errors["starts_at"] = _("Une séance ne peut pas être fixée dans le passé.")
    if not data.body.is_active:
        errors["body"] = _("Cette instance n'est plus active.")
    if errors:
        raise ValidationError(errors)


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """A time typed without zone is Paris time."""
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=PARIS)
    return value


def _cleaned(data: SessionData) -> SessionData:
    return SessionData(
        body=data.body,
        title=(data.title or "").strip()[:200],
        starts_at=_aware(data.starts_at),
        ends_at=_aware(data.ends_at),
        place=(data.place or "").strip()[:255],
        visio_url=(data.visio_url or "").strip(),
        is_public=bool(data.is_public),
    )


@transaction.atomic
def session_create(*, by, data: SessionData) -> Session:
    """A session in preparation: nobody is told until it is convened."""
    require(by, Perm.SESSION_MANAGE)
    data = _cleaned(data)
    _check_session(data)
    session = Session(created_by=by, **data.__dict__)
    session.full_clean(exclude=["created_by"])
    session.save()
    return session


SENT_FIELDS = ("title", "starts_at", "ends_at", "place", "visio_url")


@transaction.atomic
def session_update(*, by, session: Session, data: SessionData) -> list[str]:
    """Change a session; once convened, a change of what the invitation says is sent again
    (same UID, SEQUENCE + 1). Returns the names of the fields changed."""
    require(by, Perm.SESSION_MANAGE)
    current = Session.objects.select_for_update().get(pk=session.pk)
    if current.status == Session.Status.CANCELLED:
        raise ValidationError(_("Une séance annulée ne se modifie plus."))
    data = _cleaned(data)
    _check_session(data)
    changed = [name for name, value in data.__dict__.items() if getattr(current, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(current, name, data.__dict__[name])
    resend = current.status == Session.Status.CONVENED and set(changed) & set(SENT_FIELDS)
    if resend:
        current.sequence += 1
    current.full_clean(exclude=["created_by"])
    current.save()
    if resend:
        event_record(kind=Kinds.UPDATED, actor=by, target=current, data={"changed": changed})
    session.__dict__.update({k: getattr(current, k) for k in (*changed, "sequence")})
    return changed


@transaction.atomic
def session_convene(*, by, session: Session) -> Session:
    """Publish the session: its representatives receive the convocation and the `.ics`."""
    require(by, Perm.SESSION_MANAGE)
    current = Session.objects.select_for_update().get(pk=session.pk)
    if current.status != Session.Status.DRAFT:
        raise ValidationError(_("Cette séance a déjà été convoquée ou annulée."))
    if current.starts_at <= timezone.now():
        raise ValidationError(_("Une séance ne peut pas être convoquée dans le passé."))
    current.status = Session.Status.CONVENED
    current.convened_at = timezone.now()
    current.save(update_fields=["status", "convened_at", "updated_at"])
    event_record(kind=Kinds.CONVENED, actor=by, target=current)
    session.status, session.convened_at = current.status, current.convened_at
    return current


@transaction.atomic
def session_cancel(*, by, session: Session, reason: str = "") -> Session:
    """Cancel; the representatives of a convened session get the cancellation (METHOD:CANCEL)."""
    require(by, Perm.SESSION_MANAGE)
    current = Session.objects.select_for_update().get(pk=session.pk)
    if current.status == Session.Status.CANCELLED:
        raise ValidationError(_("Cette séance est déjà annulée."))
    if current.starts_at <= timezone.now():
        raise ValidationError(_("Une séance passée ne peut plus être annulée."))
    was_convened = current.status == Session.Status.CONVENED
    current.status = Session.Status.CANCELLED
    current.cancelled_at = timezone.now()
    if was_convened:
        current.sequence += 1
    current.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    if was_convened:
        event_record(kind=Kinds.CANCELLED, actor=by, target=current, data={"reason": reason})
    session.status, session.sequence = current.status, current.sequence
    return current


# --- agenda and documents -------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    by,
    session: Session,
    title: str,
    description: str = "",
    is_closed: bool = False,
    action=None,
    initiative=None,
    contribution=None,
    document: SessionDocument | None = None,
) -> AgendaItem:
    require(by, Perm.SESSION_MANAGE)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("L'intitulé du point est obligatoire.")})
    if document is not None and document.session_id != session.pk:
        raise ValidationError({"document": _("Ce document n'appartient pas à cette séance.")})
    Session.objects.select_for_update().get(pk=session.pk)  # positions given one at a time
    last = session.agenda_items.aggregate(last=Max("position"))["last"] or 0
    return AgendaItem.objects.create(
        session=session,
        position=last + 1,
        title=title[:255],
        description=description.strip(),
        is_closed=is_closed,
        action=action,
        initiative=initiative,
        contribution=contribution,
        document=document,
    )


def session_document_add(*, by, session: Session, upload, title: str = "") -> SessionDocument:
    """Attach a file after checking what it really is (the initiatives' upload rules: by
    content, size cap). Raises ValidationError and writes nothing when refused."""
    from initiatives.documents import validate_upload

    require(by, Perm.SESSION_MANAGE)
    checked = validate_upload(upload)
    document = SessionDocument(
        session=session,
        title=((title or "").strip() or checked.original_name.rsplit(".", 1)[0])[:200],
        original_name=checked.original_name,
        content_type=checked.kind.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    document.file.save("document", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


# --- replies and attendance -----------------------------------------------------------------


@transaction.atomic
def reply_set(*, by, session: Session, answer: str, proxy=None) -> Reply:
    """A representative answers: present, absent, or represented by a colleague of the same
    organisation."""
    require(by, Perm.SESSION_REPLY, session)
    if answer not in Reply.Answer.values:
        raise ValidationError({"answer": _("Choisissez une réponse.")})
    representative = Representative.objects.get(body_id=session.body_id, user=by)
    organisation = representative.organisation
    if answer == Reply.Answer.REPRESENTED:
        if proxy is None:
            raise ValidationError({"proxy": _("Indiquez le collègue qui vous représente.")})
        if proxy.pk == by.pk:
            raise ValidationError({"proxy": _("Vous ne pouvez pas vous représenter vous-même.")})
        if not Membership.objects.filter(user=proxy, organisation=organisation).exists():
            raise ValidationError(
                {
                    "proxy": _("Votre représentant doit être membre de %(org)s.")
                    % {"org": organisation}
                }
            )
    else:
        proxy = None
    reply, _created = Reply.objects.update_or_create(
        session=session,
        user=by,
        defaults={"organisation": organisation, "answer": answer, "proxy": proxy},
    )
    return reply


@transaction.atomic
def attendance_record(*, by, session: Session, statuses: dict) -> int:
    """The secretariat records who attended: {user: present/represented/absent}."""
    require(by, Perm.SESSION_MANAGE)
    if session.status != Session.Status.CONVENED:
        raise ValidationError(_("Seule une séance convoquée se tient."))
    if session.starts_at > timezone.now():
        raise ValidationError(_("La présence se note une fois la séance commencée."))
    organisations = dict(
        Representative.objects.filter(body_id=session.body_id).values_list(
            "user_id", "organisation_id"
        )
    )
    proxies = dict(
        Reply.objects.filter(session=session, proxy__isnull=False).values_list(
            "proxy_id", "organisation_id"
        )
    )
    rows = []
    for user, status in statuses.items():
        user_id = getattr(user, "pk", user)
        if status not in Attendance.Status.values:
            raise ValidationError(_("Présence inconnue : %(value)s.") % {"value": status})
        organisation_id = organisations.get(user_id) or proxies.get(user_id)
        if organisation_id is None:
            raise ValidationError(
                _("Cette personne ne représente aucune organisation dans cette instance.")
            )
        rows.append((user_id, organisation_id, status))
    for user_id, organisation_id, status in rows:
        Attendance.objects.update_or_create(
            session=session,
            user_id=user_id,
            defaults={"organisation_id": organisation_id, "status": status},
        )
    return len(rows)


# --- reminders and calendars ----------------------------------------------------------------


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """The day before a convened session (Paris dates), one reminder per representative.

    Idempotent: the delivery key (session, day, person) admits one email, however often
    this runs (Celery beat runs it every hour). A session moved to another day gets a new
    reminder; one that was cancelled or moved after the reminder was queued is not sent
    (committee.sessions.notifications.reminder_context).
    """
    now = now or timezone.now()
    tomorrow = now.astimezone(PARIS).date() + datetime.timedelta(days=1)
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=PARIS)
    sessions = Session.objects.filter(
        status=Session.Status.CONVENED,
        starts_at__gte=start,
        starts_at__lt=start + datetime.timedelta(days=1),
    ).select_related("body")
    queued = 0
    for session in sessions:
        data = session_data(session)
        path = session.get_absolute_url()
        for representative in Representative.objects.filter(body_id=session.body_id).select_related(
            "user"
        ):
            user = representative.user
            if not user.is_active or not user.email:
                continue
            key = f"session:{session.pk}:reminder:{tomorrow.isoformat()}:u{user.pk}"
            if notification_queue(
                kind=Kinds.REMINDER, delivery_key=key, user=user, path=path, data=data
            ):
                queued += 1
    return queued


def calendar_token_for(user) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_revoke(*, by) -> CalendarToken:
    """A new secret: the old feed address stops working at once."""
    from committee.sessions.models import new_calendar_token

    token, _created = CalendarToken.objects.select_for_update().get_or_create(user=by)
    token.token = new_calendar_token()
    token.save(update_fields=["token", "created_at"])
    return token
