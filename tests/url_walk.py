"""Every URL pattern of the project as concrete paths, filled with real objects' values.

`url_patterns()` lists (pattern pieces, URLPattern) for the whole resolver tree (route and
regex patterns alike); `concrete_paths(pieces, world)` fills each parameter from `world`
(`ints`: real primary keys, `slugs`: real slugs, `strings`: tokens and other text).
"""

import itertools
import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


def url_patterns(resolvers=None, prefix=()):
    """(list of pattern pieces, URLPattern) for every URL pattern of the project."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry.url_patterns, (*prefix, entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (*prefix, entry.pattern), entry


def view_names(resolvers=None, namespace=""):
    """Every named URL pattern's view name, with its namespaces ("initiatives:catalogue")."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from view_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def candidates(name, converter, world):
    if converter == "int" or name.endswith("pk") or name in {"object_id", "id", "pk"}:
        return [str(i) for i in world["ints"]]
    if converter == "slug" or name == "slug":
        return world["slugs"]
    fixed = {
        "level": ["departements", "regions", "communes"],
        "code": ["75", "A1"],
        "version": ["1"],
        "section": ["initiatives", "pages"],
        "number": ["1"],
        "app_label": ["members", "initiatives", "committee"],
        "content_type_id": ["1"],
        "url": ["x/"],
        "uidb36": ["1"],
        "key": ["abc"],
    }
    return fixed.get(name, world["strings"])


def concrete_paths(pieces, world, limit=8):
    """Concrete paths for a pattern made of route/regex pieces, filled with real values."""
    template = ""
    slots = []
    for piece in pieces:
        if isinstance(piece, RoutePattern):
            text = str(piece)
            for m in ROUTE_PARAM.finditer(text):
                slots.append((m.group("name"), m.group("converter") or "str"))
            template += ROUTE_PARAM.sub(lambda m: "{" + str(len(slots)) + "}", text)
        elif isinstance(piece, RegexPattern):
            text = str(piece).lstrip("^").rstrip("$")
            template += REGEX_GROUP.sub(lambda m: "{" + m.group("name") + "}", text)
            slots.extend((m.group("name"), "re") for m in REGEX_GROUP.finditer(text))
    # Rebuild the template with positional slots in order.
    names = [name for name, _ in slots]
    template = re.sub(r"\{[^{}]*\}", "{}", template)
    if "\\" in template or "(" in template:
        template = template.replace("\\", "")
    pools = [candidates(name, conv, world) for name, conv in slots]
    for values in itertools.islice(itertools.product(*pools), limit):
        yield "/" + template.format(*values), dict(zip(names, values, strict=True))
