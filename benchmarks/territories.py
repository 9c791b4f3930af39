"""Bench scenarios of the territory pages, the catalogue's territory filter and the territory
autocomplete (issue: a territory page p95 ≤ 30 ms with the same queries whatever the
territory; the catalogue with "also those that cover it" ≤ 30 ms; autocomplete ≤ 20 ms)."""

from __future__ import annotations

from referentials.hierarchy import territory_path
from referentials.models import Territory

TERRITORY_PAGE_P95_MS = 30
TERRITORY_CATALOGUE_P95_MS = 30
AUTOCOMPLETE_P95_MS = 20


def territory_scenarios(scenario_class) -> list:
    wanted = [
        ("commune", "75056"),  # Paris
        ("commune", "33063"),  # Bordeaux
        ("epci", "243300316"),  # Bordeaux Métropole
        ("department", "2A"),
        ("department", "971"),
        ("region", "75"),
    ]
    places = [Territory.objects.filter(level=lvl, code=code).first() for lvl, code in wanted]
    tiny = Territory.objects.filter(level="commune", population__gt=0).order_by("population")
    places.append(tiny.first())
    paths = [territory_path(place) for place in places if place is not None]
    c = "/initiatives/?territory_scope=all&territory="
    return [
        scenario_class(
            "territory page",
            paths,
            target_p95_ms=TERRITORY_PAGE_P95_MS,
            cache_sensitive=True,
            note="Paris, Bordeaux, sa métropole, 2A, 971, une région, la plus petite commune",
        ),
        scenario_class(
            "catalogue territory all",
            [c + "commune-33063", c + "commune-63113", c + "departement-2A", c + "region-75"],
            target_p95_ms=TERRITORY_CATALOGUE_P95_MS,
            cache_sensitive=True,
            note="dans le territoire et ceux qui le couvrent",
        ),
        scenario_class(
            "territory autocomplete",
            [
                "/territoires/recherche.json?q=" + q
                for q in (
                    "bord",
                    "saint%20e",
                    "33063",
                    "clermont",
                    "ajacc",
                    "pointe-a",
                    "33000",  # a postcode
                    "51300",  # a postcode of 46 communes
                )
            ],
            target_p95_ms=AUTOCOMPLETE_P95_MS,
            cache_sensitive=True,
        ),
    ]
