"""The committee's own governance: work axes, action plan, policy contributions."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from members.models import Organisation


class Axis(models.Model):
    """One of the six work axes written in the charter (verbatim)."""

    number = models.PositiveSmallIntegerField(
        _("numéro"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    title = models.CharField(_("intitulé"), max_length=255)
    short_title = models.CharField(_("intitulé court"), max_length=80)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("axe de travail")
        verbose_name_plural = _("axes de travail")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=6), name="axis_number_1_to_6"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Action(models.Model):
    """An action of the committee's plan ("un ensemble cohérent d'actions")."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Réalisée")
        ABANDONED = "abandoned", _("Abandonnée")

    axis = models.ForeignKey(
        Axis, on_delete=models.PROTECT, related_name="actions", verbose_name=_("axe")
    )
    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("intitulé"), max_length=255)
    objective = models.TextField(_("objectif"))
    lead_partners = models.ManyToManyField(
        Organisation, related_name="led_actions", verbose_name=_("partenaires pilotes")
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    start_date = models.DateField(_("début"), null=True, blank=True)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    initiatives = models.ManyToManyField(
        Initiative,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("initiatives liées (preuves)"),
    )
    updated_at = models.DateTimeField(_("mise à jour"), auto_now=True)

    class Meta:
        verbose_name = _("action du plan")
        verbose_name_plural = _("actions du plan")
        ordering = ["axis__number", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_max"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done", "abandoned"]),
                name="action_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="action_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["axis", "status"])]

    def __str__(self):
        return f"{self.code} — {self.title}"


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("intitulé"), max_length=255)
    due_date = models.DateField(_("échéance"))
    reached_on = models.DateField(_("atteint le"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ["action", "position", "due_date"]
        indexes = [models.Index(fields=["due_date", "reached_on"])]

    def __str__(self):
        return self.title


class Contribution(models.Model):
    """A policy contribution ("contributions de politique générale")."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")

    title = models.CharField(_("titre"), max_length=255)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=255, unique=True)
    summary = models.TextField(_("résumé"))
    body = models.TextField(_("texte (Markdown)"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    axes = models.ManyToManyField(Axis, blank=True, related_name="contributions")
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="contributions", verbose_name=_("signataires")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contribution de politique générale")
        verbose_name_plural = _("contributions de politique générale")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="contribution_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("contribution_detail", kwargs={"slug": self.slug})


class SearchSubscription(models.Model):
    """A visitor following a catalogue search by email, without an account.

    Double opt-in: nothing is sent to the address until its owner confirms. Only hashes of
    the links' tokens are stored (see committee.services); `params` holds the normalised
    catalogue parameters, the same as in the catalogue's URL.
    """

    email = models.EmailField(_("adresse électronique"))
    params = models.JSONField(_("critères de recherche"), default=dict, blank=True)
    confirm_token_hash = models.CharField(max_length=64, unique=True)
    unsubscribe_token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("dernière alerte le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suivi de recherche")
        verbose_name_plural = _("suivis de recherche")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "params",
                condition=Q(unsubscribed_at__isnull=True),
                name="subscription_one_active_per_search",
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_notified_at"],
                condition=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
                name="subscription_active_notified",
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.params or '*'}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


def report_upload_to(instance, filename):
    """Random server-side folders: a report's path cannot be guessed from another's."""
    return f"reports/{uuid.uuid4().hex}/{filename}"


class Report(models.Model):
    """A report ordered by an official and built in the background (committee.tasks).

    The file lives in the default storage under a random name and is only ever served
    through the download view, which checks who asks; it is deleted once `expires_at` has
    passed (the row stays, with `purged_at` set, as a record of what was ordered).
    """

    class Kind(models.TextChoices):
        ACTION_PLAN_PDF = "action_plan_pdf", _("Plan d'action (PDF)")
        INITIATIVES_XLSX = "initiatives_xlsx", _("Initiatives (tableur XLSX)")
        REGION_SUMMARY_PDF = "region_summary_pdf", _("Synthèse régionale (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En préparation")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("rapport"), max_length=30, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports",
        verbose_name=_("demandé par"),
    )
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    file = models.FileField(_("fichier"), upload_to=report_upload_to, max_length=255, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    purged_at = models.DateTimeField(_("fichier supprimé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["action_plan_pdf", "initiatives_xlsx", "region_summary_pdf"]),
                name="report_kind_valid",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False),
                name="report_done_has_finished_at",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_requester_created"),
            models.Index(fields=["status", "expires_at"], name="report_status_expires"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.purged_at is not None or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.is_expired

    @property
    def download_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class DigestDelivery(models.Model):
    """The weekly digest sent to one official for one week: at most one (idempotence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    week = models.DateField(_("semaine (lundi)"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("envoi de la lettre hebdomadaire")
        verbose_name_plural = _("envois de la lettre hebdomadaire")
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_one_per_user_week"),
        ]

    def __str__(self):
        return f"{self.user_id} — {self.week}"
