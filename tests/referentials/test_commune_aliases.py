"""The communes' other codes (postcodes, former and arrondissement codes): built from the
etalab package, loaded idempotently after the territories, refused when malformed."""

import csv
import importlib.util
import io
import json
import lzma
from pathlib import Path

import pytest
from django.core.management import call_command

from referentials.models import TerritoryAlias
from referentials.services import TerritoryFileError, territory_aliases_load
from tests import factories as f

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
K = TerritoryAlias.Kind


def _build_script():
    spec = importlib.util.spec_from_file_location(
        "build_commune_aliases", ROOT / "scripts" / "build_commune_aliases.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commune(code, name, **extra):
    return {"code": code, "nom": name, "type": "commune-actuelle", "zone": "metro", **extra}


def _part(code, name, chef_lieu, kind="commune-deleguee"):
    return {"code": code, "nom": name, "type": kind, "chefLieu": chef_lieu, "zone": "metro"}


@pytest.fixture
def package_dir(tmp_path):
    """A miniature of the package's data/communes.json, with each case the build handles."""
    entries = [
        _commune("01015", "Arboys en Bugey", codesPostaux=["01300"], anciensCodes=["01340"]),
        _part("01015", "Arbignieu", "01015"),  # the chef-lieu's own delegated commune
        _part("01340", "Saint-Bois", "01015"),
        _commune("69123", "Lyon", codesPostaux=["69001", "69002"]),
        {"code": "69381", "nom": "Lyon 1er Arrondissement", "type": "arrondissement-municipal"}
        | {"commune": "69123", "codesPostaux": ["69001"]},
        # The package and the COG's delegated communes disagree: the chef-lieu wins.
        _commune("55245", "Heudicourt-sous-les-Côtes", codesPostaux=["55210"])
        | {"anciensCodes": ["55273"]},
        _commune("55386", "Nonsard-Lamarche", codesPostaux=["55210"]),
        _part("55273", "Lamarche-en-Woëvre", "55386", kind="commune-associee"),
        # A former code that is still a commune of ours designates that commune.
        _commune("33063", "Bordeaux", codesPostaux=["33000"], anciensCodes=["33110", "69123"]),
        # Not in our territories file (an overseas collectivity).
        _commune("97502", "Saint-Pierre", codesPostaux=["97500"], zone="com"),
    ]
    folder = tmp_path / "package" / "data"
    folder.mkdir(parents=True)
    (folder / "communes.json").write_text(json.dumps(entries), encoding="utf-8")
    return tmp_path / "package"


@pytest.fixture
def our_territories(tmp_path):
    path = tmp_path / "territories.csv.xz"
    rows = [["level", "code", "name", "parent_code", "epci_code", "population", "epci_kind"]]
    for code, name in [
        ("01015", "Arboys en Bugey"),
        ("33063", "Bordeaux"),
        ("55245", "Heudicourt-sous-les-Côtes"),
        ("55386", "Nonsard-Lamarche"),
        ("63113", "Clermont-Ferrand"),  # not in the package
        ("69123", "Lyon"),
    ]:
        rows.append(["commune", code, name, code[:2], "", "1", ""])
    with lzma.open(path, "wt", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _rows(path: Path) -> list[tuple[str, str, str, str]]:
    with lzma.open(path, "rt", encoding="utf-8", newline="") as fh:
        return [tuple(row.values()) for row in csv.DictReader(fh)]


def test_build_keeps_the_codes_of_our_communes_only(package_dir, our_territories, tmp_path):
    output = tmp_path / "aliases.csv.xz"
    _build_script().main(
        [
            "--source",
            str(package_dir),
            "--territories",
            str(our_territories),
            "--output",
            str(output),
        ]
    )

    assert _rows(output) == [
        ("01015", "postcode", "01300", ""),
        ("01015", "former_code", "01340", "Saint-Bois"),
        ("33063", "postcode", "33000", ""),
        ("33063", "former_code", "33110", ""),
        ("55245", "postcode", "55210", ""),
        ("55386", "postcode", "55210", ""),
        ("55386", "former_code", "55273", "Lamarche-en-Woëvre"),
        ("69123", "postcode", "69001", ""),
        ("69123", "postcode", "69002", ""),
        ("69123", "district_code", "69381", "Lyon 1er Arrondissement"),
    ]


def test_build_is_reproducible_and_reports_mismatches(
    package_dir, our_territories, tmp_path, capsys
):
    script = _build_script()
    outputs = [tmp_path / "a.csv.xz", tmp_path / "b.csv.xz"]
    for output in outputs:
        script.main(
            ["--source", str(package_dir), "--territories", str(our_territories)]
            + ["--output", str(output)]
        )
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    printed = capsys.readouterr().out
    assert "missing from ours (skipped): 1 (com: 1)" in printed
    assert "our communes missing from the package: 1 ['63113']" in printed
    assert "former codes still in use by a commune (skipped): 1" in printed
    assert "than their chef-lieu: 1 [('55273', '55245', '55386')]" in printed


def test_build_checks_the_tarball_hash(tmp_path):
    fake = tmp_path / "etalab-decoupage-administratif-6.0.0.tgz"
    fake.write_bytes(b"not the package")
    with pytest.raises(SystemExit, match="differs from the pinned"):
        _build_script().read_communes(fake)


# -- loading -----------------------------------------------------------------------------------


def _aliases_file(tmp_path, rows, name="aliases.csv") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["commune_code", "kind", "value", "name"])
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


ROWS = [
    ("01015", "postcode", "01300", ""),
    ("01015", "former_code", "01340", "Saint-Bois"),
    ("01024", "postcode", "01340", ""),
    ("75056", "postcode", "75001", ""),
    ("75056", "district_code", "75101", "Paris 1er Arrondissement"),
    ("75056", "former_code", "01024", ""),  # the code of a current commune: skipped
    ("99999", "postcode", "99999", ""),  # a commune the database does not hold: skipped
]


@pytest.fixture
def communes():
    ain = f.DepartmentFactory(code="01", name="Ain")
    paris = f.DepartmentFactory(code="75", name="Paris", parent=f.RegionFactory(code="11"))
    return {
        "01015": f.CommuneFactory(code="01015", name="Arboys en Bugey", parent=ain),
        "01024": f.CommuneFactory(code="01024", name="Attignat", parent=ain),
        "75056": f.CommuneFactory(code="75056", name="Paris", parent=paris),
    }


def _stored():
    return set(TerritoryAlias.objects.values_list("territory__code", "kind", "value", "name", "pk"))


def test_loading_twice_writes_nothing_the_second_time(communes, tmp_path):
    path = _aliases_file(tmp_path, ROWS)

    first = territory_aliases_load(path=path)

    assert first == {
        "total": 7,
        "created": 5,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
        "skipped": 2,
    }
    arboys = communes["01015"]
    assert set(arboys.aliases.values_list("kind", "value", "name")) == {
        (K.POSTCODE, "01300", ""),
        (K.FORMER_CODE, "01340", "Saint-Bois"),
    }
    before = _stored()

    second = territory_aliases_load(path=path)

    assert _stored() == before
    assert second == {**first, "created": 0, "unchanged": 5}


def test_an_updated_file_is_applied_in_place(communes, tmp_path):
    territory_aliases_load(path=_aliases_file(tmp_path, ROWS))
    kept = TerritoryAlias.objects.get(value="01300").pk
    rows = [
        ("01015", "postcode", "01300", ""),
        ("01015", "former_code", "01340", "Saint-Bois (Ain)"),  # renamed
        # 75101 moves to another commune: its unique index allows it in one load
        ("01024", "district_code", "75101", "Paris 1er Arrondissement"),
        ("75056", "postcode", "75002", ""),  # 75001 dropped, 75002 new
    ]

    counts = territory_aliases_load(path=_aliases_file(tmp_path, rows, "updated.csv"))

    assert counts == {
        "total": 4,
        "created": 2,
        "updated": 1,
        "deleted": 3,
        "unchanged": 1,
        "skipped": 0,
    }
    assert TerritoryAlias.objects.get(value="01300").pk == kept
    assert TerritoryAlias.objects.get(value="01340", kind=K.FORMER_CODE).name == "Saint-Bois (Ain)"
    assert TerritoryAlias.objects.get(value="75101").territory == communes["01024"]
    assert list(communes["75056"].aliases.values_list("value", flat=True)) == ["75002"]


@pytest.mark.parametrize(
    "row",
    [
        ("01015", "nickname", "01300", ""),
        ("01015", "postcode", "1300", ""),
        ("01015", "postcode", "2A300", ""),  # postcodes are digits only
        ("01015", "former_code", "013400", ""),
        ("", "postcode", "01300", ""),
        ("01015", "postcode", "01300", ""),  # a duplicate of the first row
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_written(communes, tmp_path, row):
    territory_aliases_load(path=_aliases_file(tmp_path, ROWS[:1]))
    before = _stored()

    with pytest.raises(TerritoryFileError):
        territory_aliases_load(path=_aliases_file(tmp_path, [ROWS[0], ROWS[1], row], "bad.csv"))

    assert _stored() == before


def test_a_file_without_the_columns_is_refused(communes, tmp_path):
    path = tmp_path / "aliases.csv"
    path.write_text("code,postcode\n01015,01300\n", encoding="utf-8")
    with pytest.raises(TerritoryFileError, match="colonnes manquantes"):
        territory_aliases_load(path=path)


def test_the_command_loads_the_territories_then_their_codes(tmp_path, capsys):
    territories = tmp_path / "territories.csv"
    territories.write_text(
        "level,code,name,parent_code,epci_code,population,epci_kind\n"
        "region,84,Auvergne-Rhône-Alpes,,,,\n"
        "department,01,Ain,84,,,\n"
        "commune,01015,Arboys en Bugey,01,,680,\n",
        encoding="utf-8",
    )
    aliases = _aliases_file(tmp_path, ROWS)

    call_command("load_territories", path=territories, aliases=aliases)

    out = capsys.readouterr().out
    assert "anciens codes et codes d'arrondissement : 7 dans le fichier, 2 créés" in out
    assert "5 ignorés" in out
    assert TerritoryAlias.objects.count() == 2
