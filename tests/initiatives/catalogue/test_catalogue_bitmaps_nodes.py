"""Two web processes on one database and one shared cache: each answers right at once after
a publication or a withdrawal made on the other (initiatives/catalogue/bitmaps.py)."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from tests import factories as f

PUBLISHED = Initiative.Status.PUBLISHED
BASE_DIR = Path(__file__).resolve().parents[3]


def answer(params):
    result = catalogue_search(params, page_size=100)
    facets = {
        name: {o["value"]: o["count"] for o in facet.options}
        for name, facet in result.facets.items()
    }
    return result.count, facets, [row.slug for row in result.page.object_list]


NODE = """
import json, sys
import django
django.setup()
from initiatives.catalogue.selectors import catalogue_search
from initiatives.models import Initiative
from initiatives.services import initiative_transition
from members.models import User

for line in sys.stdin:
    command = json.loads(line)
    if command["do"] == "search":
        result = catalogue_search(command["params"], page_size=100)
        answer = {
            "count": result.count,
            "slugs": [row.slug for row in result.page.object_list],
            "axis": {o["value"]: o["count"] for o in result.facets["axis"].options},
        }
    else:
        initiative = Initiative.objects.get(pk=command["pk"])
        reviewer = User.objects.get(pk=command["by"])
        initiative_transition(initiative=initiative, name=command["do"], by=reviewer)
        answer = {"done": True}
    print(json.dumps(answer), flush=True)
"""


class Node:
    """Another web process on the same database and the same shared cache (Redis)."""

    def __init__(self, env):
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", NODE],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the other process stopped"
        return json.loads(line)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_process_is_right_after_a_write_on_another(settings, reviewer):
    redis_url = os.environ.get("REDIS_URL")
    if connection.vendor != "postgresql" or not redis_url:
        pytest.skip("Deux processus partagent PostgreSQL et Redis (DATABASE_URL, REDIS_URL).")
    prefix = f"cnpe-test-bitmaps-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    settings.CATALOGUE_BITMAPS = True
    published = f.InitiativeFactory(
        title="Robotique au collège", status=PUBLISHED, axes=[f.axis(2)]
    )
    waiting = f.InitiativeFactory(
        title="Robotique en attente", status=Initiative.Status.IN_REVIEW, axes=[f.axis(4)]
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "committee.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
            f"@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "CATALOGUE_BITMAPS": "true",
    }
    other = Node(env)
    try:
        # Both processes build their index and agree.
        mine = answer({"q": "robotique"})
        assert mine[0] == 1
        assert other.ask(do="search", params={"q": "robotique"})["count"] == 1

        # Published on the other process: this one sees it at once.
        other.ask(do="publish", pk=waiting.pk, by=reviewer.pk)
        count, facets, slugs = answer({"q": "robotique"})
        assert count == 2
        assert waiting.slug in slugs
        assert facets["axis"]["4"] == 1

        # Withdrawn here: the other process never shows it again.
        from initiatives.services import initiative_transition

        waiting.refresh_from_db()
        initiative_transition(initiative=waiting, name="archive", by=reviewer)
        theirs = other.ask(do="search", params={"q": "robotique"})
        assert theirs["count"] == 1
        assert theirs["slugs"] == [published.slug]
        assert theirs["axis"].get("4") == 0
    finally:
        other.stop()
        from django.core.cache import cache

        cache.delete_pattern("*")  # this test's prefix only
