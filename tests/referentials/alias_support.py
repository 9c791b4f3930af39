"""A few real communes with their real postcodes, former codes and arrondissement codes (the
shipped commune_aliases file, loaded for these communes only: the others are skipped), for
the tests of the search, the territory pages, the catalogue and the API."""

from __future__ import annotations

from referentials.models import Territory
from referentials.services import territory_aliases_load
from tests import factories as f

REGIONS = {
    "04": "La Réunion",
    "11": "Île-de-France",
    "75": "Nouvelle-Aquitaine",
    "84": "Auvergne-Rhône-Alpes",
    "94": "Corse",
}
# département: (name, région)
DEPARTMENTS = {
    "01": ("Ain", "84"),
    "2A": ("Corse-du-Sud", "94"),
    "33": ("Gironde", "75"),
    "63": ("Puy-de-Dôme", "84"),
    "75": ("Paris", "11"),
    "93": ("Seine-Saint-Denis", "11"),
    "94": ("Val-de-Marne", "11"),
    "974": ("La Réunion", "04"),
}
# commune: (name, population)
COMMUNES = {
    "01015": ("Arboys en Bugey", 680),  # former code 01340 (Saint-Bois)
    "01024": ("Attignat", 3_300),  # postcode 01340
    "01100": ("Cheignieu-la-Balme", 100),  # INSEE 01100, also Oyonnax's postcode
    "01266": ("Montrevel-en-Bresse", 2_500),  # postcode 01340
    "01283": ("Oyonnax", 22_400),  # postcode 01100
    "2A004": ("Ajaccio", 70_000),  # postcodes 20000, 20090, 20167; code 20004 before 1976
    "33063": ("Bordeaux", 257_000),  # postcode 33000 among others
    "63014": ("Aubière", 10_000),  # postcode 63170
    "63113": ("Clermont-Ferrand", 147_000),  # postcodes 63000, 63100
    "63272": ("Pérignat-lès-Sarliève", 2_800),  # postcode 63170
    "75056": ("Paris", 2_187_000),  # arrondissements 75101…75120, postcodes 75001…
    "93066": ("Saint-Denis", 112_000),  # postcode 93200
    "94002": ("Alfortville", 44_000),  # code 75001 before 1968 (Seine)
    "97411": ("Saint-Denis", 147_000),  # postcode 97400
}


def add_coded_communes() -> dict[str, Territory]:
    """These communes (those that exist already are kept) and their other codes."""
    regions = {code: f.RegionFactory(code=code, name=name) for code, name in REGIONS.items()}
    departments = {
        code: f.DepartmentFactory(code=code, name=name, parent=regions[region])
        for code, (name, region) in DEPARTMENTS.items()
    }
    communes = {}
    for code, (name, population) in COMMUNES.items():
        department = code[:3] if code.startswith("97") else code[:2]
        communes[code] = f.CommuneFactory(
            code=code, name=name, parent=departments[department], population=population
        )
    territory_aliases_load()
    return communes
