"""The territory resource finds communes by postcode and by INSEE code as well as by name,
lists their postcodes, and answers a former commune's code with a clear French message."""

import pytest

from tests.referentials.alias_support import add_coded_communes

pytestmark = pytest.mark.django_db


@pytest.fixture
def communes():
    return add_coded_communes()


def codes(client, **params):
    response = client.get("/api/v1/territories/", params)
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_q_finds_a_commune_by_postcode_insee_code_or_name(client, communes):
    assert codes(client, q="33000") == ["33063"]
    assert codes(client, q="33063") == ["33063"]
    assert codes(client, q="bordeaux") == ["33063"]
    assert codes(client, q="97400") == ["97411"]
    assert codes(client, q="20000") == ["2A004"]
    assert codes(client, q="2a004") == ["2A004"]
    assert set(codes(client, q="63170")) == {"63014", "63272"}
    assert codes(client, q="33") == ["33"]  # a département's code


def test_q_gives_the_insee_code_first_then_postcodes_then_former_codes(client, communes):
    # 01100: Cheignieu-la-Balme's code and Oyonnax's postcode
    assert codes(client, q="01100") == ["01100", "01283"]
    # 01340: Attignat's and Montrevel's postcode, and Saint-Bois's code (now Arboys en Bugey)
    assert codes(client, q="01340") == ["01024", "01266", "01015"]
    assert codes(client, q="01340", level="department") == []
    assert codes(client, q="75101") == ["75056"]


def test_territories_list_their_postcodes(client, communes):
    data = client.get("/api/v1/territories/", {"q": "63000"}).json()
    assert data["results"][0]["postcodes"] == ["63000", "63100"]
    data = client.get("/api/v1/territories/", {"code": "63"}).json()
    assert data["results"][0]["postcodes"] == []


def test_the_detail_lists_postcodes_and_former_codes(client, communes):
    data = client.get("/api/v1/territories/commune/2A004/").json()
    assert data["postcodes"] == ["20000", "20090", "20167"]
    assert data["former_codes"] == [{"code": "20004", "name": "", "kind": "former_code"}]
    paris = client.get("/api/v1/territories/commune/75056/").json()
    assert {"code": "75101", "name": "Paris 1er Arrondissement", "kind": "district_code"} in (
        paris["former_codes"]
    )


def test_a_former_code_is_not_found_but_the_answer_says_where_to_go(client, communes):
    response = client.get("/api/v1/territories/commune/01340/")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "01340 n'est pas le code INSEE d'une commune actuelle" in detail
    assert "Saint-Bois fait partie de la commune Arboys en Bugey (code INSEE 01015)" in detail
    assert detail.endswith("/api/v1/territories/commune/01015/.")
    detail = client.get("/api/v1/territories/commune/20004/").json()["detail"]
    assert "c'est un ancien code, rattaché aujourd'hui à la commune Ajaccio" in detail
    assert client.get("/api/v1/territories/commune/99999/").status_code == 404
    assert client.get("/api/v1/territories/department/01340/").status_code == 404


def test_initiatives_take_a_former_commune_s_key(client, communes):
    data = client.get("/api/v1/initiatives/", {"territory": "commune-01340"}).json()
    assert data["territory"]["key"] == "commune-01015"
    response = client.get("/api/v1/initiatives/", {"territory": "63170"})
    assert response.status_code == 404
    assert "Plusieurs territoires correspondent" in response.json()["detail"]


@pytest.mark.parametrize(
    "q", ["0" * 100, "33000\x00", "😀😀😀😀😀", "%", "'; --", "33 000", "2Z004", "٣٣٠٠٠"]
)
def test_odd_q_never_fails(client, communes, q):
    response = client.get("/api/v1/territories/", {"q": q})
    assert response.status_code in (200, 400)
