"""Territories found from what a person types: a name (accents and case ignored), a postcode
or an INSEE code; and what was typed resolved to one territory, or to a choice."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from referentials.hierarchy import COMMUNE_CODE_PATTERN
from referentials.models import Territory, TerritoryAlias

SEARCH_LIMIT = 20


QUERY_MAX_LENGTH = 100


LEVEL_NAMES = {
    Territory.Level.REGION: _("région"),
    Territory.Level.DEPARTMENT: _("département"),
    Territory.Level.EPCI: _("intercommunalité"),
    Territory.Level.COMMUNE: _("commune"),
}


def territory_label(territory: Territory) -> str:
    """What the text input shows once a territory is chosen: unambiguous and readable."""
    return (
        f"{territory.name} — {LEVEL_NAMES.get(territory.level, territory.level)} ({territory.code})"
    )


LABEL_PATTERN = re.compile(r"^(?P<name>.+) — [^()]+ \((?P<code>[0-9A-Za-z]{1,9})\)$")


def _normalise(text: str | None) -> str:
    # Control characters (NUL among them, which PostgreSQL refuses) are never part of a name.
    text = "".join(c for c in str(text or "") if unicodedata.category(c)[0] != "C" or c in "\t\n")
    return " ".join(text.split())


def normalise_query(text: str | None) -> str:
    return _normalise(text)[:QUERY_MAX_LENGTH]


def labelled(territories):
    """Give each territory its `label` for the templates, and `match_note` (why a code
    that is not its own finds it) when there is one."""
    for territory in territories:
        territory.label = territory_label(territory)
        territory.match_note = getattr(territory, "match_note", "")
    return territories


# Letters and the accented forms they stand for, both cases: "saint-etienne" finds
# "Saint-Étienne". A regular expression rather than unaccent(): PostgreSQL answers it from
# the trigram index on referentials_territory.name (a few ms on 36,000 rows, against tens
# of ms for unaccent() on every row).
ACCENT_CLASSES = {
    "a": "aàâäáãåAÀÂÄÁÃÅ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíìIÎÏÍÌ",
    "n": "nñNÑ",
    "o": "oôöóòõOÔÖÓÒÕ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿýYŸÝ",
}


SEPARATORS = " -'’"


def _accent_insensitive_regex(text: str) -> str:
    parts = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base in ACCENT_CLASSES:
            parts.append(f"[{ACCENT_CLASSES[base]}]")
        elif char in SEPARATORS:
            parts.append("[- '’]")  # "saint etienne" finds "Saint-Étienne"
        else:
            parts.append(re.escape(char))
    return "".join(parts)


# Five characters (COMMUNE_CODE_PATTERN) are looked up among the communes' other codes too:
# a postcode, the code of a former commune or of an arrondissement municipal.
# Up to 46 communes share a postcode: all of them are offered (a bounded, indexed read).
ALIAS_LIMIT = 100


@dataclass(frozen=True)
class AliasMatch:
    """How a territory answers a code that is not its own INSEE code."""

    kind: str
    value: str
    name: str = ""

    @property
    def note(self) -> str:
        """Why the territory is offered, next to its label: "code postal 33000"."""
        if self.kind == TerritoryAlias.Kind.POSTCODE:
            return gettext("code postal %(code)s") % {"code": self.value}
        if self.kind == TerritoryAlias.Kind.DISTRICT_CODE:
            return gettext("code INSEE %(code)s (%(name)s)") % {
                "code": self.value,
                "name": self.name or gettext("arrondissement municipal"),
            }
        if self.name:
            return gettext("ancien code INSEE %(code)s (%(name)s)") % {
                "code": self.value,
                "name": self.name,
            }
        return gettext("ancien code INSEE %(code)s") % {"code": self.value}


def alias_matches(code: str) -> dict[int, AliasMatch]:
    """Territory id → how it answers this code (a postcode, a former or arrondissement
    code), in one indexed query; a code that once designated the commune is preferred to a
    postcode of the same value in the note."""
    code = (code or "").strip().upper()
    if not COMMUNE_CODE_PATTERN.match(code):
        return {}
    rows = TerritoryAlias.objects.filter(value=code)
    found: dict[int, AliasMatch] = {}
    for territory_id, kind, name in rows.values_list("territory_id", "kind", "name").order_by(
        "territory_id"
    )[:ALIAS_LIMIT]:
        match = AliasMatch(kind=kind, value=code, name=name)
        if territory_id not in found or kind in TerritoryAlias.CODE_KINDS:
            found[territory_id] = match
    return found


def territory_search(query: str | None, *, limit: int = SEARCH_LIMIT) -> list[Territory]:
    """Territories whose name contains the text (whatever the accents, case, hyphens) or,
    for digits, whose INSEE code starts with it, or (five characters) the communes with this
    postcode or former code; exact matches first (the current INSEE code before the other
    codes), then prefixes, then the most populated.

    At most two indexed queries whatever the text; on PostgreSQL a name that matches
    nothing falls back to trigram word similarity (typos).
    """
    label = LABEL_PATTERN.match(_normalise(query))
    if label:  # a label shown earlier, e.g. after the browser restored the form
        found = Territory.objects.filter(code=label["code"], name=label["name"]).order_by("pk")
        results = list(found[:limit])
        if results:
            for territory in results:
                territory.rank = 0
            return labelled(results)
    q = normalise_query(query)
    if len(q) < 2 and not (q.isdigit() and q):
        return []
    aliases: dict[int, AliasMatch] = {}
    if re.fullmatch(r"[0-9][0-9ABab][0-9]{0,7}", q):
        code = q.upper()
        aliases = alias_matches(code)
        matches = Q(code__startswith=code)
        exact, prefix = Q(code=code), matches
        if aliases:
            # Every exact match is offered: the commune with this code and all the others.
            limit = max(limit, len(aliases) + 1)
            matches |= Q(pk__in=list(aliases))
            exact |= Q(pk__in=list(aliases))
        # The current INSEE code first, then postcodes (what people know best), then the
        # former codes (75001 is Paris's postcode and, before 1968, Alfortville's code).
        postcodes = [pk for pk, m in aliases.items() if m.kind == TerritoryAlias.Kind.POSTCODE]
        via = Case(
            When(code=code, then=Value(0)),
            When(pk__in=postcodes, then=Value(1)),
            When(pk__in=list(aliases), then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    else:
        pattern = _accent_insensitive_regex(q)
        matches = Q(name__iregex=pattern)
        exact, prefix = Q(name__iregex=f"^{pattern}$"), Q(name__iregex=f"^{pattern}")
        via = Value(0, output_field=IntegerField())
    results = list(
        Territory.objects.filter(matches)
        .annotate(
            rank=Case(
                When(exact, then=Value(0)),
                When(prefix, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            via=via,
        )
        .order_by("rank", "via", "-population", "name", "pk")[:limit]
    )
    for territory in results:
        match = aliases.get(territory.pk) if territory.via else None
        territory.match_note = match.note if match else ""
    if not results and connection.vendor == "postgresql" and len(q) >= 3 and q[0].isalpha():
        results = list(
            Territory.objects.filter(name__trigram_word_similar=q)
            .annotate(similarity=TrigramWordSimilarity(q, "name"))
            .order_by("-similarity", "-population", "pk")[:limit]
        )
        for territory in results:
            territory.rank = 3
    return labelled(results)


def territories_named(text: str | None, *, limit: int = 5) -> list[Territory]:
    """Territories whose whole name is the text (accents, case and hyphens aside), the most
    populated first: one indexed query, no typo tolerance."""
    q = normalise_query(text)
    if len(q) < 2 or q.isdigit():
        return []
    pattern = _accent_insensitive_regex(q)
    return list(
        Territory.objects.filter(name__iregex=f"^{pattern}$").order_by("-population", "pk")[:limit]
    )


@dataclass
class Resolution:
    """The outcome of resolving what the user typed to one territory."""

    text: str = ""
    territory: Territory | None = None
    candidates: list[Territory] = field(default_factory=list)
    error: str = ""


def _territory_or_none(value) -> Territory | None:
    try:
        return Territory.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


def resolve_territory(text: str | None, *, selected_id=None, picked_id=None) -> Resolution:
    """One territory from a typed text.

    `selected_id` is the territory chosen earlier (by the script or a previous submission):
    it stands while the text still shows its label. `picked_id` comes from the list of
    candidates offered for an ambiguous text: it stands when it matches that text.
    Otherwise a unique exact match (name or code), or a single result, is taken; several
    results are offered as candidates.
    """
    text = _normalise(text)
    if not text:
        return Resolution()
    selected = _territory_or_none(selected_id) if selected_id not in (None, "") else None
    if selected is not None and text == _normalise(territory_label(selected)):
        return Resolution(text=territory_label(selected), territory=selected)
    candidates = territory_search(text)
    picked = None
    if picked_id not in (None, ""):
        picked = next((c for c in candidates if str(c.pk) == str(picked_id)), None)
    if picked is not None:
        return Resolution(text=territory_label(picked), territory=picked)
    exact = [c for c in candidates if getattr(c, "rank", 9) == 0]
    if len(exact) == 1:
        return Resolution(text=territory_label(exact[0]), territory=exact[0])
    if len(candidates) == 1 and getattr(candidates[0], "rank", 9) <= 2:
        return Resolution(text=territory_label(candidates[0]), territory=candidates[0])
    if not candidates:
        return Resolution(
            text=text,
            error=gettext(
                "Aucun territoire ne correspond à « %(text)s ». Vérifiez l'orthographe ou "
                "tapez le code INSEE."
            )
            % {"text": text},
        )
    return Resolution(
        text=text,
        candidates=candidates,
        error=gettext(
            "Plusieurs territoires correspondent à « %(text)s » : choisissez-le dans la liste."
        )
        % {"text": text},
    )
