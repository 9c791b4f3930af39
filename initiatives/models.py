"""Territorial digital-education initiatives, their documents and their lifecycle record."""

import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models import Organisation
from referentials.models import ReferentialItem, Territory


class SchoolLevel(models.Model):
    """A level of schooling; who equips it follows from it (communes, départements, régions)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    label = models.CharField(_("intitulé"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("niveau scolaire")
        verbose_name_plural = _("niveaux scolaires")
        ordering = ["position"]

    def __str__(self):
        return self.label


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")
    IN_REVIEW = "in_review", _("En instruction")
    CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
    PUBLISHED = "published", _("Publiée")
    REJECTED = "rejected", _("Refusée")
    ARCHIVED = "archived", _("Archivée")


# Neither drafts nor published: in the review pipeline, or out of it (refused, archived).
REVIEWED = [
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.REJECTED,
    Status.ARCHIVED,
]


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Initiative(models.Model):
    """A territorial experience shared in the committee's catalogue."""

    Status = Status

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=220, unique=True)
    summary = models.CharField(_("résumé"), max_length=500)
    description = models.TextField(_("description (Markdown)"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="led_initiatives",
        verbose_name=_("association porteuse"),
    )
    lead_collectivity = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        related_name="led_initiatives",
        verbose_name=_("collectivité porteuse"),
    )
    territories = models.ManyToManyField(
        Territory, blank=True, related_name="covering_initiatives", verbose_name=_("territoires")
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_initiatives",
        verbose_name=_("partenaires du comité associés"),
    )
    axes = models.ManyToManyField(
        "committee.Axis", related_name="initiatives", verbose_name=_("axes de travail")
    )
    school_levels = models.ManyToManyField(
        SchoolLevel, blank=True, related_name="initiatives", verbose_name=_("niveaux scolaires")
    )
    referential_items = models.ManyToManyField(
        ReferentialItem,
        blank=True,
        related_name="initiatives",
        verbose_name=_("éléments de référentiels mis en œuvre"),
    )
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    funding_sources = models.TextField(_("sources de financement"), blank=True)
    schools_reached = models.PositiveIntegerField(_("écoles et établissements"), default=0)
    pupils_reached = models.PositiveIntegerField(_("élèves concernés"), default=0)
    outcomes = models.TextField(_("résultats et enseignements"), blank=True)
    contact_name = models.CharField(_("contact : nom"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact : adresse électronique"), blank=True)
    contact_phone = models.CharField(_("contact : téléphone"), max_length=30, blank=True)
    contact_consent = models.BooleanField(
        _("le contact accepte que ses coordonnées soient publiées"), default=False
    )
    # Copied from the lead collectivity so public filters are single indexed columns.
    collectivity_level = models.CharField(
        _("niveau de collectivité"), max_length=10, choices=Territory.Level.choices, editable=False
    )
    region_code = models.CharField(_("code région"), max_length=3, editable=False)
    department_code = models.CharField(_("code département"), max_length=3, editable=False)
    # Index in Territory.POPULATION_BANDS of the lead collectivity's population: "comparable
    # territories" is then one index range, not a join on 36,000 territories.
    population_band = models.PositiveSmallIntegerField(
        _("tranche de population"), default=0, editable=False
    )
    # Year of start_date, for the year filter and facet (an equality on an indexed column).
    start_year = models.PositiveSmallIntegerField(
        _("année de lancement"), null=True, editable=False
    )

    # Maintained by the database (a PostgreSQL trigger, see migrations 0005 and 0008): title
    # (A), summary (B), body and outcomes (C), territory and organisation names (D). The two
    # small vectors of the title alone and of title + summary rank the matches (relevance
    # tiers, see CatalogueFilterSet.page_ids). Unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    title_vector = SearchVectorField(null=True, editable=False)
    head_vector = SearchVectorField(null=True, editable=False)

    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_initiatives",
        verbose_name=_("créée par"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_initiatives",
        verbose_name=_("instructeur assigné"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    status_changed_at = models.DateTimeField(_("statut changé le"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("soumise le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    objects = InitiativeQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "title_vector",
            "head_vector",
            "population_band",
            "start_year",
            "updated_at",
        ],
        m2m_fields=[axes, school_levels, referential_items, territories, partners],
        cascade_delete_history=True,
    )

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="initiative_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="initiative_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="initiative_budget_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="initiative_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(contact_consent=True) | Q(contact_email="", contact_phone=""),
                name="initiative_contact_needs_consent",
                violation_error_message=_(
                    "Des coordonnées de contact ne peuvent être enregistrées sans consentement."
                ),
            ),
        ]
        indexes = [
            # A filter on one column, then the catalogue's order: the index gives the page
            # directly, whatever the correlation between the filter and the dates.
            models.Index(fields=["status", "-published_at", "-id"], name="initiative_status_pub"),
            models.Index(
                fields=["status", "region_code", "-published_at", "-id"],
                name="initiative_status_region",
            ),
            models.Index(
                fields=["status", "department_code", "-published_at", "-id"],
                name="initiative_status_dept",
            ),
            models.Index(
                fields=["status", "collectivity_level", "-published_at", "-id"],
                name="initiative_status_level",
            ),
            models.Index(
                fields=["status", "start_year", "-published_at", "-id"],
                name="initiative_status_year",
            ),
            models.Index(
                fields=["status", "collectivity_level", "population_band", "-published_at", "-id"],
                name="initiative_comparable",
            ),
            # Sorted by title, filtered on copied columns: the rows walked are tested from
            # the index alone, without reading each one from the table.
            models.Index(
                fields=["status", "title", "id"],
                include=[
                    "collectivity_level",
                    "lead_organisation",
                    "region_code",
                    "department_code",
                    "start_year",
                ],
                name="initiative_status_title",
            ),
            # With the id: "the initiatives an organisation leads" (the partner filter's
            # id list, the workspace) is read from the index alone.
            models.Index(
                fields=["lead_organisation", "status", "id"], name="initiative_org_status"
            ),
            models.Index(fields=["status", "submitted_at"], name="initiative_status_submitted"),
            # The initiatives in the review pipeline (neither drafts nor published: a few
            # thousand rows): the steering statistics group them by these columns, read from
            # this small index alone rather than from rows spread over the whole table.
            models.Index(
                fields=["status", "id"],
                include=[
                    "region_code",
                    "department_code",
                    "collectivity_level",
                    "start_year",
                    "lead_organisation",
                    "lead_collectivity",
                    "submitted_at",
                    "published_at",
                ],
                condition=Q(status__in=REVIEWED),
                name="initiative_reviewed",
            ),
            GinIndex(fields=["search_vector"], name="initiative_search_gin"),
            GinIndex(fields=["title_vector"], name="initiative_title_gin"),
            GinIndex(fields=["head_vector"], name="initiative_head_gin"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.copy_territory_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = set()
            if "lead_collectivity" in update_fields:
                derived |= {
                    "collectivity_level",
                    "region_code",
                    "department_code",
                    "population_band",
                }
            if "start_date" in update_fields:
                derived.add("start_year")
            kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("initiatives:detail", kwargs={"slug": self.slug})

    def copy_territory_fields(self) -> None:
        """The columns derived from the lead collectivity and the start date."""
        territory = self.lead_collectivity
        self.collectivity_level = territory.level
        self.region_code = territory.region_code
        self.department_code = territory.department_code
        self.population_band = Territory.band_of(territory.population)
        self.start_year = self.start_date.year if self.start_date else None

    @property
    def year(self) -> int | None:
        return self.start_date.year if self.start_date else None

    @property
    def public_contact(self) -> dict | None:
        if not self.contact_consent or not (self.contact_email or self.contact_phone):
            return None
        return {"name": self.contact_name, "email": self.contact_email, "phone": self.contact_phone}


def document_upload_to(instance, filename):
    """Server-side names only: nothing of the uploaded name reaches the file system."""
    return f"documents/{instance.initiative_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    """A file attached to an initiative, private until the initiative is published."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64, blank=True)
    is_public = models.BooleanField(_("public une fois l'initiative publiée"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=10 * 1024 * 1024), name="document_size_cap"
            ),
        ]

    def __str__(self):
        return self.title


class StatusChange(models.Model):
    """One transition of an initiative's lifecycle: who, when, from, to, why."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("de"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("vers"), max_length=20, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("changements de statut")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["initiative", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="status_change_moves"
            ),
        ]

    def __str__(self):
        return f"{self.initiative_id}: {self.from_status or '∅'} → {self.to_status}"


class Comment(models.Model):
    """A message of the private thread between reviewers and the association."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    author_organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["initiative", "created_at"])]

    def __str__(self):
        return f"{self.author} — {self.created_at:%Y-%m-%d %H:%M}"


def axis_model():
    """The committee's Axis model, reached through the relation: initiatives sits below the
    committee app and refers to it by string only (docs/architecture.md)."""
    return Initiative._meta.get_field("axes").related_model
