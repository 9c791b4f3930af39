"""Property-based checks: no catalogue parameter, whatever its value, makes a page fail.

Hypothesis draws arbitrary text (control characters, quotes, SQL and tsquery syntax,
very long strings) for every catalogue parameter; the catalogue page, the API, the
exports and the feed must answer with a page or a clear refusal, never a server error.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.models import Initiative
from tests import factories as f

pytestmark = pytest.mark.django_db

PARAMETERS = [
    "q",
    "axis",
    "region",
    "department",
    "commune",
    "collectivity",
    "school_level",
    "item",
    "partner",
    "year",
    "sort",
    "page",
]
values = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", "0", "-1", "99999999999999999999", "1e3", "'", '"', "\\", "%", "&&"]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda s: s * 50),
)
queries = st.dictionaries(st.sampled_from(PARAMETERS), values, max_size=5)


@pytest.fixture
def catalogue(db):
    f.InitiativeFactory(title="Tablettes au collège", status=Initiative.Status.PUBLISHED)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=queries)
def test_the_catalogue_page_never_fails(client, catalogue, params):
    # Empty parameters are redirected to the clean URL (once): follow it.
    response = client.get("/initiatives/", params, follow=True)
    assert response.status_code in {200, 404}
    assert len(response.redirect_chain) <= 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=queries)
def test_the_api_exports_and_feed_never_fail(client, catalogue, params):
    for url in ("/api/v1/initiatives/", "/initiatives/export.csv", "/initiatives/flux.atom"):
        response = client.get(url, params)
        assert response.status_code in {200, 400, 404}, (url, params)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "level", "code", "region", "department"]), values, max_size=3
    )
)
def test_territory_search_never_fails(client, catalogue, params):
    response = client.get("/api/v1/territories/", params)
    assert response.status_code in {200, 400, 404}
