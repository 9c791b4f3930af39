"""Reads of published initiatives: the base of every public read, the catalogue's version, and
the public page of one initiative (one statement, with comparable territories)."""

from __future__ import annotations

import functools
import threading

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    QuerySet,
)
from django.utils import timezone

from initiatives.models import Initiative, SchoolLevel, Status, axis_model
from members.models import Organisation
from referentials.models import ReferentialItem, Territory

CACHE_SECONDS = 600


VERSION_KEY = "catalogue:version"


def published_initiatives():
    return Initiative.objects.filter(status=Status.PUBLISHED)


# Within one request the version is read from the cache once (a catalogue page needs it for
# its index, its choices and its cache keys); outside requests (tasks, shells) every call reads
# it. Set by the request_started and request_finished signals (InitiativesConfig.ready).
_request = threading.local()


def request_memo_start(**kwargs) -> None:
    _request.active, _request.version = True, None


def request_memo_end(**kwargs) -> None:
    _request.active, _request.version = False, None


def catalogue_version() -> str:
    version = getattr(_request, "version", None)
    if version is not None:
        return version
    version = cache.get(VERSION_KEY)
    if version is None:
        version = timezone.now().isoformat()
        cache.set(VERSION_KEY, version, None)
    if getattr(_request, "active", False):
        _request.version = version
    return version


SEQUENCE_KEY = "catalogue:sequence"
CHANGE_SECONDS = 3600


def catalogue_sequence() -> int:
    """How many catalogue changes were recorded (0 if none, or if the cache lost count)."""
    return cache.get(SEQUENCE_KEY) or 0


def catalogue_change(sequence: int) -> dict | None:
    """Change number `sequence`: {"ids": the initiatives changed, or "all" (unknown),
    "after": the catalogue version it replaced}; None if not (or no longer) recorded."""
    return cache.get(f"catalogue:change:{sequence}")


def catalogue_changed(ids=None) -> None:
    """Call after commit whenever the set of published initiatives changes.

    `ids`: the initiatives whose catalogue entry changed, recorded (numbered) so that each
    web process refreshes only those (initiatives/catalogue/bitmaps.py); None when anything
    may have changed (a territory reload)."""
    previous = cache.get(VERSION_KEY)
    try:
        cache.add(SEQUENCE_KEY, 0, None)
        sequence = cache.incr(SEQUENCE_KEY)
    except ValueError:  # the cache lost the key between the two calls, or is down
        sequence = None
    if sequence:
        change = {"ids": sorted(ids) if ids is not None else "all", "after": previous}
        cache.set(f"catalogue:change:{sequence}", change, CHANGE_SECONDS)
    version = timezone.now().isoformat()
    cache.set(VERSION_KEY, version, None)
    if getattr(_request, "active", False):  # the rest of this request sees the change
        _request.version = version


def _page_relations(initiative, *, level, band) -> dict:
    """The detail page's lists for `initiative` (a primary key, or OuterRef("pk") with
    `level` and `band` OuterRefs too): name → (queryset, fields shown)."""
    Axis = axis_model()
    from initiatives.models import Document

    through = Initiative.axes.through
    # The axes' subquery sits in the comparables' EXISTS: the initiative shown is two
    # levels further out than for the other lists.
    outer = OuterRef(OuterRef(initiative)) if isinstance(initiative, OuterRef) else initiative
    own_axes = through.objects.filter(initiative_id=outer).values("axis_id")
    return {
        "page_comparables": (
            _comparables(level, band, initiative, own_axes),
            ("title", "slug", "lead_collectivity__name", "lead_organisation__acronym"),
        ),
        "page_axes": (
            Axis.objects.filter(initiatives=initiative).order_by("number"),
            ("number", "short_title"),
        ),
        "page_levels": (
            SchoolLevel.objects.filter(initiatives=initiative).order_by("position"),
            ("label",),
        ),
        "page_partners": (
            Organisation.objects.filter(partner_initiatives=initiative).order_by("acronym"),
            ("acronym",),
        ),
        "page_territories": (
            Territory.objects.filter(covering_initiatives=initiative).order_by("name"),
            ("name",),
        ),
        "page_items": (
            ReferentialItem.objects.filter(initiatives=initiative).order_by(
                "referential__kind", "code"
            ),
            ("code", "label", "referential__name", "referential__version"),
        ),
        "page_documents": (
            Document.objects.filter(initiative=initiative, is_public=True).order_by(
                "uploaded_at", "pk"
            ),
            ("pk", "title", "content_type", "size"),
        ),
    }


def _page_base():
    return (
        published_initiatives()
        .select_related("lead_organisation", "lead_collectivity")
        .defer("search_vector", "title_vector", "head_vector")
    )


@functools.cache
def _page_queryset():
    """The page's statement with its JSON arrays (PostgreSQL), built once per process: the
    same for every initiative, only the slug filter is added."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models.functions import JSONObject

    relations = _page_relations(
        OuterRef("pk"), level=OuterRef("collectivity_level"), band=OuterRef("population_band")
    )
    return _page_base().annotate(
        **{
            name: ArraySubquery(
                related.values(
                    data=JSONObject(**{field.replace("__", "_"): field for field in fields})
                )
            )
            for name, (related, fields) in relations.items()
        }
    )


def initiative_public_page(slug: str) -> Initiative:
    """A published initiative with what its page shows, or Http404.

    Its related lists are attributes `page_axes`, `page_levels`, `page_partners`,
    `page_territories`, `page_items`, `page_documents` and `page_comparables` (initiatives
    of comparable territories): lists of dicts whose keys are the fields of
    `_page_relations` (`referential__name` read as `referential_name`). On PostgreSQL the
    whole page is one statement (each list an array of JSON objects); elsewhere, one query
    per list.
    """
    from django.shortcuts import get_object_or_404

    if connection.vendor == "postgresql":
        return get_object_or_404(_page_queryset(), slug=slug)
    initiative = get_object_or_404(_page_base(), slug=slug)
    relations = _page_relations(
        initiative.pk, level=initiative.collectivity_level, band=initiative.population_band
    )
    for name, (related, fields) in relations.items():
        rows = related.values(*fields)
        setattr(initiative, name, [{k.replace("__", "_"): v for k, v in r.items()} for r in rows])
    return initiative


COMPARABLES = 6


def _comparables(level, band, pk, axes) -> QuerySet:
    """Published initiatives of comparable territories: same collectivity level, same
    population band, sharing one of `axes` (a subquery of axis ids), other than `pk` —
    the question visitors ask most. Newest first: the (status, level, band, published_at)
    index gives them in order, and the axis test stops at the sixth."""
    through = Initiative.axes.through
    return (
        published_initiatives()
        .filter(collectivity_level=level, population_band=band)
        .exclude(pk=pk)
        .filter(Exists(through.objects.filter(initiative_id=OuterRef("pk"), axis_id__in=axes)))
        .order_by("-published_at", "-pk")[:COMPARABLES]
    )
