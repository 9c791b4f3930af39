"""Never-seen parameters for the *uncached* scenarios, drawn from the data.

A visitor rarely repeats a URL: every new commune, word or combination is a first request.
Each uncached scenario therefore gets one path per request, all different (a fresh commune,
word or combination), and the cached results are dropped before each request
(`counts_forget`: the catalogue's counts and facets, the map's counts, the steering figures
and their rendered fragment), so no count, facet, figure or page comes from a result cache.
The scenarios without parameters ("catalogue", "map", "statistics") request their bare
address each time, with nothing cached. The catalogue's version is left alone: what a
publication changes (each process's bitmaps refreshed) is measured by the cold rows.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from urllib.parse import urlencode

from benchmarks import bulk_words

SEED = 14
C = "/initiatives/?"
API = "/api/v1/initiatives/?"
M = "/carte/?"
S = "/pilotage/?"

# Cached results, whatever the version or filters: the catalogue's counts and facets, the
# map's counts (committee.public.selectors), the steering figures and the fragment of
# /pilotage/ rendered from them (committee.steering). Reference lists (choices) stay.
RESULT_PATTERNS = (
    "*catalogue:count:*",
    "*catalogue:facets:*",
    "*committee:map:*",
    "*statistics:*",
    "*template.cache.pilotage_figures.*",
)


def counts_forget() -> None:
    """Drop every cached result (RESULT_PATTERNS, every version), nothing else."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # django-redis: keys of our KEY_PREFIX only
        for pattern in RESULT_PATTERNS:
            cache.delete_pattern(pattern)
    else:
        cache.clear()


def _words(sentences, *, shortest: int = 6) -> list[str]:
    words = set()
    for sentence in sentences:
        for word in re.findall(r"[\wÀ-ÿ-]+", sentence):
            if len(word) >= shortest and "-" not in word:
                words.add(word.lower())
    return sorted(words)


def _values() -> dict[str, list[str]]:
    """The values each parameter takes in the data set (small reference tables)."""
    from committee.models import Axis
    from initiatives.models import Initiative, SchoolLevel, Status
    from members.models import Organisation
    from referentials.models import ReferentialItem, Territory

    territories = Territory.objects.filter
    communes = (
        Initiative.objects.filter(status="published", collectivity_level="commune")
        .order_by("lead_collectivity__code")
        .values_list("lead_collectivity__code", flat=True)
        .distinct()
    )
    return {
        "axis": [str(n) for n in Axis.objects.values_list("number", flat=True)],
        "region": list(territories(level="region").values_list("code", flat=True)),
        "department": list(territories(level="department").values_list("code", flat=True)),
        "commune": list(communes[:5000]),
        "collectivity": [level for level, _label in Territory.Level.choices],
        "school_level": list(SchoolLevel.objects.values_list("code", flat=True)),
        "item": sorted(set(ReferentialItem.objects.values_list("code", flat=True))),
        "partner": list(Organisation.objects.values_list("acronym", flat=True)),
        "year": [str(y) for y in range(2012, 2027)],
        # /pilotage/'s status: every status but drafts, or one of those not published.
        "status": ["all", *(s for s in Status if s not in (Status.DRAFT, Status.PUBLISHED))],
        "page": [str(p) for p in range(500, 4000)],
        "api page": [str(p) for p in range(2, 1600)],  # 50 rows a page: 84,000 rows
        "q common": _words([*bulk_words.GOALS, *bulk_words.TITLE_ENDINGS]),
        "q rare": _words(bulk_words.RARE_SENTENCES),
        "q title": _words(title for titles in bulk_words.SUBJECTS.values() for title, _ in titles),
        **_territories(),
    }


def _territories() -> dict[str, list[str]]:
    """Territories of every level (all régions and départements, EPCI and communes drawn
    from the 36,000, with or without initiatives): their pages, catalogue keys and the
    first letters of their names as typed in the autocomplete."""
    from referentials.hierarchy import territory_key, territory_path
    from referentials.models import Territory

    rng = random.Random(SEED)  # noqa: S311
    chosen = []
    for level, count in (("region", 18), ("department", 101), ("epci", 400), ("commune", 4000)):
        pks = list(Territory.objects.filter(level=level).values_list("pk", flat=True))
        chosen += rng.sample(pks, min(count, len(pks)))
    places = list(Territory.objects.filter(pk__in=chosen).order_by("pk"))
    names = sorted({p.name.lower()[: rng.randint(3, 7)] for p in places if p.level == "commune"})
    return {
        "territory page": [territory_path(p) for p in places],
        "territory key": [territory_key(p) for p in places],
        "territory prefix": [n for n in names if len(n.strip()) >= 3],
    }


def _combinations(
    values: dict, names: list[str], count: int, rng, *, base: str = C, **fixed
) -> list[str]:
    """`count` different paths combining one value of each of `names` (cycled if fewer)."""
    if count <= 0:
        return []
    pools = [rng.sample(values[n], len(values[n])) for n in names]
    product = list(itertools.islice(itertools.product(*pools), 50_000))
    rng.shuffle(product)
    picked = product[:count] or [()]
    paths = [
        base + urlencode({**dict(zip(names, combo, strict=True)), **fixed}) for combo in picked
    ]
    return list(itertools.islice(itertools.cycle(paths), count))


