"""Read-only views of the open-data API.

Only published initiatives are reachable. The initiatives list takes exactly the catalogue's
parameters (`CatalogueFilterSet`); an invalid value answers 400 with the reason rather than
being ignored, so that a client never mistakes a whole catalogue for the search it asked for.
Every list costs a constant number of queries, whatever the page size.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from committee.api import serializers as s
from committee.api.common import (
    CatalogueFilterBackend,
    PublicReadOnly,
    catalogue_filterset,
    text_param,
)
from committee.api.territories import (
    TerritoryDetailSerializer,
    postcodes_prefetch,
    territory_detail_data,
)
from committee.axes import Axis
from committee.plan.models import Action, Milestone
from initiatives.catalogue import bitmaps
from initiatives.catalogue.filters import MAX_QUERY_LENGTH
from initiatives.catalogue.opendata import export_values, records
from initiatives.catalogue.selectors import catalogue_count
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives
from members.models import Organisation
from referentials.hierarchy import CODE_PATTERN, successor_of
from referentials.models import Referential, ReferentialItem, Territory, TerritoryAlias
from referentials.search import alias_matches


def _param(name, type_, description, enum=None):
    return OpenApiParameter(
        name, type_, OpenApiParameter.QUERY, required=False, description=description, enum=enum
    )


CATALOGUE_PARAMETERS = [
    _param(
        "q",
        OpenApiTypes.STR,
        format_lazy(
            _(
                "Recherche plein texte en français (titre, résumé, texte, territoire, "
                "partenaire), insensible aux accents ; {max} caractères au plus."
            ),
            max=MAX_QUERY_LENGTH,
        ),
    ),
    _param("axis", OpenApiTypes.INT, _("Numéro de l'axe de travail (1 à 6)."), [1, 2, 3, 4, 5, 6]),
    _param("region", OpenApiTypes.STR, _("Code INSEE de la région de la collectivité porteuse.")),
    _param(
        "department", OpenApiTypes.STR, _("Code INSEE du département de la collectivité porteuse.")
    ),
    _param(
        "commune",
        OpenApiTypes.STR,
        _(
            "Code INSEE d'une commune (5 caractères) : porteuse ou couverte par l'initiative. "
            "Le code d'une ancienne commune (fusionnée dans une commune nouvelle) ou d'un "
            "arrondissement municipal désigne la commune dont il fait partie aujourd'hui."
        ),
    ),
    _param(
        "territory",
        OpenApiTypes.STR,
        _(
            "Territoire : clé (commune-33063, epci-243300316, departement-33, region-75), "
            "code INSEE, code postal ou nom ; la réponse indique le territoire retenu (champ "
            "territory). La clé d'une ancienne commune (commune-01340) désigne la commune "
            "nouvelle ; un texte qui désigne plusieurs territoires (un code postal partagé, "
            "par exemple) répond 404 en le disant."
        ),
    ),
    _param(
        "territory_scope",
        OpenApiTypes.STR,
        _(
            "Avec territory : inside (initiatives dans le territoire), covering (celles de ses "
            "territoires parents), all (les deux, celles du territoire d'abord ; par défaut)."
        ),
        ["all", "inside", "covering"],
    ),
    _param(
        "collectivity",
        OpenApiTypes.STR,
        _("Niveau de la collectivité porteuse."),
        [level for level, _label in Territory.Level.choices],
    ),
    _param(
        "school_level",
        OpenApiTypes.STR,
        _("Code du niveau scolaire (par exemple maternelle, elementaire, college, lycee)."),
    ),
    _param("item", OpenApiTypes.STR, _("Code d'un élément de référentiel national (ex. 2.3).")),
    _param(
        "partner",
        OpenApiTypes.STR,
        _("Sigle d'un partenaire du comité, porteur ou associé (casse indifférente)."),
    ),
    _param("year", OpenApiTypes.INT, _("Année de lancement de l'initiative.")),
    _param(
        "sort",
        OpenApiTypes.STR,
        _("Ordre : relevance (avec q), newest (par défaut sans q) ou title."),
        ["relevance", "newest", "title"],
    ),
]


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@extend_schema_view(
    list=extend_schema(
        summary=_("Initiatives publiées, filtrées comme le catalogue"),
        parameters=CATALOGUE_PARAMETERS,
        responses={200: s.InitiativeSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary=_("Une initiative publiée"), responses={200: s.InitiativeDetailSerializer}
    ),
)
class InitiativeViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    """Published initiatives, with the same columns as the open-data exports."""

    serializer_class = s.InitiativeSerializer
    filter_backends = [CatalogueFilterBackend]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return published_initiatives()

    def list(self, request, *args, **kwargs):
        filterset = catalogue_filterset(request, self.get_queryset())
        self.catalogue_filterset = filterset
        selection = self._selection(filterset)
        if selection is not None:
            # The count and the page's ids from the catalogue's bitmaps, as on the catalogue
            # page; the rows read by their ids and put in that order. No queryset of the
            # filters is built.
            def rows(ids: list[int]) -> list[dict]:
                found = export_values(published_initiatives().filter(pk__in=ids).order_by())
                position = {pk: n for n, pk in enumerate(ids)}
                return sorted(found, key=lambda row: position[row["pk"]])

            self.paginator.known_count = len(selection.result)
            self.paginator.page_ids = selection.paginate
            self.paginator.rows = rows
            page = self.paginate_queryset(())
        else:
            filtered = filterset.ordered(filterset.qs)
            # The catalogue page's cached count (same parameters, same key): no COUNT(*)
            # over the export's joins on every call.
            self.paginator.known_count = catalogue_count(request.query_params, filtered)
            self.paginator.page_ids = filterset.page_ids
            page = self.paginate_queryset(export_values(filtered))
        data = records(list(page), base_url=_base_url(request))
        response = self.get_paginated_response(self.get_serializer(data, many=True).data)
        applied = filterset.applied_territory()
        if applied:  # which territory, and which scope, the list was filtered on
            response.data["territory"] = applied
        return response

    @staticmethod
    def _selection(filterset):
        """The bitmaps' answer, but for a search (its relevance tiers are read by SQL) or
        the title order."""
        if filterset.sort_order == "title" or filterset.cleaned.get("q"):
            return None
        return bitmaps.selection(filterset)

    def retrieve(self, request, slug=None, *args, **kwargs):
        rows = list(export_values(self.get_queryset().filter(slug=slug), with_contact=True))
        if not rows:
            raise Http404
        data = records(rows, base_url=_base_url(request), with_contact=True)[0]
        return Response(s.InitiativeDetailSerializer(data).data)


TERRITORY_PARAMETERS = [
    _param(
        "level",
        OpenApiTypes.STR,
        _("Niveau : region, department, epci ou commune."),
        [level for level, _label in Territory.Level.choices],
    ),
    _param("code", OpenApiTypes.STR, _("Code INSEE exact (SIREN pour un EPCI).")),
    _param("region", OpenApiTypes.STR, _("Code INSEE de la région.")),
    _param("department", OpenApiTypes.STR, _("Code INSEE du département.")),
    _param("epci", OpenApiTypes.STR, _("SIREN d'un EPCI : ses communes membres.")),
    _param(
        "q",
        OpenApiTypes.STR,
        _(
            "Partie du nom, sans tenir compte des accents ni de la casse ; ou un code : le "
            "territoire de ce code INSEE d'abord, puis (5 caractères) les communes de ce code "
            "postal et celle dont fait partie l'ancienne commune ou l'arrondissement municipal "
            "de ce code."
        ),
    ),
]


class TerritoryQuery:
    """Territory filters: every one an indexed column, validated before use."""

    LEVELS = {level for level, _label in Territory.Level.choices}

    @classmethod
    def apply(cls, queryset, params):
        errors = {}
        level = params.get("level", "").strip()
        if level and level not in cls.LEVELS:
            errors["level"] = [str(_("Niveau inconnu : region, department, epci ou commune."))]
        values = {
            name: text_param(params, name, errors)
            for name in ("code", "region", "department", "epci", "q")
        }
        if errors:
            raise ValidationError(errors)
        if level:
            queryset = queryset.filter(level=level)
        if values["code"]:
            queryset = queryset.filter(code=values["code"])
        if values["region"]:
            queryset = queryset.filter(region_code=values["region"])
        if values["department"]:
            queryset = queryset.filter(department_code=values["department"])
        if values["epci"]:  # the member communes of an EPCI (SIREN)
            queryset = queryset.filter(epci__code=values["epci"], epci__level="epci")
        if values["q"]:
            lookup = (
                "name__unaccent__icontains"
                if connection.vendor == "postgresql"
                else ("name__icontains")
            )
            condition = Q(**{lookup: values["q"]})
            code = values["q"].upper()
            if CODE_PATTERN.match(code):
                # Its INSEE code first, then the communes of this postcode, then the one a
                # former or arrondissement code belongs to (one indexed query for the ids).
                aliases = alias_matches(code)
                postcodes = [
                    pk for pk, m in aliases.items() if m.kind == TerritoryAlias.Kind.POSTCODE
                ]
                condition |= Q(code=code) | Q(pk__in=list(aliases))
                queryset = queryset.annotate(
                    code_match=Case(
                        When(code=code, then=Value(0)),
                        When(pk__in=postcodes, then=Value(1)),
                        When(pk__in=list(aliases), then=Value(2)),
                        default=Value(3),
                        output_field=IntegerField(),
                    )
                ).order_by("code_match", "level", "code")
            queryset = queryset.filter(condition)
        return queryset


@extend_schema_view(
    list=extend_schema(
        summary=_("Territoires du Code officiel géographique"),
        parameters=TERRITORY_PARAMETERS,
        responses={200: s.TerritorySerializer(many=True)},
    )
)
class TerritoryViewSet(PublicReadOnly, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Régions, départements, EPCI and communes (INSEE), always paginated."""

    serializer_class = s.TerritorySerializer

    def get_queryset(self):
        queryset = (
            Territory.objects.select_related("parent", "epci")
            .prefetch_related(postcodes_prefetch())
            .order_by("level", "code")
        )
        return TerritoryQuery.apply(queryset, self.request.query_params)


