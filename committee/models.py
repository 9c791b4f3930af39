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
    # Derived, never typed: committee.plan_services.action_progress_recompute writes it
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


# -- the action plan's follow-up: indicators, update log, partner reports, reviews -------------


class Indicator(models.Model):
    """A measured objective of an action: baseline → target, with its current value.

    A manual indicator's value is typed by the secretariat or brought by an accepted partner
    report; a computed one names a computation of committee.indicators, refreshed from the
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
        Axis,
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

    `snapshot` freezes the plan when the review opens (committee.plan_services.plan_snapshot):
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


def contribution_document_upload_to(instance, filename):
    """Server-side random names: nothing of the uploaded name reaches the file system."""
    return f"contributions/{instance.contribution_id}/{uuid.uuid4().hex}"


class ContributionDocument(models.Model):
    """A file of a policy contribution: private until the contribution is published."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=contribution_document_upload_to, max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document d'une contribution")
        verbose_name_plural = _("documents des contributions")
        ordering = ["contribution", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=10 * 1024 * 1024),
                name="contributiondocument_size_cap",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse(
            "contribution_document",
            kwargs={"slug": self.contribution.slug, "pk": self.pk},
        )

    @property
    def is_public(self) -> bool:
        return self.contribution.status == Contribution.Status.PUBLISHED
