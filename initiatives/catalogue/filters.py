"""The catalogue's parameters, shared by the pages, feeds, exports and the API.

Every filter is a single indexed column or an id list (never a join + DISTINCT), and
no filter renders a whole large table into the form: communes and referential items are
typed codes, not selects.
"""

from __future__ import annotations

import copy
from functools import cached_property

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery
from django.core.validators import RegexValidator
from django.db import connection
from django.db.models import Case, IntegerField, Q, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from initiatives.catalogue.choices import catalogue_choices
from initiatives.catalogue.folding import folded_search
from initiatives.catalogue.territories import (
    SCOPES,
    TERRITORY_TEXT_MAX,
    TerritoryFilterMixin,
    TerritoryFormMixin,
)
from initiatives.models import Initiative
from initiatives.text import without_control_characters
from members.models import Organisation
from referentials.models import Territory, TerritoryAlias

MAX_QUERY_LENGTH = 200
COMMUNE_CODE = r"^[0-9][0-9AB][0-9]{3}$"  # INSEE: 2A/2B for Corsica
ITEM_CODE = r"^[A-Za-z0-9_.\-]+$"
SEARCH_CONFIG = "french_unaccent"


class SharedFields(dict):
    """A form class's fields, copied for each form shallowly rather than deeply.

    A form deep-copies its class's fields, choices included (a hundred departments, each
    choice list copied twice, for every catalogue request). The catalogue's form never
    changes a field's choices, validators or messages: each form gets its own field and
    widget objects (attributes it may set stay its own), sharing the rest."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, field in self.items():
            twin = copy.copy(field)
            twin.widget = copy.copy(field.widget)
            twin.widget.attrs = dict(field.widget.attrs)
            twin.error_messages = dict(field.error_messages)
            copies[name] = twin
        return copies


class CatalogueForm(TerritoryFormMixin, forms.Form):
    def clean_partner(self):
        value = (self.cleaned_data.get("partner") or "").strip()
        if not value:
            return ""
        known = {acronym.lower(): acronym for acronym in self.partner_acronyms}
        if value.lower() not in known:
            raise forms.ValidationError(_("Partenaire inconnu : « %(value)s ».") % {"value": value})
        return known[value.lower()]

    def clean_q(self):
        # The limit counts what was sent, spaces included (as the API's schema says).
        if len(self.data.get("q") or "") > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                _("La recherche compte au plus %(max)d caractères.") % {"max": MAX_QUERY_LENGTH}
            )
        return " ".join(without_control_characters(self.cleaned_data.get("q") or "").split())


class CatalogueFilterSet(TerritoryFilterMixin, django_filters.FilterSet):
    SORTS = [
        ("relevance", _("Pertinence")),
        ("newest", _("Les plus récentes")),
        ("title", _("Titre (A → Z)")),
    ]

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_condition",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Mots du titre, du résumé, du texte, d'un territoire ou d'un partenaire."),
    )
    axis = django_filters.TypedChoiceFilter(
        label=_("Axe de travail"), method="filter_condition", coerce=int, empty_value=None
    )
    region = django_filters.ChoiceFilter(label=_("Région"), field_name="region_code")
    department = django_filters.ChoiceFilter(label=_("Département"), field_name="department_code")
    commune = django_filters.CharFilter(
        label=_("Commune (code INSEE)"),
        method="filter_condition",
        max_length=5,
        validators=[
            RegexValidator(
                COMMUNE_CODE,
                _("Un code commune INSEE a 5 caractères, par exemple 69123."),
            )
        ],
    )
    territory = django_filters.CharFilter(
        label=_("Territoire"),
        method="filter_condition",
        max_length=TERRITORY_TEXT_MAX,
        help_text=_(
            "Nom ou code INSEE d'une commune, d'un EPCI, d'un département ou d'une région, "
            "ou code postal d'une commune."
        ),
    )
    territory_scope = django_filters.ChoiceFilter(
        label=_("Initiatives du territoire"),
        choices=SCOPES,
        method="filter_noop",
        empty_label=None,
    )
    collectivity = django_filters.ChoiceFilter(
        label=_("Collectivité porteuse"),
        field_name="collectivity_level",
        choices=Territory.Level.choices,
    )
    school_level = django_filters.ChoiceFilter(
        label=_("Niveau scolaire"), method="filter_condition"
    )
    item = django_filters.CharFilter(
        label=_("Élément de référentiel (code)"),
        method="filter_condition",
        max_length=30,
        validators=[RegexValidator(ITEM_CODE, _("Code d'élément de référentiel invalide."))],
    )
    partner = django_filters.CharFilter(
        label=_("Partenaire du comité"), method="filter_condition", max_length=30
    )
    year = django_filters.TypedChoiceFilter(
        label=_("Année de lancement"), method="filter_condition", coerce=int, empty_value=None
    )
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORTS, method="filter_noop", empty_label=None
    )

    FACETS = ("axis", "region", "department", "collectivity", "school_level", "partner", "year")

    class Meta:
        model = Initiative
        fields: list[str] = []
        form = CatalogueForm

    def __init__(self, data=None, *args, choices=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        choices = choices or catalogue_choices()
        self.choices = choices
        self.filters["axis"].extra["choices"] = [(n, label) for n, label in choices.axes]
        self.filters["region"].extra["choices"] = choices.regions
        region = (data or {}).get("region")
        self.filters["department"].extra["choices"] = choices.departments
        self.department_choices_shown = [
            (code, label)
            for code, label in choices.departments
            if not region or choices.department_region.get(code) == region
        ]
        self.filters["school_level"].extra["choices"] = choices.school_levels
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in choices.years]
        self.form.partner_acronyms = [acronym for acronym, _label in choices.partners]

    # (filterset class, choices) → its form class, built once per catalogue version: the
    # fields depend only on the choices (labels are translated when shown).
    _form_classes: dict = {}

    def get_form_class(self):
        key = type(self)
        known = self._form_classes.get(key)
        if known is not None and known[0] is self.choices:
            return known[1]
        form_class = super().get_form_class()
        form_class.base_fields = SharedFields(form_class.base_fields)
        type(self)._form_classes[key] = (self.choices, form_class)
        return form_class

    # -- filtering -----------------------------------------------------------------------

    @cached_property
    def cleaned(self) -> dict:
        """Valid, non-empty parameters only (invalid ones are reported and ignored).
        Read many times per page (filters, order, cache keys): computed once."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}

    def filter_queryset(self, queryset, exclude: str | set | None = None, *, counting=False):
        """The queryset narrowed by every valid parameter but `exclude` (a name or names);
        `counting`: to be counted or grouped whole, not read in order (see condition)."""
        excluded = {exclude} if isinstance(exclude, str) else set(exclude or ())
        for name, value in self.cleaned.items():
            if name in excluded or name == "sort":
                continue
            queryset = queryset.filter(self.condition(name, value, counting=counting))
        return queryset

    def filtered_without(self, facet: str, *, counting=False):
        return self.filter_queryset(self.queryset.all(), exclude=facet, counting=counting)

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_condition(self, queryset, name, value):
        return queryset.filter(self.condition(name, value))

    def condition(self, name: str, value, *, counting: bool = False) -> Q:
        """The condition a parameter puts on initiatives: an indexed column or an id list,
        never a join that would need DISTINCT. `counting` chooses, where it
        matters, the form that is cheapest over every row rather than along an index."""
        if name == "partner":
            return self._partner_condition(value, counting=counting)
        if name == "q":  # also the territories named by the text and their hierarchy
            return self.with_territory_names(self._q_condition(value), value)
        method = getattr(self, f"_{name}_condition", None)
        if method is None:  # régions, départements, collectivity levels: one column
            return Q(**{self.filters[name].field_name: value})
        return method(value)

    def _q_condition(self, value) -> Q:
        if connection.vendor != "postgresql":
            return folded_search(
                value, ("title", "summary", "description", "lead_collectivity__name")
            )
        return Q(search_vector=SearchQuery(value, search_type="websearch", config=SEARCH_CONFIG))

    # Many-to-many conditions are "id IN (…)": in a WHERE clause PostgreSQL plans it as the
    # semi-join an EXISTS would be, and as a computed value (the facets' flags) it is one
    # hashed id list rather than a subquery run again for every row.
    @staticmethod
    def _axis_condition(value) -> Q:
        through = Initiative.axes.through
        return Q(pk__in=through.objects.filter(axis__number=value).values("initiative_id"))

    @staticmethod
    def _commune_condition(value) -> Q:
        # One indexed id list (UNION), not "lead = X OR EXISTS(…)": an OR across a join
        # and a subquery forces a scan of every published initiative.
        # A former commune's code (or an arrondissement's) stands for the commune it is
        # part of now.
        through = Initiative.territories.through
        commune = (
            Territory.objects.filter(level=Territory.Level.COMMUNE, code=value)
            .order_by()
            .values("pk")
            .union(
                TerritoryAlias.objects.filter(kind__in=TerritoryAlias.CODE_KINDS, value=value)
                .order_by()
                .values("territory_id")
            )
        )
        led = Initiative.objects.filter(lead_collectivity__in=commune)
        covered = through.objects.filter(territory__in=commune)
        return Q(pk__in=_ids(led, "pk").union(_ids(covered, "initiative_id")))

    @staticmethod
    def _school_level_condition(value) -> Q:
        through = Initiative.school_levels.through
        return Q(pk__in=through.objects.filter(schoollevel__code=value).values("initiative_id"))

    @staticmethod
    def _item_condition(value) -> Q:
        through = Initiative.referential_items.through
        return Q(pk__in=through.objects.filter(referentialitem__code=value).values("initiative_id"))

    @staticmethod
    def _partner_condition(value, *, counting: bool) -> Q:
        """Led or partnered. To count: one id list from two index-only scans (UNION). To
        read a page along an index: the organisation looked up once and its partnerships
        as a hashed id list, a cheap test on each row walked (the union would be built
        whole first)."""
        through = Initiative.partners.through
        if counting:
            led = Initiative.objects.filter(lead_organisation__acronym=value)
            partnered = through.objects.filter(organisation__acronym=value)
            return Q(pk__in=_ids(led, "pk").union(_ids(partnered, "initiative_id")))
        organisation = Subquery(Organisation.objects.filter(acronym=value).values("pk")[:1])
        partnered = through.objects.filter(organisation_id=organisation).values("initiative_id")
        return Q(lead_organisation_id=organisation) | Q(pk__in=partnered)

    @staticmethod
    def _year_condition(value) -> Q:
        return Q(start_year=value)

    # -- ordering ------------------------------------------------------------------------

    @property
    def sort_order(self) -> str:
        sort = self.cleaned.get("sort") or ""
        if sort == "relevance" and not self.cleaned.get("q"):
            return "newest"
        return sort or ("relevance" if self.cleaned.get("q") else "newest")

    # Relevance is a tier, then the date: all the words in the title, then in the title or
    # the summary, then anywhere else (body, outcomes, territory, organisation); the newest
    # first within a tier. Each tier is one small indexed vector, so a page reads its rows
    # from the indexes in order instead of ranking every match (a word found in most rows
    # would mean reading them all).
    TIERS = ("title_vector", "head_vector")

    @property
    def relevance(self) -> bool:
        return self.sort_order == "relevance" and self.search_query() is not None

    def ordered(self, queryset):
        sort = self.sort_order
        if sort == "title":
            return queryset.order_by("title", "pk")
        if self.relevance:
            query = self.search_query()
            tier = Case(
                *(When(**{field: query}, then=Value(n)) for n, field in enumerate(self.TIERS)),
                default=Value(len(self.TIERS)),
                output_field=IntegerField(),
            )
            return queryset.annotate(tier=tier).order_by("tier", "-published_at", "-pk")
        if self.territory_local_first():  # inside the territory first, then covering it
            return queryset.annotate(tier=self.territory_tier()).order_by(
                "tier", "-published_at", "-pk"
            )
        # Published rows always have published_at (constraint initiative_published_has_date):
        # plain DESC matches the (status, …, published_at DESC, id DESC) indexes.
        return queryset.order_by("-published_at", "-pk")

    def page_ids(self, queryset, bottom: int, top: int):
        """The primary keys of rows bottom..top of `queryset` in catalogue order, as a
        subquery: the page is then one statement, reading only its own rows in full."""
        if not self.relevance:
            return self.ordered(queryset).values("pk")[bottom:top]
        query = self.search_query()
        branches, before = [], Q()
        for n, field in enumerate([*self.TIERS, None]):
            branch = queryset.filter(**{field: query}) if field else queryset
            branches.append(
                branch.exclude(before)
                .annotate(tier=Value(n, output_field=IntegerField()))
                .order_by("-published_at", "-pk")
                .values_list("pk", "tier", "published_at")[:top]
            )
            if field:
                before |= Q(**{field: query})
        union = branches[0].union(*branches[1:], all=True)
        sql, params = union.query.sql_with_params()
        return RawSQL(  # noqa: S611 - composed of Django-compiled SQL; values are parameters
            f"SELECT u.pk FROM ({sql}) u "  # noqa: S608
            "ORDER BY u.tier, u.published_at DESC, u.pk DESC LIMIT %s OFFSET %s",
            [*params, top - bottom, bottom],
        )

    def search_query(self) -> SearchQuery | None:
        if self.cleaned.get("q") and connection.vendor == "postgresql":
            return SearchQuery(self.cleaned["q"], search_type="websearch", config=SEARCH_CONFIG)
        return None


def _ids(queryset, field: str):
    """One column, unordered: a branch of a UNION (SQLite refuses an ORDER BY there)."""
    return queryset.order_by().values(field)


def normalise_params(data) -> dict[str, str]:
    """The catalogue parameters of a query dict, stripped, without page or empties."""
    keep = {*CatalogueFilterSet.base_filters}
    return {k: data.get(k, "").strip() for k in sorted(keep) if data.get(k, "").strip()}
