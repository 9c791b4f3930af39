"""A large, deterministic catalogue for load tests (`python -m benchmarks seed_bulk`).

Rows are built from word lists with one random generator per row number, so row 42 is the
same whatever the count or the order of runs; inserted with `bulk_create` in batches, many-to-
many rows included. Bulk rows have slugs `bulk-000001`… and no status history or change
history (they are load-test data, not demo stories).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import itertools
import math
import os
import random
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction

from benchmarks.bulk_words import (
    ESTABLISHMENTS,
    EXTRA_SENTENCES,
    FIRST_DAY,
    FUNDING,
    GOALS,
    LAST_DAY,
    LEVEL_WEIGHTS,
    RARE_SENTENCES,
    SCHOOL_LEVELS,
    SIZES,
    STATUS_WEIGHTS,
    SUBJECTS,
    THEME_WEIGHTS,
    TITLE_ENDINGS,
    VERBS,
)
from committee.demo import content as c
from committee.demo.french import de_territory
from committee.demo.seed import territories_ensure
from committee.reference_data import reference_data_load
from initiatives.models import Initiative, SchoolLevel
from referentials.models import Territory

PREFIX = "bulk-"
DEFAULT_SEED = 2015
S = Initiative.Status
L = Territory.Level
UTC = datetime.UTC


@dataclass
class BulkReport:
    requested: int
    created: int
    skipped: int
    deleted: int
    seconds: float
    m2m_rows: int


# --- Entry point ------------------------------------------------------------------------------


def bulk_seed(
    *,
    count: int,
    seed: int = DEFAULT_SEED,
    reset: bool = False,
    batch_size: int = 5_000,
    jobs: int | None = None,
    progress=None,
) -> BulkReport:
    """Create `bulk-000001` … `bulk-{count}`, skipping those that exist.

    `reset` deletes every bulk row first. Rows depend only on (seed, row number). On
    PostgreSQL rows go in with COPY (bulk_create spends most of its time building SQL),
    from `jobs` database sessions at once; elsewhere with bulk_create. Each batch is its own
    transaction: an interrupted run keeps whole batches, and running again completes it.
    """
    started = time.monotonic()
    territories_ensure()
    reference = reference_data_load()
    organisations, axes, items = reference.organisations, reference.axes, reference.items

    deleted = bulk_delete() if reset else 0
    existing = set(
        Initiative.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True)
    )
    todo = [n for n in range(1, count + 1) if _slug(n) not in existing]
    generator = _Generator(seed=seed, organisations=organisations, axes=axes, items=items)
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]

    jobs = _jobs(jobs)
    if jobs > 1:
        m2m_rows = _write_parallel(
            batches, generate=generator.rows, write=_write_in_own_session, jobs=jobs,
            progress=progress,
        )  # fmt: skip
    else:
        writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
        m2m_rows = _write_serial(batches, generate=generator.rows, write=writer, progress=progress)
    return BulkReport(
        requested=count,
        created=len(todo),
        skipped=count - len(todo),
        deleted=deleted,
        seconds=time.monotonic() - started,
        m2m_rows=m2m_rows,
    )


def _jobs(jobs: int | None) -> int:
    """Parallel sessions only where they can help and see our data.

    They need PostgreSQL, more than one CPU, and no open transaction here: another session
    would not see rows this one has not committed (the territories just loaded, say).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    if jobs is None:
        return min(2, os.cpu_count() or 1)
    return max(1, jobs)


def _write_serial(batches, *, generate, write, progress) -> int:
    """One session; the next batch is generated (pure Python) while the database works."""
    m2m_rows = done = 0
    total = sum(map(len, batches))
    with ThreadPoolExecutor(max_workers=1) as prefetch:
        upcoming = prefetch.submit(generate, batches[0]) if batches else None
        for index in range(len(batches)):
            rows = upcoming.result()
            if index + 1 < len(batches):
                upcoming = prefetch.submit(generate, batches[index + 1])
            with transaction.atomic():
                m2m_rows += write.write(rows)
            done += len(rows)
            if progress:
                progress(done, total)
    return m2m_rows


def _write_parallel(batches, *, generate, write, jobs, progress) -> int:
    """`jobs` threads write batches, each with its own session; this thread generates.

    At most `jobs` batches wait in line, which bounds memory. The first error stops the run
    (batches already written stay: they are complete and a new run skips them).
    """
    m2m_rows = done = 0
    total = sum(map(len, batches))
    pending: deque = deque()
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="seed-bulk")
    try:
        for numbers in [*batches, None]:
            if numbers is not None:
                pending.append(pool.submit(write, generate(numbers)))
            while pending and (numbers is None or len(pending) > jobs):
                written, links = pending.popleft().result()
                m2m_rows += links
                done += written
                if progress:
                    progress(done, total)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return m2m_rows


