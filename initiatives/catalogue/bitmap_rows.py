"""The catalogue entries of changed initiatives, as the bitmaps' refresh reads them
(bitmaps.refreshed): every facet value of each, in one query."""

from __future__ import annotations

import datetime

from initiatives.catalogue import lexemes, statistics_sets, territory_sets
from initiatives.models import Initiative
from initiatives.selectors import published_initiatives

ITEM = "item"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def changed_rows(ids: set[int]) -> dict[int, tuple]:
    """The published ones among `ids`: id → (published_at, id, {facet: [values]},
    ("level:band", lead collectivity id, région))."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.fields import ArrayField
    from django.db.models import Case, F, Func, OuterRef, TextField, When
    from django.db.models.functions import Coalesce

    from members.models import Organisation

    def codes(field: str, key: str):
        through = Initiative._meta.get_field(field).remote_field.through
        target = Initiative._meta.get_field(field).m2m_reverse_field_name()
        return ArraySubquery(
            through.objects.filter(initiative_id=OuterRef("pk")).values(f"{target}__{key}")
        )

    # Inside the organisations' subquery: the initiative is two levels out.
    partnered = Initiative.partners.through.objects.filter(initiative_id=OuterRef(OuterRef("pk")))
    covered = Initiative.territories.through.objects.filter(initiative_id=OuterRef("pk"))
    rows = (
        published_initiatives()
        .filter(pk__in=ids)
        .annotate(
            **statistics_sets.annotations(),
            axis_numbers=codes("axes", "number"),
            level_codes=codes("school_levels", "code"),
            item_codes=codes("referential_items", "code"),
            partner_acronyms=ArraySubquery(
                Organisation.objects.filter(pk__in=partnered.values("organisation_id")).values(
                    "acronym"
                )
            ),
            covered_ids=ArraySubquery(covered.values("territory_id")),
            covered_regions=ArraySubquery(covered.values("territory__region_code")),
            covered_departments=ArraySubquery(covered.values("territory__department_code")),
            **{
                f"{facet}_words": Func(
                    F(vector),
                    function="tsvector_to_array",
                    output_field=ArrayField(TextField()),
                )
                for facet, vector in lexemes.VECTORS.items()
            },
            covered_epcis=ArraySubquery(
                covered.annotate(
                    epci=Coalesce(
                        "territory__epci_id",
                        Case(When(territory__level="epci", then=F("territory_id"))),
                    )
                ).values("epci")
            ),
        )
        .values_list(
            "pk",
            "published_at",
            "region_code",
            "department_code",
            "collectivity_level",
            "start_year",
            "lead_organisation__acronym",
            "axis_numbers",
            "level_codes",
            "item_codes",
            "partner_acronyms",
            "lead_collectivity_id",
            "lead_collectivity__level",
            "lead_collectivity__epci_id",
            "population_band",
            "covered_ids",
            "covered_regions",
            "covered_departments",
            "covered_epcis",
            *statistics_sets.QUARTERS,
            *(f"{facet}_words" for facet in lexemes.LEXEME_FACETS),
        )
    )
    out = {}
    for row in rows:
        (pk, at, region, department, level, year, lead, axes, levels, items, partners) = row[:11]
        lead_id, lead_level, lead_epci, band = row[11:15]
        c_ids, c_regions, c_departments, c_epcis, submitted, published = row[15:21]
        words = dict(zip(lexemes.LEXEME_FACETS, row[21:], strict=True))
        out[pk] = (
            (at - EPOCH) // datetime.timedelta(microseconds=1),  # exact, as in build()
            pk,
            {
                "region": [region],
                "department": [department],
                "collectivity": [level],
                "year": [year],
                "axis": axes,
                "school_level": levels,
                ITEM: items,
                "partner": sorted({lead, *partners}),
                territory_sets.LEAD: [lead_id],
                territory_sets.LEAD_EPCI: [territory_sets.epci_key(lead_id, lead_level, lead_epci)],
                territory_sets.COVER: sorted(set(c_ids)),
                territory_sets.COVER_REGION: sorted(set(c_regions)),
                territory_sets.COVER_DEPARTMENT: sorted(set(c_departments)),
                territory_sets.COVER_EPCI: sorted({e for e in c_epcis if e is not None}),
                **{facet: sorted(set(found or ())) for facet, found in words.items()},
                **statistics_sets.row_facets(lead, submitted, published),
            },
            (f"{level}:{band}", lead_id, region),
        )
    return out
