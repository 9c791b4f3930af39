"""The action plan: actions, milestones, indicators, update log, partner reports, plan reviews."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from members.models import Organisation


class Action(models.Model):
    """An action of the committee's plan ("un ensemble cohérent d'actions")."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        IN_PROGRESS = "in_progress", _("En cours")
        DONE = "done", _("Réalisée")
        ABANDONED = "abandoned", _("Abandonnée")

    axis = models.ForeignKey(
        "committee.Axis", on_delete=models.PROTECT, related_name="actions", verbose_name=_("axe")
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
    # Derived, never typed: committee.plan.services.progress.action_progress_recompute writes it
    # from the milestones reached and the indicators' values, after every accepted change.
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        editable=False,
        help_text=_("Calculé à partir des jalons atteints et des valeurs des indicateurs."),
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


class Indicator(models.Model):
    """A measured objective of an action: baseline → target, with its current value.

    A manual indicator's value is typed by the secretariat or brought by an accepted partner
    report; a computed one names a computation of committee.plan.computations, refreshed from the
    published initiatives. Either way the action's progress is derived from it.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Saisi")
        COMPUTED = "computed", _("Calculé à partir des initiatives publiées")

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action")
    )
    label = models.CharField(_("intitulé"), max_length=255)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    baseline = models.DecimalField(
        _("valeur de départ"), max_digits=14, decimal_places=2, default=0
    )
    target = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)
    current_value = models.DecimalField(
        _("valeur actuelle"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    computation = models.CharField(_("calcul"), max_length=60, blank=True)
    computation_axis = models.ForeignKey(
        "committee.Axis",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("axe du calcul"),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    value_updated_at = models.DateTimeField(_("valeur mise à jour le"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["action", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["manual", "computed"]), name="indicator_source_valid"
            ),
            models.CheckConstraint(
                condition=(Q(source="manual") & Q(computation=""))
                | (Q(source="computed") & ~Q(computation="")),
                name="indicator_computation_iff_computed",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def attainment(self) -> float | None:
        """Share of the way from baseline to target, clamped to [0, 1]; None without value."""
        if self.current_value is None:
            return None
        span = self.target - self.baseline
        if span == 0:
            return 1.0 if self.current_value >= self.target else 0.0
        share = float((self.current_value - self.baseline) / span)
        return min(1.0, max(0.0, share))

    @property
    def attainment_percent(self) -> int | None:
        share = self.attainment
        return None if share is None else round(share * 100)


class ActionUpdate(models.Model):
    """One entry of an action's update log: what changed, who did it, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Création")
        EDITED = "edited", _("Modification")
        MILESTONE = "milestone", _("Jalon")
        INDICATOR = "indicator", _("Indicateur")
        EVIDENCE = "evidence", _("Preuve")
        REPORT = "report", _("Compte rendu accepté")
        IMPORT = "import", _("Import")
        NOTE = "note", _("Note")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("texte"))
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("mise à jour d'une action")
        verbose_name_plural = _("journal des actions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-created_at"], name="actionupdate_action_created")
        ]

    def __str__(self):
        return f"{self.action_id} — {self.get_kind_display()}"


class PartnerReport(models.Model):
    """What a lead partner reports on an action it leads; it changes the plan once accepted."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Transmis")
        ACCEPTED = "accepted", _("Accepté")
        RETURNED = "returned", _("Renvoyé")

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="partner_reports", verbose_name=_("action")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="plan_reports",
        verbose_name=_("partenaire"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_reports",
        verbose_name=_("auteur"),
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_reports",
        verbose_name=_("jalon atteint"),
    )
    reached_on = models.DateField(_("atteint le"), null=True, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partner_reports",
        verbose_name=_("indicateur"),
    )
    indicator_value = models.DecimalField(
        _("valeur de l'indicateur"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    initiatives = models.ManyToManyField(
        Initiative,
        blank=True,
        related_name="partner_reports",
        verbose_name=_("initiatives apportées comme preuves"),
    )
    account = models.TextField(_("compte rendu"))
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("transmis le"), auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examiné par"),
    )
    review_comment = models.TextField(_("commentaire de l'examen"), blank=True)
    reviewed_at = models.DateTimeField(_("examiné le"), null=True, blank=True)

    class Meta:
        verbose_name = _("compte rendu d'un partenaire")
        verbose_name_plural = _("comptes rendus des partenaires")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "accepted", "returned"]),
                name="partnerreport_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(review_comment=""),
                name="partnerreport_returned_has_comment",
            ),
            models.CheckConstraint(
                condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
                name="partnerreport_reviewed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(milestone__isnull=True) | Q(reached_on__isnull=False),
                name="partnerreport_milestone_has_date",
            ),
            models.CheckConstraint(
                condition=Q(indicator__isnull=True) | Q(indicator_value__isnull=False),
                name="partnerreport_indicator_has_value",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="partnerreport_status_sub"),
            models.Index(fields=["organisation", "-submitted_at"], name="partnerreport_org_sub"),
        ]

    def __str__(self):
        return f"{self.action_id} — {self.organisation_id} ({self.get_status_display()})"


class PlanReview(models.Model):
    """A periodic review of the whole plan by the officials.

    `snapshot` freezes the plan when the review opens
    (committee.plan.services.reviews.plan_snapshot):
    each action's status, progress, milestones and indicators, so that the review — and any
    comparison with another one — still says what was true on that day.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("En cours")
        CLOSED = "closed", _("Close")

    title = models.CharField(_("intitulé"), max_length=200)
    held_on = models.DateField(_("date de la revue"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.OPEN)
    summary = models.TextField(_("synthèse"), blank=True)
    snapshot = models.JSONField(_("état du plan figé"), default=dict, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)

    class Meta:
        verbose_name = _("revue du plan")
        verbose_name_plural = _("revues du plan")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="planreview_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (~Q(summary="") & Q(closed_at__isnull=False)),
                name="planreview_closed_has_summary",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.held_on:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ActionAssessment(models.Model):
    """The officials' judgement of one action during one review."""

    class Rating(models.TextChoices):
        ON_TRACK = "on_track", _("Dans les temps")
        AT_RISK = "at_risk", _("À risque")
        LATE = "late", _("En retard")

    # Worse ratings rank higher: comparing two reviews uses it.
    SEVERITY = {"on_track": 0, "at_risk": 1, "late": 2}

    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="assessments")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="assessments")
    rating = models.CharField(_("appréciation"), max_length=10, choices=Rating.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    next_step = models.TextField(_("prochaine étape"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("mise à jour"), auto_now=True)

    class Meta:
        verbose_name = _("appréciation d'une action")
        verbose_name_plural = _("appréciations des actions")
        ordering = ["review", "action__code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "action"], name="assessment_one_per_action"),
            models.CheckConstraint(
                condition=Q(rating__in=["on_track", "at_risk", "late"]),
                name="assessment_rating_valid",
            ),
        ]

    def __str__(self):
        return f"{self.review_id} — {self.action_id}: {self.rating}"