def _write_in_own_session(rows: list[_Row]) -> tuple[int, int]:
    """Runs in a worker thread, whose Django connection is its own; closed when done."""
    try:
        with transaction.atomic():
            return len(rows), _CopyWriter().write(rows)
    finally:
        connection.close()


def bulk_delete() -> int:
    """Delete every bulk row and what points at it, in a few set-based statements.

    `QuerySet.delete()` would load each initiative and run the change-history signals row
    by row; bulk rows have no history of their own.
    """
    queryset = Initiative.objects.filter(slug__startswith=PREFIX)
    ids = queryset.values("pk")
    with transaction.atomic():
        for relation in Initiative._meta.get_fields(include_hidden=True):
            if not (relation.auto_created and not relation.concrete and relation.one_to_many):
                continue
            related = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": ids}
            )
            on_delete = relation.on_delete
            if on_delete is models.SET_NULL:
                related.update(**{relation.field.name: None})
            elif on_delete in (models.CASCADE, models.DO_NOTHING):
                related.delete()
            elif related.exists():
                raise models.ProtectedError(
                    f"{relation.related_model.__name__} protège des initiatives de test.",
                    set(related[:10]),
                )
        history = getattr(Initiative, "history", None)
        if history is not None:
            history.model._base_manager.filter(id__in=ids).delete()
        return queryset._raw_delete(queryset.db)


def _slug(number: int) -> str:
    return f"{PREFIX}{number:06d}"


# --- Writers ----------------------------------------------------------------------------------


@dataclass
class _Row:
    values: dict  # Initiative attname → value
    links: dict[str, list[int]]  # many-to-many field name → target primary keys


M2M_FIELDS = ("territories", "partners", "axes", "school_levels", "referential_items")


def _through(name: str):
    field = Initiative._meta.get_field(name)
    return (
        field.remote_field.through,
        field.m2m_field_name() + "_id",
        field.m2m_reverse_field_name() + "_id",
    )


class _OrmWriter:
    """Portable path (SQLite): bulk_create for the rows and their many-to-many links."""

    def write(self, rows: list[_Row]) -> int:
        with _given_timestamps():
            objs = Initiative.objects.bulk_create([Initiative(**row.values) for row in rows])
        count = 0
        for name in M2M_FIELDS:
            model, source, target = _through(name)
            links = [
                model(**{source: obj.pk, target: target_id})
                for obj, row in zip(objs, rows, strict=True)
                for target_id in row.links[name]
            ]
            model.objects.bulk_create(links, batch_size=10_000)
            count += len(links)
        return count


class _CopyWriter:
    """PostgreSQL path: primary keys drawn from the sequence, then COPY for every table.

    The search-vector trigger fires on COPY as on INSERT. Columns the generator does not
    fill get their model default, so a field added later does not break the load.
    """

    def __init__(self):
        self.fields = [
            f
            for f in Initiative._meta.concrete_fields
            if not f.primary_key and not f.column.endswith("_vector")  # the trigger's
        ]
        self.defaults = {f.attname: f.get_default() for f in self.fields}

    def write(self, rows: list[_Row]) -> int:
        table = Initiative._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            attnames = [f.attname for f in self.fields]
            self._copy(
                cursor,
                table,
                ["id", *(f.column for f in self.fields)],
                (
                    (pk, *(row.values.get(a, self.defaults[a]) for a in attnames))
                    for pk, row in zip(ids, rows, strict=True)
                ),
            )
            count = 0
            for name in M2M_FIELDS:
                model, source, target = _through(name)
                links = [
                    (pk, target_id)
                    for pk, row in zip(ids, rows, strict=True)
                    for target_id in row.links[name]
                ]
                self._copy(cursor, model._meta.db_table, [source, target], links)
                count += len(links)
        return count

    @staticmethod
    def _copy(cursor, table, columns, rows) -> None:
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


