"""A small territorial hierarchy with initiatives at every level, shared by the tests of
the territory filter, the territory pages, the API and the exports."""

from __future__ import annotations

import datetime

from initiatives.models import Initiative
from referentials.models import Territory
from tests import factories as f

PUBLISHED = Initiative.Status.PUBLISHED


def build_world(association, other_association) -> dict:
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes", population=8_000_000)
    puy = f.DepartmentFactory(code="63", name="Puy-de-Dôme", parent=ara, population=660_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara, population=1_900_000)
    corse = f.RegionFactory(code="94", name="Corse", population=340_000)
    corse_sud = f.DepartmentFactory(code="2A", name="Corse-du-Sud", parent=corse, population=1)
    metro = Territory.objects.create(
        level=Territory.Level.EPCI,
        code="246300701",
        name="Clermont Auvergne Métropole",
        parent=puy,
        region_code="84",
        department_code="63",
        population=295_000,
        epci_kind="ME",
    )
    clermont = f.CommuneFactory(
        code="63113", name="Clermont-Ferrand", parent=puy, epci=metro, population=147_000
    )
    aubiere = f.CommuneFactory(
        code="63014", name="Aubière", parent=puy, epci=metro, population=10_000
    )
    thiers = f.CommuneFactory(code="63430", name="Thiers", parent=puy, population=11_500)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    villeurbanne = f.CommuneFactory(
        code="69266", name="Villeurbanne", parent=rhone, population=150_000
    )
    ajaccio = f.CommuneFactory(code="2A004", name="Ajaccio", parent=corse_sud, population=70_000)
    college, ecole = f.school_level("college"), f.school_level("elementaire")

    def make(title, territory, *, status=PUBLISHED, axes=(1,), levels=(), covers=(), org=None):
        initiative = f.InitiativeFactory(
            title=title,
            lead_collectivity=territory,
            status=status,
            axes=[f.axis(n) for n in axes],
            lead_organisation=org or association,
            start_date=datetime.date(2024, 9, 1),
        )
        initiative.school_levels.set(levels)
        initiative.territories.set(covers)
        return initiative

    initiatives = {
        "clermont": make("Écoles connectées de Clermont", clermont, levels=[ecole]),
        "aubiere": make("Robotique à Aubière", aubiere, axes=(3,), levels=[ecole]),
        "metro": make("Fibre de la métropole", metro, axes=(5,), levels=[ecole]),
        "puy": make("Tablettes des collèges du Puy-de-Dôme", puy, axes=(5,), levels=[college]),
        "region": make(
            "Lycées connectés en Auvergne-Rhône-Alpes", ara, axes=(2,), org=other_association
        ),
        "lyon": make("ENT de Lyon", lyon, levels=[ecole]),
        "villeurbanne": make("Jumelage numérique", villeurbanne, covers=[clermont]),
        "ajaccio": make("Classes mobiles d'Ajaccio", ajaccio),
        "draft": make("Brouillon secret à Clermont", clermont, status=Initiative.Status.DRAFT),
        "review": make(
            "En instruction dans la métropole", metro, status=Initiative.Status.IN_REVIEW
        ),
    }
    territories = {
        "ara": ara,
        "puy": puy,
        "rhone": rhone,
        "corse": corse,
        "corse_sud": corse_sud,
        "metro": metro,
        "clermont": clermont,
        "aubiere": aubiere,
        "thiers": thiers,
        "lyon": lyon,
        "villeurbanne": villeurbanne,
        "ajaccio": ajaccio,
    }
    return {"t": territories, "i": initiatives}


def titles_of(world, *names) -> set[str]:
    return {world["i"][name].title for name in names}