@extend_schema(
    summary=_("Un territoire, par niveau et code INSEE : parents, enfants, initiatives"),
    responses={200: TerritoryDetailSerializer},
)
class TerritoryDetail(PublicReadOnly, generics.RetrieveAPIView):
    serializer_class = TerritoryDetailSerializer
    queryset = Territory.objects.select_related("parent", "epci").prefetch_related(
        Prefetch("aliases", queryset=TerritoryAlias.objects.order_by("kind", "value"))
    )

    def retrieve(self, request, *args, **kwargs):
        return Response(territory_detail_data(self.get_object(), request))

    def get_object(self):
        level, code = self.kwargs["level"], self.kwargs["code"]
        if level not in TerritoryQuery.LEVELS or "\x00" in code:
            raise Http404
        try:
            return self.get_queryset().get(level=level, code=code)
        except Territory.DoesNotExist:
            successor = successor_of(code) if level == Territory.Level.COMMUNE else None
            if successor is None:
                raise Http404 from None
        # A former commune's code: not a resource of its own, but the answer says where to go.
        values = {
            "code": code,
            "former": successor.former.name,
            "name": successor.name,
            "new_code": successor.code,
            "url": self.request.build_absolute_uri(
                reverse(
                    "api:territory-detail",
                    kwargs={"level": successor.level, "code": successor.code},
                )
            ),
        }
        if successor.former.name:
            message = _(
                "%(code)s n'est pas le code INSEE d'une commune actuelle : %(former)s fait "
                "partie de la commune %(name)s (code INSEE %(new_code)s), décrite à l'adresse "
                "%(url)s."
            )
        else:
            message = _(
                "%(code)s n'est pas le code INSEE d'une commune actuelle : c'est un ancien code, "
                "rattaché aujourd'hui à la commune %(name)s (code INSEE %(new_code)s), décrite "
                "à l'adresse %(url)s."
            )
        raise NotFound(message % values)


