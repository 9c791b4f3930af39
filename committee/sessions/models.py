"""Bodies, representatives, sessions, agenda, documents, replies, attendance, minutes and
decisions. Re-exported by committee.models (they belong to the `committee` app)."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class Body(models.Model):
    """The plenary committee, a working group of an axis, or another group."""

    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Comité plénier")
        WORKING_GROUP = "working_group", _("Groupe de travail")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    axis = models.ForeignKey(
        "committee.Axis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bodies",
        verbose_name=_("axe"),
    )
    description = models.TextField(_("présentation"), blank=True)
    quorum_share = models.DecimalField(
        _("quorum (part des organisations membres présentes ou représentées)"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("instance du comité")
        verbose_name_plural = _("instances du comité")
        ordering = ["kind", "axis__number", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_share__gte=0, quorum_share__lte=1), name="body_quorum_share"
            ),
        ]

    def __str__(self):
        return self.name


class Representative(models.Model):
    """A person named by their organisation to sit in a body (one organisation per person)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="representatives"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("représentant")
        verbose_name_plural = _("représentants")
        ordering = ["body", "organisation__acronym", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="representative_once_per_body"),
        ]

    def __str__(self):
        return f"{self.user} ({self.organisation})"


class Session(models.Model):
    """A meeting of a body. Times are stored in UTC and shown in Europe/Paris."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        CONVENED = "convened", _("Convoquée")
        CANCELLED = "cancelled", _("Annulée")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="sessions")
    title = models.CharField(_("intitulé"), max_length=200)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    visio_url = models.URLField(_("lien de visioconférence"), blank=True)
    is_public = models.BooleanField(_("séance publique"), default=False)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # RFC 5545: one UID for the life of the session, SEQUENCE raised at each change sent.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    convened_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("session_detail", kwargs={"pk": self.pk})

    @property
    def representative_user_ids(self) -> set[int]:
        """Read by members.permissions (which imports no app of ours)."""
        cached = getattr(self, "_representative_user_ids", None)
        if cached is None:
            cached = set(
                Representative.objects.filter(body_id=self.body_id).values_list(
                    "user_id", flat=True
                )
            )
            self._representative_user_ids = cached
        return cached

    @property
    def is_visible_to_public(self) -> bool:
        return self.is_public and self.status != self.Status.DRAFT


def session_document_upload_to(instance, filename):
    """Server-side random names: nothing of the uploaded name reaches the file system."""
    return f"sessions/{instance.session_id}/{uuid.uuid4().hex}"


class SessionDocument(models.Model):
    """A file of a session: seen by whoever sees the session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=session_document_upload_to, max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document de séance")
        verbose_name_plural = _("documents de séance")
        ordering = ["session", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


class AgendaItem(models.Model):
    """One point of the agenda, in order; a closed item stays private in published minutes."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("présentation"), blank=True)
    is_closed = models.BooleanField(_("point à huis clos"), default=False)
    action = models.ForeignKey(
        "committee.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contribution = models.ForeignKey(
        "committee.Contribution", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    document = models.ForeignKey(
        SessionDocument, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="agendaitem_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Reply(models.Model):
    """A representative's answer to a convocation."""

    class Answer(models.TextChoices):
        PRESENT = "present", _("Présent")
        ABSENT = "absent", _("Absent")
        REPRESENTED = "represented", _("Représenté par un collègue")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="replies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("réponse"), max_length=12, choices=Answer.choices)
    proxy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("représenté par"),
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réponse à une convocation")
        verbose_name_plural = _("réponses aux convocations")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="reply_once"),
            models.CheckConstraint(
                condition=Q(answer="represented", proxy__isnull=False)
                | (~Q(answer="represented") & Q(proxy__isnull=True)),
                name="reply_proxy_when_represented",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_answer_display()}"


class Attendance(models.Model):
    """Who actually attended, as recorded by the secretariat."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        REPRESENTED = "represented", _("Représenté")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("présence"), max_length=12, choices=Status.choices)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_status_display()}"


class Minutes(models.Model):
    """The minutes of a session: drafted, circulated for remarks, then approved."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Projet")
        CIRCULATED = "circulated", _("Soumis aux remarques")
        APPROVED = "approved", _("Approuvé")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    remarks_until = models.DateTimeField(_("remarques jusqu'au"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approuvé le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("procès-verbal")
        verbose_name_plural = _("procès-verbaux")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="minutes_approved_has_date",
            ),
        ]

    def __str__(self):
        return str(self.session)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.APPROVED and self.session.is_visible_to_public

    @property
    def reader_user_ids(self) -> set[int]:
        """Who reads the minutes before they are public: the body's representatives and
        whoever attended (read by members.permissions)."""
        cached = getattr(self, "_reader_user_ids", None)
        if cached is None:
            cached = set(self.session.representative_user_ids) | set(
                Attendance.objects.filter(session_id=self.session_id).values_list(
                    "user_id", flat=True
                )
            )
            self._reader_user_ids = cached
        return cached


class MinutesEntry(models.Model):
    """The current text of the minutes for one agenda item."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="entries")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("compte rendu"), blank=True)

    class Meta:
        verbose_name = _("compte rendu d'un point")
        verbose_name_plural = _("comptes rendus des points")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "agenda_item"], name="minutesentry_once"),
        ]

    def __str__(self):
        return str(self.agenda_item)


class MinutesVersion(models.Model):
    """Every saved state of the minutes, kept: {agenda item id: text} and the whole as text."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    entries = models.JSONField(default=dict)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version du procès-verbal")
        verbose_name_plural = _("versions des procès-verbaux")
        ordering = ["minutes", "number"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutesversion_number"),
        ]

    def __str__(self):
        return f"{self.minutes} — version {self.number}"


class MinutesRemark(models.Model):
    """A remark of an attendee on circulated minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("remarque"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("remarque sur un procès-verbal")
        verbose_name_plural = _("remarques sur les procès-verbaux")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Decision(models.Model):
    """A decision taken on an agenda item; it may create or change a plan action, which is
    done through the plan's services when the minutes are approved."""

    class Effect(models.TextChoices):
        NONE = "none", _("Sans effet sur le plan")
        CREATE_ACTION = "create_action", _("Crée une action")
        UPDATE_ACTION = "update_action", _("Modifie une action")

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("décision"))
    effect = models.CharField(
        _("effet"), max_length=16, choices=Effect.choices, default=Effect.NONE
    )
    action = models.ForeignKey(
        "committee.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the decision sets on the action: code, title, objective, axis (number), status,
    # start_date, due_date (ISO), lead_partners (acronyms). Only the keys given change.
    changes = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["agenda_item", "pk"]

    def __str__(self):
        return self.text[:80]


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret of a person's calendar feed; revoking it gives a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agenda personnel")
        verbose_name_plural = _("agendas personnels")

    def __str__(self):
        return str(self.user)