def _mixed(values: dict, shapes: list[list[str]], count: int, rng, *, base: str) -> list[str]:
    """`count` different paths, each shape of parameters in turn (one, two or three; a
    kind of words, "q common", is the parameter `q` drawn from those words)."""
    each = -(-count // len(shapes))
    runs = []
    for names in shapes:
        pools = {name.split()[0]: values[name] for name in names}
        runs.append(_combinations(pools, list(pools), each, rng, base=base))
    return [path for group in zip(*runs, strict=True) for path in group][:count]


# The map's filters (committee.public.views.browse.MAP_FILTERS): the département is what the
# map shows, never one of them.
MAP_SHAPES = [
    ["axis", "collectivity"],
    ["region", "school_level"],
    ["partner", "year"],
    ["axis", "region", "collectivity"],
    ["item"],
    ["q common", "axis"],
]
# /pilotage/'s criteria: the catalogue's and the status (every status but drafts, or one).
STATISTICS_SHAPES = [
    ["region", "status"],
    ["axis", "department"],
    ["collectivity", "school_level", "status"],
    ["partner", "year"],
    ["item", "status"],
    ["commune"],
    ["q title", "region"],
]


GENERATORS: dict[str, Callable] = {
    "catalogue": lambda v, n, r: [C.rstrip("?")] * n,
    "catalogue axis": lambda v, n, r: _combinations(v, ["axis"], n, r),
    "catalogue region": lambda v, n, r: _combinations(v, ["region"], n, r),
    "catalogue department": lambda v, n, r: _combinations(v, ["department"], n, r),
    "catalogue commune": lambda v, n, r: _combinations(v, ["commune"], n, r),
    "catalogue collectivity": lambda v, n, r: _combinations(v, ["collectivity"], n, r),
    "catalogue school_level": lambda v, n, r: _combinations(v, ["school_level"], n, r),
    "catalogue item": lambda v, n, r: _combinations(v, ["item"], n, r),
    "catalogue partner": lambda v, n, r: _combinations(v, ["partner"], n, r),
    "catalogue year": lambda v, n, r: _combinations(v, ["year"], n, r),
    "catalogue combo 1": lambda v, n, r: _combinations(v, ["axis", "region"], n, r),
    "catalogue combo 2": lambda v, n, r: _combinations(
        v, ["department", "school_level", "year"], n, r
    ),
    "catalogue combo 3": lambda v, n, r: _combinations(
        v, ["collectivity", "partner", "item"], n, r, sort="title"
    ),
    "catalogue q common": lambda v, n, r: _q(v, "q common", n, r),
    "catalogue q rare": lambda v, n, r: _q(v, "q rare", n, r),
    "catalogue q title": lambda v, n, r: _q(v, "q title", n, r),
    "catalogue q + filters": lambda v, n, r: _q(v, "q title", n, r, "region", "axis"),
    "catalogue deep page": lambda v, n, r: _combinations(v, ["page"], n, r),
    "territory page": lambda v, n, r: _sample(v["territory page"], n, r),
    # The API with the catalogue's filters: a never-seen page, combination or word each time.
    "api list": lambda v, n, r: [
        API + urlencode({"page": page}) for page in _sample(v["api page"], n, r)
    ],
    "api list filtered": lambda v, n, r: [
        API + path.removeprefix(C)
        for path in _combinations(v, ["region", "axis", "year"], n // 2, r)
        + _combinations(
            {**v, "territory": v["territory key"]}, ["territory", "school_level"], n - n // 2, r
        )
    ],
    "catalogue territory all": lambda v, n, r: [
        C + urlencode({"territory": key, "territory_scope": "all"})
        for key in _sample(v["territory key"], n, r)
    ],
    "territory autocomplete": lambda v, n, r: [
        "/territoires/recherche.json?" + urlencode({"q": q})
        for q in _sample(v["territory prefix"], n, r)
    ],
    "map": lambda v, n, r: [M.rstrip("?")] * n,
    "map filtered": lambda v, n, r: _mixed(v, MAP_SHAPES, n, r, base=M),
    "statistics": lambda v, n, r: [S.rstrip("?")] * n,
    "statistics filtered": lambda v, n, r: _mixed(v, STATISTICS_SHAPES, n, r, base=S),
}


def _sample(pool: list[str], count: int, rng) -> list[str]:
    """`count` different values of the pool (cycled if it has fewer)."""
    picked = rng.sample(pool, min(count, len(pool))) or [""]
    return list(itertools.islice(itertools.cycle(picked), count))


def _q(values: dict, words: str, count: int, rng, *names: str) -> list[str]:
    pools = {"q": values[words], **{name: values[name] for name in names}}
    return _combinations(pools, ["q", *names], count, rng)


def fresh_paths(name: str, count: int) -> list[str] | None:
    """`count` never-seen paths for scenario `name`, or None if it has no uncached series."""
    generator = GENERATORS.get(name)
    if generator is None:
        return None
    return generator(_values(), count, random.Random(f"{SEED}:{name}"))  # noqa: S311
