"""What the steering statistics read in the catalogue's bitmaps (bitmaps.py) besides the
page's facets: published initiatives by lead organisation (the catalogue's `partner` is led
*or* partnered), and by quarter of their last submission and of their publication.

A quarter is the integer `year * 10 + quarter` (20241 for the first quarter of 2024) in
the current time zone, as TruncQuarter reads it; no quarter when the date is missing.
Never shown as the page's facets.
"""

from __future__ import annotations

from django.db.models.functions import ExtractQuarter, ExtractYear

LEAD_ORGANISATION = "lead_organisation"
SUBMITTED_QUARTER = "submitted_quarter"
PUBLISHED_QUARTER = "published_quarter"
QUARTERS = {SUBMITTED_QUARTER: "submitted_at", PUBLISHED_QUARTER: "published_at"}
FACETS = (LEAD_ORGANISATION, *QUARTERS)


def quarter(field: str):
    """The quarter of a date field as `year * 10 + quarter` (NULL without a date)."""
    return ExtractYear(field) * 10 + ExtractQuarter(field)


def annotations() -> dict:
    """The quarters, as annotations of an Initiative queryset named after their facet."""
    return {name: quarter(field) for name, field in QUARTERS.items()}


def key_of(value: int) -> tuple[int, int]:
    """(year, quarter) of a quarter's integer."""
    return int(value) // 10, int(value) % 10


def build_sql(*, organisations: str) -> list[str]:
    """The index build's statements (rows: facet, key, ranks), read from the materialised
    `r` (published initiatives with their rank and the annotations above)."""
    parts = [
        f"SELECT '{LEAD_ORGANISATION}', o.acronym, array_agg(r.rank) FROM r "  # noqa: S608
        f"JOIN {organisations} o ON o.id = r.lead_organisation_id GROUP BY o.acronym"
    ]
    parts += [
        f"SELECT '{name}', CAST(r.{name} AS TEXT), array_agg(r.rank) FROM r "  # noqa: S608
        f"WHERE r.{name} IS NOT NULL GROUP BY r.{name}"
        for name in QUARTERS
    ]
    return parts


def row_facets(lead_acronym, submitted, published) -> dict[str, list]:
    """One initiative's keys of these facets, for a refresh (None: no key)."""
    return {
        LEAD_ORGANISATION: [lead_acronym],
        SUBMITTED_QUARTER: [None if submitted is None else str(submitted)],
        PUBLISHED_QUARTER: [None if published is None else str(published)],
    }
