"""The map's counts from the catalogue's bitmaps: the same per département and per région
(the initiatives a région leads) as the grouped query they replace, for every filter of the
catalogue."""

import json

import pytest
from django.core.cache import cache
from django.http import QueryDict

from committee.public import selectors
from tests.initiatives.catalogue.test_catalogue_bitmaps import PARAMETERS, catalogue  # noqa: F401

pytestmark = pytest.mark.django_db


def counts(params) -> tuple[dict, dict]:
    cache.clear()  # the map's counts are cached with the catalogue's version
    query = QueryDict(mutable=True)
    query.update(params)
    answer = selectors.department_counts(query)
    return answer.counts, answer.by_region


@pytest.mark.parametrize("params", PARAMETERS, ids=lambda p: json.dumps(p) or "none")
def test_same_map_as_the_grouped_query(catalogue, settings, params):  # noqa: F811
    settings.CATALOGUE_BITMAPS = False
    by_sql = counts(params)
    settings.CATALOGUE_BITMAPS = True
    assert counts(params) == by_sql


def test_the_catalogue_has_initiatives_led_by_regions(catalogue, settings):  # noqa: F811
    settings.CATALOGUE_BITMAPS = True
    by_department, by_region = counts({})
    assert by_region and by_department.get("", 0) == sum(by_region.values())
