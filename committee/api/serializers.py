"""Explicit representations of the API: every field listed, no private field ever.

The initiative representation is generated from `initiatives.catalogue.opendata.COLUMNS`, the same
list as the exports and the Table Schema, so a reuser sees the same names everywhere.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from committee.axes import Axis
from committee.plan.models import Action, Milestone
from initiatives.catalogue.opendata import COLUMNS, Column
from members.models import Organisation
from referentials.models import Referential, ReferentialItem, Territory

_SCALARS = {
    "string": lambda **kw: serializers.CharField(**kw),
    "integer": lambda **kw: serializers.IntegerField(**kw),
    "number": lambda **kw: serializers.FloatField(**kw),
    "date": lambda **kw: serializers.DateField(**kw),
    "datetime": lambda **kw: serializers.DateTimeField(
        format="%Y-%m-%dT%H:%M:%SZ", default_timezone=datetime.UTC, **kw
    ),
}


def _column_field(column: Column) -> serializers.Field:
    options = {"read_only": True, "label": column.title, "help_text": column.description}
    if column.is_list:
        child = _SCALARS[column.item_type]()
        return serializers.ListField(child=child, **options)
    required = column.constraints.get("required", False)
    if "enum" in column.constraints:
        return serializers.ChoiceField(choices=column.constraints["enum"], **options)
    if column.format == "uri":
        return serializers.URLField(**options)
    return _SCALARS[column.type](allow_null=not required, **options)


InitiativeSerializer = serializers.SerializerMetaclass(
    "InitiativeSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "A published initiative: the columns of the open-data exports.",
        **{column.name: _column_field(column) for column in COLUMNS},
    },
)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    phone = serializers.CharField(read_only=True)


class InitiativeDetailSerializer(InitiativeSerializer):
    """The list representation plus the contact, only where its owner consented."""

    contact = ContactSerializer(
        read_only=True,
        allow_null=True,
        help_text=_("Coordonnées du contact, seulement s'il a accepté leur publication."),
    )


class TerritorySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    epci_code = serializers.CharField(source="epci.code", read_only=True, allow_null=True)
    postcodes = serializers.SerializerMethodField(
        help_text=_("Codes postaux d'une commune (La Poste) ; vide pour les autres niveaux.")
    )

    class Meta:
        model = Territory
        fields = [
            "level",
            "code",
            "name",
            "parent_code",
            "epci_code",
            "region_code",
            "department_code",
            "population",
            "epci_kind",
            "postcodes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_postcodes(self, territory) -> list[str]:
        # Prefetched for the whole page by the view (committee.api.territories).
        return [alias.value for alias in getattr(territory, "postcode_aliases", ())]


class ReferentialItemSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(read_only=True, allow_null=True)
    published_initiatives = serializers.IntegerField(
        read_only=True, help_text=_("Nombre d'initiatives publiées qui mettent en œuvre l'élément.")
    )

    class Meta:
        model = ReferentialItem
        fields = [
            "code",
            "label",
            "description",
            "parent_code",
            "depth",
            "position",
            "published_initiatives",
        ]
        read_only_fields = fields


class OptionalURLField(serializers.URLField):
    """A URL column that may be left empty: null in the API, never an empty string (which
    is not a URI)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class ReferentialSerializer(serializers.ModelSerializer):
    items = ReferentialItemSerializer(many=True, read_only=True)
    source_url = OptionalURLField(label=_("source"))

    class Meta:
        model = Referential
        fields = [
            "id",
            "kind",
            "slug",
            "name",
            "version",
            "status",
            "description",
            "source_url",
            "in_force_from",
            "items",
        ]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    website = OptionalURLField(label=_("Site internet"))
    initiatives = serializers.SerializerMethodField(
        help_text=_("Adresse de l'API listant les initiatives publiées de ce partenaire.")
    )

    class Meta:
        model = Organisation
        fields = [
            "acronym",
            "slug",
            "name",
            "former_name",
            "kind",
            "represents",
            "description",
            "website",
            "charter_signed_on",
            "initiatives",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_initiatives(self, organisation) -> str:
        url = reverse("api:initiative-list") + f"?partner={organisation.acronym}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class AxisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["number", "title", "short_title", "slug", "description"]
        read_only_fields = fields


class AxisSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["number", "title", "short_title"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "reached_on", "position"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    axis = AxisSummarySerializer(read_only=True)
    lead_partners = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="acronym", help_text=_("Sigles des pilotes.")
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    initiatives = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="slug",
        help_text=_("Identifiants des initiatives publiées liées à l'action (preuves)."),
    )

    class Meta:
        model = Action
        fields = [
            "code",
            "title",
            "objective",
            "axis",
            "lead_partners",
            "status",
            "progress",
            "start_date",
            "due_date",
            "milestones",
            "initiatives",
            "updated_at",
        ]
        read_only_fields = fields
