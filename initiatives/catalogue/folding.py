"""Accent- and case-insensitive text search on the embedded SQLite demo.

PostgreSQL searches with the `french_unaccent` configuration: `numerique`, `Numérique` and
`NUMÉRIQUE` find the same initiatives. SQLite has no such thing: its `LIKE` folds ASCII case
only. Each SQLite connection gets a function `cnpe_fold(text)` (registered when the
connection opens), and the catalogue compares folded text with folded words. What still
differs from PostgreSQL (no stemming, no ranking) is said in the README.
"""

from __future__ import annotations

import unicodedata

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func, Q, Value
from django.db.models.lookups import Contains

FUNCTION = "cnpe_fold"
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(text: str | None) -> str | None:
    """`text` without accents, ligatures or case: "Œuvre numérique" → "oeuvre numerique"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Fold(Func):
    """`cnpe_fold(expression)`: only on SQLite connections, where it is registered."""

    function = FUNCTION
    output_field = CharField()


def folded_search(value: str, fields: tuple[str, ...]) -> Q:
    """Every word of `value` in one of `fields`, accents and case aside (websearch-like: the
    words are ANDed, as PostgreSQL's `websearch_to_tsquery` does)."""
    condition = Q()
    for word in (fold(value) or "").replace('"', " ").split():
        if word.lower() == "or" or word.startswith("-"):
            continue  # operators of the websearch syntax: not text to find
        any_field = Q()
        for field in fields:
            any_field |= Q(Contains(Fold(field), Value(word)))
        condition &= any_field
    return condition


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, fold, deterministic=True)


connection_created.connect(_register, dispatch_uid="cnpe-sqlite-fold")
