"""Territories of the INSEE Code officiel géographique and the national referentials."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Territory(models.Model):
    """A région, département, EPCI or commune of the COG.

    `region_code` and `department_code` are copied onto every row (a région carries its own
    code) so that "everything in this région" is one indexed equality, whatever the level.
    """

    class Level(models.TextChoices):
        REGION = "region", _("Région")
        DEPARTMENT = "department", _("Département")
        EPCI = "epci", _("Intercommunalité (EPCI)")
        COMMUNE = "commune", _("Commune")

    level = models.CharField(_("niveau"), max_length=10, choices=Level.choices)
    code = models.CharField(_("code INSEE"), max_length=9)
    name = models.CharField(_("nom"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattachement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Commune → département, département → région, EPCI → département du siège."),
    )
    epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_communes",
        limit_choices_to={"level": "epci"},
    )
    region_code = models.CharField(_("code région"), max_length=3, blank=True)
    department_code = models.CharField(_("code département"), max_length=3, blank=True)
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    epci_kind = models.CharField(_("nature de l'EPCI"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="territory_level_code_unique"),
            models.CheckConstraint(
                condition=models.Q(level__in=["region", "department", "epci", "commune"]),
                name="territory_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(level="region", parent__isnull=True)
                | (~models.Q(level="region") & models.Q(parent__isnull=False)),
                name="territory_parent_except_regions",
            ),
        ]
        indexes = [
            models.Index(fields=["region_code", "level"]),
            models.Index(fields=["department_code", "level"]),
            models.Index(fields=["level", "name"]),
            # Codes typed in the autocomplete: "33" finds 33 and 33xxx (LIKE 'x%' on PostgreSQL).
            models.Index(
                fields=["code"], name="territory_code_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        if self.level == self.Level.DEPARTMENT:
            return f"{self.name} ({self.code})"
        if self.level == self.Level.COMMUNE:
            return f"{self.name} ({self.department_code})"
        return self.name

    POPULATION_BANDS = (
        (0, 2_000, _("moins de 2 000 habitants")),
        (2_000, 10_000, _("2 000 à 10 000 habitants")),
        (10_000, 50_000, _("10 000 à 50 000 habitants")),
        (50_000, 200_000, _("50 000 à 200 000 habitants")),
        (200_000, 1_000_000, _("200 000 à 1 million d'habitants")),
        (1_000_000, None, _("plus d'un million d'habitants")),
    )

    @classmethod
    def band_of(cls, population: int) -> int:
        """Index in POPULATION_BANDS of the band this population falls in."""
        for index, (_low, high, _label) in enumerate(cls.POPULATION_BANDS):
            if high is None or population < high:
                return index
        raise AssertionError("unreachable")

    @property
    def population_band(self) -> tuple[int, int | None, str]:
        return self.POPULATION_BANDS[self.band_of(self.population)]


class TerritoryAlias(models.Model):
    """Another code a commune is found by: a postcode (La Poste), the INSEE code of a former
    commune merged into it, or that of one of its arrondissements municipaux.

    Loaded with the territories (`load_territories`) from `data/commune_aliases.csv.xz`; the
    index leads on `value` because what a person types is looked up whatever its kind.
    """

    class Kind(models.TextChoices):
        POSTCODE = "postcode", _("Code postal")
        FORMER_CODE = "former_code", _("Code INSEE d'une ancienne commune")
        DISTRICT_CODE = "district_code", _("Code INSEE d'un arrondissement municipal")

    # Codes that once designated a commune of their own: their pages redirect to this one.
    CODE_KINDS = (Kind.FORMER_CODE, Kind.DISTRICT_CODE)

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="aliases",
        limit_choices_to={"level": "commune"},
    )
    kind = models.CharField(_("nature"), max_length=15, choices=Kind.choices)
    value = models.CharField(_("code"), max_length=10)
    name = models.CharField(
        _("nom"),
        max_length=200,
        blank=True,
        help_text=_("Nom de l'ancienne commune ou de l'arrondissement, quand il est connu."),
    )

    class Meta:
        verbose_name = _("autre code de commune")
        verbose_name_plural = _("autres codes de communes")
        ordering = ["territory", "kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["value", "kind", "territory"], name="territory_alias_unique"
            ),
            # A former or arrondissement code designates one commune; a postcode may be shared.
            models.UniqueConstraint(
                fields=["value", "kind"],
                condition=~models.Q(kind="postcode"),
                name="territory_alias_code_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["postcode", "former_code", "district_code"]),
                name="territory_alias_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value}"


class Referential(models.Model):
    """One version of a national referential (axis 4)."""

    class Kind(models.TextChoices):
        RESOURCES = "resources", _("Ressources")
        EQUIPMENT = "equipment", _("Équipements")
        USAGES = "usages", _("Usages")
        TRAINING = "training", _("Formations")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Projet")
        IN_FORCE = "in_force", _("En vigueur")
        ARCHIVED = "archived", _("Archivé")

    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, db_index=True)
    slug = models.SlugField(_("identifiant"), max_length=60)
    name = models.CharField(_("nom"), max_length=255)
    version = models.CharField(_("version"), max_length=20)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("présentation"), blank=True)
    source_url = models.URLField(_("source"), blank=True)
    in_force_from = models.DateField(_("en vigueur depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("référentiel")
        verbose_name_plural = _("référentiels")
        ordering = ["kind", "slug", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="referential_version_unique"),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status="in_force"),
                name="referential_one_version_in_force",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "in_force", "archived"]),
                name="referential_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class ReferentialItem(models.Model):
    """A coded item of a referential, in a hierarchy (domain → competence → …)."""

    referential = models.ForeignKey(
        Referential, on_delete=models.CASCADE, related_name="items", verbose_name=_("référentiel")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("élément parent"),
    )
    code = models.CharField(_("code"), max_length=30)
    label = models.CharField(_("intitulé"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    depth = models.PositiveSmallIntegerField(_("profondeur"), default=0)

    class Meta:
        verbose_name = _("élément de référentiel")
        verbose_name_plural = _("éléments de référentiel")
        ordering = ["referential", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["referential", "code"], name="item_code_unique"),
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self):
        return f"{self.code} — {self.label}"
