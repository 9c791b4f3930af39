"""The committee's own governance: work axes, action plan, policy contributions."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
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