@contextlib.contextmanager
def _given_timestamps():
    """Let bulk rows keep the creation dates we give them (`auto_now*` would overwrite)."""
    fields = [Initiative._meta.get_field("created_at"), Initiative._meta.get_field("updated_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, (auto_now, auto_now_add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# --- Row generation ---------------------------------------------------------------------------


class _Pool:
    """Territories of one level, drawn with a weight growing with population."""

    def __init__(self, rows):
        self.rows = rows
        self.cum_weights = list(itertools.accumulate(math.sqrt(row[5]) + 10 for row in rows))

    def pick(self, rng: random.Random):
        x = rng.random() * self.cum_weights[-1]
        return self.rows[bisect.bisect(self.cum_weights, x)]


def _cumulative(weights: dict) -> tuple[list, list]:
    return list(weights), list(itertools.accumulate(weights.values()))


class _Generator:
    COLUMNS = (
        "pk",
        "level",
        "code",
        "region_code",
        "department_code",
        "population",
        "epci_id",
        "name",
        "epci_kind",
    )

    def __init__(self, *, seed, organisations, axes, items):
        self.seed = seed
        self.orgs = {acronym: org.pk for acronym, org in organisations.items()}
        self.axes = {number: axis.pk for number, axis in axes.items()}
        self.items = {code: item.pk for code, item in items.items()}
        self.levels = dict(SchoolLevel.objects.values_list("code", "pk"))
        by_level = defaultdict(list)
        self.communes_of = defaultdict(list)  # ("department"|"region"|"epci", key) → pks
        for row in Territory.objects.order_by("level", "code").values_list(*self.COLUMNS):
            by_level[row[1]].append(row)
            if row[1] == L.COMMUNE:
                self.communes_of[("department", row[4])].append(row[0])
                self.communes_of[("region", row[3])].append(row[0])
                if row[6]:
                    self.communes_of[("epci", row[6])].append(row[0])
        if not all(by_level[level] for level in LEVEL_WEIGHTS):
            raise LookupError("Territoires manquants : lancez d'abord manage.py load_territories.")
        self.pools = {level: _Pool(rows) for level, rows in by_level.items()}
        self.level_choices, self.level_weights = _cumulative(LEVEL_WEIGHTS)
        self.status_choices, self.status_weights = _cumulative(STATUS_WEIGHTS)
        self.theme_choices, self.theme_weights = _cumulative(THEME_WEIGHTS)
        self.partner_pool = ["CDC", "MEN", "RFVE", "Villes Internet", "AMRF"]

    def rows(self, numbers: list[int]) -> list[_Row]:
        return [self.row(n) for n in numbers]

    def row(self, number: int) -> _Row:
        rng = random.Random(self.seed * 1_000_003 + number)  # noqa: S311 - test data
        level = rng.choices(self.level_choices, cum_weights=self.level_weights)[0]
        territory = self.pools[level].pick(rng)
        pk, _, code, region_code, department_code, population, _, name, epci_kind = territory
        theme = rng.choices(self.theme_choices, cum_weights=self.theme_weights)[0]
        status = rng.choices(self.status_choices, cum_weights=self.status_weights)[0]
        org = self._organisation(rng, level, population, epci_kind)

        subject, subject_object = rng.choice(SUBJECTS[theme])
        establishments = rng.choice(ESTABLISHMENTS[level])
        of_place = de_territory(level, code, name)
        who = self._who(level, code, name, of_place)
        title = self._title(rng, subject, subject_object, establishments, of_place, name)
        summary = (
            f"{who} {rng.choice(VERBS)} {subject_object} dans ses {establishments} "
            f"{rng.choice(GOALS)}."
        )
        description = self._description(rng, level, theme, who, of_place, establishments)

        dates = self._dates(rng, status)
        schools_range, pupils_range, budget_range = SIZES[level]
        schools = rng.randint(*schools_range)
        pupils = schools * rng.randint(*pupils_range)
        budget = Decimal(schools * rng.randint(*budget_range)).quantize(Decimal("1000"))
        published = status in (S.PUBLISHED, S.ARCHIVED)
        outcomes = (
            c.THEMES[theme]["outcomes"].format(schools=schools, pupils=pupils) if published else ""
        )
        contact = rng.random() < 0.2
        values = {
            "title": title[:200],
            "slug": _slug(number),
            "summary": summary[:500],
            "description": description,
            "outcomes": outcomes,
            "lead_organisation_id": self.orgs[org],
            "lead_collectivity_id": pk,
            "collectivity_level": level,
            "region_code": region_code,
            "department_code": department_code,
            "population_band": Territory.band_of(population),
            "start_date": dates["start"],
            "start_year": dates["start"].year if dates["start"] else None,
            "end_date": dates["end"],
            "budget": budget,
            "funding_sources": rng.choice(FUNDING[level]),
            "schools_reached": schools,
            "pupils_reached": pupils,
            "contact_name": f"Service éducation, {name}" if contact else "",
            "contact_email": f"contact-{number:06d}@{c.DEMO_EMAIL_DOMAIN}" if contact else "",
            "contact_phone": "",
            "contact_consent": contact,
            "status": status,
            "created_by_id": None,
            "assignee_id": None,
            "status_changed_at": dates["changed"],
            "submitted_at": dates["submitted"],
            "published_at": dates["published"],
            "created_at": dates["created"],
            "updated_at": dates["changed"] or dates["created"],
        }
        return _Row(values, self._links(rng, level, territory, theme, org))

    @staticmethod
    def _who(level, code, name, of_place) -> str:
        if level == L.REGION:
            return f"Le conseil régional {of_place}"
        if level == L.DEPARTMENT:
            return f"Le conseil départemental {of_place}"
        if level == L.EPCI:
            if name.startswith(("Communauté", "Métropole")):
                return "La " + name[0].lower() + name[1:]
            return name
        return f"La commune {of_place}"

    def _organisation(self, rng, level, population, epci_kind) -> str:
        if level == L.DEPARTMENT:
            return "ADF"
        if level == L.REGION:
            return "ARF"
        if level == L.EPCI:
            return "AMGVF" if epci_kind in ("ME", "CU") else "AMF"
        if population < 3_500:
            options = (("AMRF", 6), ("AMF", 3), ("Villes Internet", 1))
        elif population > 100_000:
            options = (("AMGVF", 6), ("AMF", 2), ("Villes Internet", 1), ("RFVE", 1))
        else:
            options = (("AMF", 5), ("AMVBF", 2), ("Villes Internet", 2), ("RFVE", 1))
        names, weights = zip(*options, strict=True)
        return rng.choices(names, weights=weights)[0]

    def _title(self, rng, subject, subject_object, establishments, of_place, name) -> str:
        pattern = rng.randrange(4)
        if pattern == 0:
            return f"{subject} pour les {establishments} {of_place}"
        if pattern == 1:
            return f"{subject} dans les {establishments} {of_place}"
        if pattern == 2:
            return f"{name} : {subject_object} {rng.choice(TITLE_ENDINGS)}"
        return f"{subject} au service des {establishments} {of_place}"

    def _description(self, rng, level, theme, who, of_place, establishments) -> str:
        parts = [
            c.LEVEL_CONTEXT[level].format(who=who),
            c.THEMES[theme]["demarche"],
            *rng.sample(EXTRA_SENTENCES, rng.randint(1, 3)),
        ]
        if rng.random() < 0.9:
            parts.append(
                f"Le projet concerne les {establishments} {of_place} et s'inscrit dans la "
                "stratégie numérique éducative du territoire."
            )
        if rng.random() < 0.01:
            parts.append(rng.choice(RARE_SENTENCES))
        return "\n\n".join(parts)

    def _dates(self, rng, status) -> dict:
        span = (LAST_DAY - FIRST_DAY).days
        in_flight = status in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)
        if in_flight:
            moment = _moment(LAST_DAY - datetime.timedelta(days=rng.randint(0, 120)), rng)
        else:
            moment = _moment(FIRST_DAY + datetime.timedelta(days=rng.randint(0, span)), rng)
        start = max(
            moment.date() - datetime.timedelta(days=rng.randint(-120, 540)),
            datetime.date(2016, 1, 1),
        )
        end = None
        if rng.random() < 0.8:
            end = start + datetime.timedelta(days=rng.randint(180, 1800))
        submitted = None
        if status != S.DRAFT:
            submitted = moment - datetime.timedelta(days=rng.randint(3, 40))
        published = changed = None
        if status == S.PUBLISHED:
            published = changed = moment
        elif status == S.ARCHIVED:
            published = moment
            changed = min(
                moment + datetime.timedelta(days=rng.randint(365, 1500)),
                _moment(LAST_DAY, rng),
            )
            changed = max(changed, moment + datetime.timedelta(hours=1))
        elif status != S.DRAFT:
            changed = moment
        created = (submitted or moment) - datetime.timedelta(days=rng.randint(2, 45))
        return {
            "start": start,
            "end": end,
            "submitted": submitted,
            "published": published,
            "changed": changed,
            "created": created,
        }

    def _links(self, rng, level, territory, theme, org) -> dict[str, list[int]]:
        pk, _, code = territory[:3]
        territories = [pk]
        if level != L.COMMUNE and rng.random() < 0.3:
            key = {
                L.DEPARTMENT: ("department", code),
                L.REGION: ("region", code),
                L.EPCI: ("epci", pk),
            }[level]
            communes = self.communes_of.get(key)
            if communes:
                territories += rng.sample(communes, min(len(communes), rng.randint(1, 3)))
        partners = [p for p in rng.sample(self.partner_pool, rng.randint(0, 2)) if p != org]
        theme_axes = c.THEMES[theme]["axes"]
        axes = list(theme_axes[: rng.randint(1, len(theme_axes))])
        if rng.random() < 0.15:
            extra = rng.randint(1, 6)
            if extra not in axes:
                axes.append(extra)
        levels = rng.choice(SCHOOL_LEVELS[level])
        theme_items = [i for i in c.THEMES[theme]["items"] if i in self.items]
        chosen = rng.sample(theme_items, rng.randint(1, len(theme_items))) if theme_items else []
        return {
            "territories": territories,
            "partners": [self.orgs[p] for p in partners],
            "axes": [self.axes[n] for n in axes],
            "school_levels": [self.levels[code] for code in levels],
            "referential_items": [self.items[code] for code in chosen],
        }


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(7, 18), rng.randint(0, 59), rng.randint(0, 59))
    ).replace(tzinfo=UTC)
