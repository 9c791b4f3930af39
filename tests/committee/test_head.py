"""`HEAD` answers like `GET` on every page (link checkers, monitoring), and `/favicon.ico`."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from initiatives.models import Initiative
from tests import factories as f

# Walks every URL pattern: left out of `make test-fast`, run by `make test`.
pytestmark = [pytest.mark.django_db, pytest.mark.walk]


def _paths(patterns=None, prefix=""):
    """Every URL of the site whose pattern takes no parameter."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or "^" in route.lstrip("^") and "$" not in route:
            continue
        route = route.lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route


def _compare(client, paths):
    differences = []
    for path in paths:
        get = client.get(path)
        if get.streaming:
            b"".join(get.streaming_content)  # read to the end, as a browser does
        head = client.head(path)
        seen = (head.status_code, head.get("Content-Type"))
        if seen != (get.status_code, get.get("Content-Type")):
            differences.append(f"{path}: GET {get.status_code}, HEAD {head.status_code}")
        elif b"".join(head.streaming_content) if head.streaming else head.content:
            differences.append(f"{path}: HEAD has a body")
    return differences


def test_the_url_patterns_cover_the_site():
    paths = set(_paths())
    assert {"/", "/initiatives/", "/carte/", "/espace/", "/instruction/", "/pilotage/"} <= paths


def test_head_answers_like_get_for_visitors(client):
    initiative = f.InitiativeFactory(status=Initiative.Status.PUBLISHED)
    paths = [p for p in _paths() if not re.match(r"^/(admin|comptes)/", p)]
    paths += [initiative.get_absolute_url(), "/comptes/login/", "/favicon.ico"]
    assert _compare(client, paths) == []
    assert client.head("/").status_code == 200
    assert client.head("/initiatives/").status_code == 200


def test_head_answers_like_get_for_the_staff(client, secretariat, contributor, mfa):
    initiative = f.InitiativeFactory(
        status=Initiative.Status.DRAFT,
        lead_organisation=contributor.memberships.first().organisation,
        created_by=contributor,
    )
    client.force_login(contributor)
    staff_paths = [p for p in _paths() if p.startswith(("/espace/", "/instruction/", "/pilotage/"))]
    assert _compare(client, [*staff_paths, f"/espace/initiatives/{initiative.pk}/"]) == []
    assert client.head("/espace/").status_code == 200

    mfa(secretariat)
    client.force_login(secretariat)
    assert _compare(client, staff_paths) == []
    assert client.head("/pilotage/").status_code == 200


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO header