def _published_count(through, column: str):
    counts = (
        through.objects.filter(
            **{column: OuterRef("pk")}, initiative__status=Initiative.Status.PUBLISHED
        )
        .order_by()
        .values(column)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


@extend_schema_view(
    list=extend_schema(
        summary=_("Référentiels nationaux (en vigueur et archivés) avec leurs éléments"),
        parameters=[
            _param(
                "kind",
                OpenApiTypes.STR,
                _("Nature du référentiel."),
                [kind for kind, _label in Referential.Kind.choices],
            ),
            _param("slug", OpenApiTypes.STR, _("Identifiant du référentiel (toutes versions).")),
            _param(
                "status", OpenApiTypes.STR, _("Statut de la version."), ["in_force", "archived"]
            ),
        ],
    ),
    retrieve=extend_schema(summary=_("Une version de référentiel")),
)
class ReferentialViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    """Versions of the national referentials; drafts stay internal until adopted."""

    serializer_class = s.ReferentialSerializer

    def get_queryset(self):
        items = ReferentialItem.objects.annotate(
            parent_code=Subquery(
                ReferentialItem.objects.filter(pk=OuterRef("parent_id")).values("code")[:1]
            ),
            published_initiatives=_published_count(
                Initiative.referential_items.through, "referentialitem_id"
            ),
        ).order_by("position", "code")
        queryset = (
            Referential.objects.exclude(status=Referential.Status.DRAFT)
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("kind", "slug", "-version")
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        allowed = {
            "kind": set(Referential.Kind.values),
            "status": {Referential.Status.IN_FORCE, Referential.Status.ARCHIVED},
        }
        errors = {}
        for name in ("kind", "slug", "status"):
            value = text_param(params, name, errors)
            if not value:
                continue
            if name in allowed and value not in allowed[name]:
                errors[name] = [
                    str(
                        _("Valeur inconnue : %(values)s.")
                        % {"values": ", ".join(sorted(allowed[name]))}
                    )
                ]
            else:
                queryset = queryset.filter(**{name: value})
        if errors:
            raise ValidationError(errors)
        return queryset


@extend_schema_view(
    list=extend_schema(summary=_("Partenaires du comité")),
    retrieve=extend_schema(summary=_("Un partenaire du comité")),
)
class OrganisationViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.OrganisationSerializer
    queryset = Organisation.objects.order_by("acronym")
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"


@extend_schema_view(
    list=extend_schema(summary=_("Les six axes de travail du comité")),
    retrieve=extend_schema(summary=_("Un axe de travail")),
)
class AxisViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AxisSerializer
    queryset = Axis.objects.order_by("number")
    lookup_field = "number"
    lookup_value_regex = "[1-6]"


@extend_schema_view(
    list=extend_schema(
        summary=_("Actions du plan du comité"),
        parameters=[
            _param("axis", OpenApiTypes.INT, _("Numéro de l'axe (1 à 6)."), [1, 2, 3, 4, 5, 6]),
            _param(
                "status",
                OpenApiTypes.STR,
                _("Statut de l'action."),
                [status for status, _label in Action.Status.choices],
            ),
            _param("partner", OpenApiTypes.STR, _("Sigle d'un partenaire pilote.")),
        ],
        responses={200: s.ActionSerializer(many=True)},
    ),
    retrieve=extend_schema(summary=_("Une action du plan")),
)
class ActionViewSet(PublicReadOnly, viewsets.ReadOnlyModelViewSet):
    """The committee's action plan, with milestones and the published evidence."""

    serializer_class = s.ActionSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/\\x00-\\x1f]+"  # no control character reaches the database

    def get_queryset(self):
        queryset = (
            Action.objects.select_related("axis")
            .prefetch_related(
                Prefetch("lead_partners", queryset=Organisation.objects.order_by("acronym")),
                Prefetch("milestones", queryset=Milestone.objects.order_by("position", "due_date")),
                Prefetch(
                    "initiatives",
                    queryset=published_initiatives().order_by("-published_at").only("slug"),
                ),
            )
            .order_by("axis__number", "code")
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        errors = {}
        axis = params.get("axis", "").strip()
        if axis:
            if axis not in {"1", "2", "3", "4", "5", "6"}:
                errors["axis"] = [str(_("Un numéro d'axe va de 1 à 6."))]
            else:
                queryset = queryset.filter(axis__number=int(axis))
        status = params.get("status", "").strip()
        if status:
            if status not in Action.Status.values:
                errors["status"] = [str(_("Statut d'action inconnu."))]
            else:
                queryset = queryset.filter(status=status)
        partner = text_param(params, "partner", errors, max_length=30)
        if partner:
            pilots = Action.lead_partners.through.objects.filter(
                action_id=OuterRef("pk"), organisation__acronym__iexact=partner
            )
            queryset = queryset.filter(Exists(pilots))
        if errors:
            raise ValidationError(errors)
        return queryset
