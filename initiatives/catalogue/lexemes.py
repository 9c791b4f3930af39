"""Full-text search from the catalogue's bitmaps: the frequent words in memory.

A word found in most initiatives ("numérique") made PostgreSQL read every published row to
list its matches (a sequential scan: 100 ms and more at 100,000, ten times that at a
million), then the process turn those ids into ranks. Here the index (bitmaps.py) also holds,
for each *frequent* lexeme (in at least `CATALOGUE_LEXEME_MIN_DOCS` published initiatives,
a few hundred lexemes carrying nearly all the postings), the ranks of the initiatives whose
text, title, and title or summary contain it. A query is then evaluated on bitmaps: AND, OR
and NOT of its lexemes, for the matches and for each relevance tier.

Rare lexemes are read from PostgreSQL (their GIN index answers a few hundred rows in a few
milliseconds). Queries the evaluator does not handle (phrases "…", prefixes, weights, no
lexeme at all) go to the SQL search as before: the answer is the same, only slower.

A lexeme is in memory only if its three bitmaps are complete: a refresh (publication,
withdrawal, edit) updates the lexemes already held and never adds one (bitmaps.refreshed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from pyroaring import BitMap

LEXEME, LEXEME_TITLE, LEXEME_HEAD = "lexeme", "lexeme_title", "lexeme_head"
LEXEME_FACETS = (LEXEME, LEXEME_TITLE, LEXEME_HEAD)
VECTORS = {LEXEME: "search_vector", LEXEME_TITLE: "title_vector", LEXEME_HEAD: "head_vector"}


def min_docs() -> int:
    return getattr(settings, "CATALOGUE_LEXEME_MIN_DOCS", 1000)


def build_sql(*, table: str) -> tuple[str, list[str]]:
    """A CTE `f` of the frequent lexemes with their ranks (one %s: the threshold), and the
    statements (facet, key, ranks) of the three facets, read from the materialised `r`."""
    cte = (
        f"f AS MATERIALIZED (SELECT w.lexeme, array_agg(r.rank) AS ranks FROM r "  # noqa: S608
        f"JOIN {table} i ON i.id = r.id "
        "CROSS JOIN LATERAL unnest(tsvector_to_array(i.search_vector)) AS w(lexeme) "
        "GROUP BY w.lexeme HAVING count(*) >= %s)"
    )
    parts = [f"SELECT '{LEXEME}', f.lexeme, f.ranks FROM f"]  # noqa: S608
    for facet in (LEXEME_TITLE, LEXEME_HEAD):
        parts.append(
            f"SELECT '{facet}', w.lexeme, array_agg(r.rank) FROM r "  # noqa: S608
            f"JOIN {table} i ON i.id = r.id "
            f"CROSS JOIN LATERAL unnest(tsvector_to_array(i.{VECTORS[facet]})) AS w(lexeme) "
            "WHERE w.lexeme IN (SELECT lexeme FROM f) GROUP BY w.lexeme"
        )
    return cte, parts


# -- the query ---------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-D]+)?|(<\d*-?>)|([&|!()]))")


class Unsupported(Exception):
    """A query the evaluator leaves to SQL (phrase, prefix, weight, unexpected text)."""


@dataclass
class Node:
    op: str  # "word", "and", "or", "not"
    word: str = ""
    children: tuple = ()

    def words(self) -> set[str]:
        if self.op == "word":
            return {self.word}
        return set().union(*(child.words() for child in self.children))


def parse(tsquery: str) -> Node:
    """PostgreSQL's text of a tsquery ('tablet' & !'robot' | 'fibr') as a tree."""
    tokens = []
    position = 0
    text = tsquery.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise Unsupported(text[position:])
        lexeme, suffix, phrase, op = match.groups()
        if suffix or phrase:
            raise Unsupported(suffix or phrase)
        tokens.append(("word", lexeme.replace("''", "'")) if lexeme is not None else (op, ""))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    if not tokens:
        raise Unsupported("empty")
    tree, rest = _or(tokens)
    if rest:
        raise Unsupported("trailing")
    return tree


def _or(tokens):
    left, tokens = _and(tokens)
    while tokens and tokens[0][0] == "|":
        right, tokens = _and(tokens[1:])
        left = Node("or", children=(left, right))
    return left, tokens


def _and(tokens):
    left, tokens = _not(tokens)
    while tokens and tokens[0][0] == "&":
        right, tokens = _not(tokens[1:])
        left = Node("and", children=(left, right))
    return left, tokens


def _not(tokens):
    if not tokens:
        raise Unsupported("missing operand")
    kind, value = tokens[0]
    if kind == "!":
        child, rest = _not(tokens[1:])
        return Node("not", children=(child,)), rest
    if kind == "(":
        inner, rest = _or(tokens[1:])
        if not rest or rest[0][0] != ")":
            raise Unsupported("parenthesis")
        return inner, rest[1:]
    if kind == "word":
        return Node("word", word=value), tokens[1:]
    raise Unsupported(kind)


def evaluate(node: Node, sets: dict[str, BitMap], universe: BitMap) -> BitMap:
    """The ranks matching the tree, each word's ranks in `sets`."""
    if node.op == "word":
        return sets[node.word]
    if node.op == "not":
        return universe - evaluate(node.children[0], sets, universe)
    left, right = (evaluate(child, sets, universe) for child in node.children)
    return left & right if node.op == "and" else left | right


def search(index, q: str, *, config: str, table: str, published_status: str):
    """(matches, [title tier, head tier]) for the text typed, or None to leave it to SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT websearch_to_tsquery('{config}', %s)::text", [q])
        tsquery = cursor.fetchone()[0] or ""
    try:
        tree = parse(tsquery)
    except Unsupported:
        return None
    held = index.values[LEXEME]
    words = tree.words()
    rare = sorted(word for word in words if word not in held)
    by_facet: dict[str, dict[str, BitMap]] = {facet: {} for facet in LEXEME_FACETS}
    for word in words - set(rare):
        for facet in LEXEME_FACETS:
            by_facet[facet][word] = index.values[facet].get(word) or BitMap()
    if rare:
        # One statement for the rare words: their matches and tiers, through the GIN index.
        branches, params = [], []
        for word in rare:
            branches.append(
                "SELECT %s, array_agg(id), "  # noqa: S608
                "array_agg(id) FILTER (WHERE title_vector @@ %s::tsquery), "
                "array_agg(id) FILTER (WHERE head_vector @@ %s::tsquery) "
                f"FROM {table} WHERE status = %s AND search_vector @@ %s::tsquery"
            )
            quoted = "'" + word.replace("'", "''") + "'"
            params += [word, quoted, quoted, published_status, quoted]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(branches), params)
            for word, *found in cursor.fetchall():
                for facet, ids in zip(LEXEME_FACETS, found, strict=True):
                    by_facet[facet][word] = index.ranks_of(ids or ())
    universe = index.published
    matches, title, head = (evaluate(tree, by_facet[facet], universe) for facet in LEXEME_FACETS)
    return matches, [title & matches, head & matches]
