"""`python -m benchmarks seed_bulk`: a large, deterministic catalogue for load tests."""

import datetime
from io import StringIO

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F

from benchmarks import bulk
from benchmarks.commands.seed_bulk import Command as SeedBulk
from initiatives.models import Initiative, StatusChange
from referentials.models import Territory
from tests import factories as f

COUNT = 500


@pytest.fixture(scope="module")
def territories(django_db_setup, django_db_blocker):
    """The COG, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_territories", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seed_bulk(territories, db):
    def run(*args, count=COUNT):
        out = StringIO()
        call_command(SeedBulk(), "--initiatives", str(count), *args, stdout=out)
        return out.getvalue()

    return run


def bulk_rows():
    return Initiative.objects.filter(slug__startswith="bulk-")


def test_creates_exactly_the_requested_number(seed_bulk):
    output = seed_bulk()

    rows = bulk_rows()
    assert rows.count() == COUNT
    assert f"{COUNT} initiatives créées" in output
    assert sorted(rows.values_list("slug", flat=True))[:2] == ["bulk-000001", "bulk-000002"]


def test_rows_look_like_a_real_catalogue(seed_bulk):
    seed_bulk()
    rows = bulk_rows()
    statuses = list(rows.values_list("status", flat=True))

    assert statuses.count(Initiative.Status.PUBLISHED) > 0.7 * COUNT
    assert len(set(statuses)) >= 5
    assert rows.values("region_code").distinct().count() >= 12
    assert set(rows.values_list("collectivity_level", flat=True)) == set(Territory.Level.values)
    assert rows.values("title").distinct().count() > 0.8 * COUNT
    # The copied territory columns agree with the lead collectivity, as save() would make them.
    assert not rows.exclude(collectivity_level=F("lead_collectivity__level")).exists()
    assert not rows.exclude(region_code=F("lead_collectivity__region_code")).exists()
    assert not rows.exclude(department_code=F("lead_collectivity__department_code")).exists()
    published = rows.filter(status__in=["published", "archived"])
    assert not published.filter(published_at__isnull=True).exists()
    years = {d.year for d in published.values_list("published_at", flat=True)}
    assert min(years) >= 2016 and max(years) <= 2026 and len(years) >= 8
    assert not rows.filter(start_date__lt=datetime.date(2016, 1, 1)).exists()
    assert not rows.filter(created_at__gt=F("updated_at")).exists()
    assert not rows.filter(contact_consent=False).exclude(contact_email="").exists()


def test_many_to_many_rows_are_written(seed_bulk):
    seed_bulk()
    rows = bulk_rows()

    assert not rows.filter(axes__isnull=True).exists()
    assert not rows.filter(school_levels__isnull=True).exists()
    assert rows.filter(territories=F("lead_collectivity")).count() == COUNT
    assert rows.filter(referential_items__isnull=False).distinct().count() > 0.9 * COUNT
    assert rows.filter(partners__isnull=False).distinct().exists()
    colleges = rows.filter(collectivity_level="department")
    assert not colleges.exclude(school_levels__code="college").exists()


def test_running_twice_does_not_duplicate(seed_bulk):
    seed_bulk()
    pks = sorted(bulk_rows().values_list("pk", flat=True))

    output = seed_bulk()

    assert sorted(bulk_rows().values_list("pk", flat=True)) == pks
    assert f"{COUNT} déjà présentes" in output


def test_a_larger_count_completes_the_set(seed_bulk):
    seed_bulk(count=200)
    seed_bulk(count=COUNT)

    assert bulk_rows().count() == COUNT


def _content():
    return list(
        bulk_rows()
        .order_by("slug")
        .values_list(
            "slug",
            "title",
            "summary",
            "description",
            "status",
            "lead_collectivity__code",
            "published_at",
            "created_at",
            "updated_at",
            "budget",
        )
    )


def _links():
    through = Initiative.axes.through
    return sorted(
        through.objects.filter(initiative__slug__startswith="bulk-").values_list(
            "initiative__slug", "axis__number"
        )
    )


def test_same_rows_after_a_reset(seed_bulk):
    seed_bulk()
    before, links = _content(), _links()

    output = seed_bulk("--reset")

    assert f"{COUNT} initiatives de test supprimées" in output
    assert _content() == before
    assert _links() == links


def test_portable_writer_gives_the_same_rows(seed_bulk, monkeypatch):
    """SQLite takes the bulk_create path; it must write what COPY writes."""
    seed_bulk(count=100)
    before, links = _content(), _links()
    bulk.bulk_delete()
    monkeypatch.setattr(bulk, "_CopyWriter", bulk._OrmWriter)

    seed_bulk(count=100)

    assert _content() == before
    assert _links() == links


def test_reset_leaves_other_initiatives_alone(seed_bulk):
    kept = f.InitiativeFactory(slug="tablettes-ain")
    StatusChange.objects.create(initiative=kept, from_status="draft", to_status="submitted")
    seed_bulk()
    touched = StatusChange.objects.create(
        initiative=bulk_rows().first(), from_status="draft", to_status="submitted"
    )

    seed_bulk("--reset", count=10)

    assert Initiative.objects.filter(pk=kept.pk).exists()
    assert kept.status_changes.count() == 1
    assert kept.axes.exists()
    assert bulk_rows().count() == 10
    assert not StatusChange.objects.filter(pk=touched.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full text is PostgreSQL's")
def test_full_text_search_is_meaningful(seed_bulk):
    seed_bulk()

    def hits(words):
        query = SearchQuery(words, search_type="websearch", config="french_unaccent")
        return bulk_rows().filter(search_vector=query).count()

    assert hits("numerique") > 0.9 * COUNT  # in nearly every row, accents or not
    assert 0 < hits("tablettes") < COUNT / 2
    assert hits("tablettes college") < hits("tablettes")


def test_parallel_writer_writes_every_batch_once_and_reports_progress():
    batches = [[1, 2], [3, 4], [5], [6, 7]]
    written, seen = [], []

    def write(rows):
        written.append(rows)
        return len(rows), 10 * len(rows)

    links = bulk._write_parallel(
        batches,
        generate=lambda numbers: [n * 100 for n in numbers],
        write=write,
        jobs=2,
        progress=lambda done, total: seen.append((done, total)),
    )

    assert sorted(n for rows in written for n in rows) == [100, 200, 300, 400, 500, 600, 700]
    assert links == 70
    assert seen[-1] == (7, 7) and len(seen) == 4


def test_parallel_writer_stops_at_the_first_error():
    def write(rows):
        if rows == [3]:
            raise RuntimeError("COPY refusé")
        return len(rows), 0

    with pytest.raises(RuntimeError, match="COPY refusé"):
        bulk._write_parallel(
            [[1], [2], [3], [4]], generate=list, write=write, jobs=2, progress=None
        )


def test_no_parallel_sessions_inside_a_transaction(db):
    # Other sessions could not see this transaction's rows (tests run inside one).
    assert bulk._jobs(4) == 1


def test_every_never_seen_series_draws_different_paths_that_answer(seed_bulk, client):
    """benchmarks/fresh.py: each uncached scenario gets the paths it asks for (one, or
    many, all different while the data lasts), and they are pages of the portal."""
    from django.urls import Resolver404, resolve

    from benchmarks.fresh import GENERATORS, fresh_paths

    seed_bulk()
    for name in GENERATORS:
        assert len(fresh_paths(name, 1)) == 1, name
        paths = fresh_paths(name, 12)
        assert len(paths) == 12, name
        if name not in ("catalogue", "map", "statistics", "catalogue axis", "catalogue region"):
            assert len(set(paths)) > 1, name
        for path in paths[:2]:
            try:
                resolve(path.split("?")[0])
            except Resolver404:
                pytest.fail(f"{name}: {path}")
