"""The catalogue's version: read from the shared cache once per request, at every call
outside requests, and a change made during a request seen by the rest of it."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started

from initiatives.selectors import VERSION_KEY, catalogue_changed, catalogue_version

pytestmark = pytest.mark.django_db  # request_started closes stale database connections


@pytest.fixture
def in_request():
    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_outside_a_request_every_call_reads_the_cache():
    first = catalogue_version()
    cache.set(VERSION_KEY, "another node published")
    assert catalogue_version() == "another node published" != first


def test_a_request_reads_it_once(in_request):
    first = catalogue_version()
    cache.set(VERSION_KEY, "another node published")  # during this request
    assert catalogue_version() == first  # one version for the whole page
    request_finished.send(sender=None)
    request_started.send(sender=None)  # the next request
    assert catalogue_version() == "another node published"


def test_a_change_during_the_request_is_seen_by_the_rest_of_it(in_request):
    first = catalogue_version()
    catalogue_changed([1])
    assert catalogue_version() != first
    assert catalogue_version() == cache.get(VERSION_KEY)


def test_no_memo_is_left_after_a_request(client):
    assert client.get("/initiatives/").status_code == 200
    cache.set(VERSION_KEY, "changed between two requests")
    assert catalogue_version() == "changed between two requests"
