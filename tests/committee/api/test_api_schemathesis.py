"""The open-data API against its own OpenAPI schema (schemathesis).

Schemathesis reads `/api/schema/` and generates requests for every operation, valid and
invalid, from the parameters the schema declares. Every answer must be one the schema
documents (status code, content type, body and headers), and invalid input must be refused
with a 4xx, never a server error. The portal is called in-process through its WSGI
application, on the test database with a small catalogue in it. The schema is read once the
database is there: it lists the codes the filters accept (régions, départements…).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.initiatives.catalogue.test_opendata import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(association, other_association):
    """The catalogue, and the request signals that would close the test's connection
    detached, as Django's own test client does."""
    build_world(association, other_association)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_api_operation_answers_as_its_schema_says(case):
    case.call_and_validate()
