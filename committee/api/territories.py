"""The territory resource's detail: a territory with its parents, its children and the
numbers of published initiatives inside it and covering it (the catalogue's own counts:
`?territory=<key>&territory_scope=…` gives the same lists)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.catalogue.selectors import catalogue_count
from initiatives.catalogue.territories import ALL, COVERING, INSIDE
from initiatives.selectors import published_initiatives
from referentials.hierarchy import children, lineage, territory_key, territory_path
from referentials.models import Territory, TerritoryAlias


class TerritoryRefSerializer(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    key = serializers.CharField(help_text=_("Valeur du paramètre territory du catalogue."))


class TerritoryCountsSerializer(serializers.Serializer):
    inside = serializers.IntegerField(
        help_text=_("Initiatives publiées portées dans le territoire ou le couvrant en partie.")
    )
    covering = serializers.IntegerField(
        help_text=_("Initiatives publiées de ses territoires parents (EPCI, département, région).")
    )
    all = serializers.IntegerField(help_text=_("Les deux ensemble."))


class FormerCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text=_("Nom, quand il est connu."))
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in TerritoryAlias.CODE_KINDS],
        help_text=_(
            "former_code : ancienne commune fusionnée ou associée ; district_code : "
            "arrondissement municipal (Paris, Lyon, Marseille)."
        ),
    )


def postcodes_prefetch() -> Prefetch:
    """The communes' postcodes, in one query for a whole page (`postcode_aliases`)."""
    return Prefetch(
        "aliases",
        queryset=TerritoryAlias.objects.filter(kind=TerritoryAlias.Kind.POSTCODE).order_by("value"),
        to_attr="postcode_aliases",
    )


class TerritoryDetailSerializer(serializers.Serializer):
    level = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    key = serializers.CharField()
    parent_code = serializers.CharField(allow_null=True)
    epci_code = serializers.CharField(allow_null=True)
    population = serializers.IntegerField()
    epci_kind = serializers.CharField()
    region_code = serializers.CharField()
    department_code = serializers.CharField()
    postcodes = serializers.ListField(child=serializers.CharField())
    former_codes = FormerCodeSerializer(
        many=True,
        help_text=_(
            "Codes INSEE qui mènent aussi à cette commune : anciennes communes, "
            "arrondissements municipaux."
        ),
    )
    parents = TerritoryRefSerializer(many=True)
    children_count = serializers.IntegerField()
    children_url = serializers.CharField(allow_null=True)
    initiatives = TerritoryCountsSerializer()
    page_url = serializers.CharField()
    catalogue_url = serializers.CharField()


def _ref(territory: Territory) -> dict:
    return {
        "level": territory.level,
        "code": territory.code,
        "name": territory.name,
        "key": territory_key(territory),
    }


def territory_detail_data(territory: Territory, request) -> dict:
    key = territory_key(territory)
    counts = {}
    for scope in (INSIDE, COVERING, ALL):
        data = {"territory": key, "territory_scope": scope}
        filterset = CatalogueFilterSet(data, queryset=published_initiatives())
        counts[scope] = catalogue_count(data, filterset.qs)
    aliases = list(territory.aliases.all())  # prefetched by the view, ordered
    n_children = children(territory).count()
    base = request.build_absolute_uri("/").rstrip("/")
    children_url = None
    if n_children:
        level = {
            Territory.Level.REGION: "department",
            Territory.Level.DEPARTMENT: "commune",
            Territory.Level.EPCI: "commune",
        }[territory.level]
        params = (
            {"level": level, "epci": territory.code}
            if territory.level == Territory.Level.EPCI
            else {
                "level": level,
                ("region" if territory.level == Territory.Level.REGION else "department"): (
                    territory.code
                ),
            }
        )
        children_url = base + reverse("api:territory-list") + "?" + urlencode(params)
    return {
        **_ref(territory),
        "parent_code": territory.parent.code if territory.parent_id else None,
        "epci_code": territory.epci.code if territory.epci_id else None,
        "population": territory.population,
        "epci_kind": territory.epci_kind,
        "region_code": territory.region_code,
        "department_code": territory.department_code,
        "postcodes": [a.value for a in aliases if a.kind == TerritoryAlias.Kind.POSTCODE],
        "former_codes": [
            {"code": a.value, "name": a.name, "kind": a.kind}
            for a in aliases
            if a.kind in TerritoryAlias.CODE_KINDS
        ],
        "parents": [_ref(parent) for parent in lineage(territory).breadcrumb],
        "children_count": n_children,
        "children_url": children_url,
        "initiatives": counts,
        "page_url": base + territory_path(territory),
        "catalogue_url": base
        + reverse("initiatives:catalogue")
        + "?"
        + urlencode({"territory": key, "territory_scope": ALL}),
    }
