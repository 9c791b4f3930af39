"""The catalogue's clean URLs and the active filters shown as removable tags."""

from __future__ import annotations

from django.utils.http import urlencode
from django.utils.translation import gettext as _

from initiatives.catalogue.filters import CatalogueFilterSet

# Parameters that mean nothing without another one: the territory's scope without a territory.
DEPENDS_ON = {"territory_scope": "territory"}


def clean_query(query) -> str | None:
    """The query string of `query` (a QueryDict) without its empty parameters, or None when
    it has none: `?q=&axis=1&region=` → `axis=1` (and `territory_scope` goes with an empty
    territory)."""
    pairs = [(key, value) for key, values in query.lists() for value in values]
    present = {key for key, value in pairs if value.strip()}
    kept = [
        (key, value)
        for key, value in pairs
        if value.strip() and DEPENDS_ON.get(key, key) in present
    ]
    if len(kept) == len(pairs):
        return None
    return urlencode(kept)


def active_filters(params: dict[str, str], facets: dict) -> list[dict[str, str]]:
    """Each criterion in use, with a label and the URL that removes it (sort is not one)."""
    labels = {name: str(f.label) for name, f in CatalogueFilterSet.base_filters.items()}
    active = []
    for name, value in params.items():
        if name in ("sort", "page"):
            continue
        if name == "q":
            text = _("Recherche : « %(value)s »") % {"value": value}
        else:
            shown = value
            facet = facets.get(name)
            if facet is not None:
                shown = next((str(o["label"]) for o in facet.options if o["value"] == value), value)
            text = f"{labels.get(name, name)} : {shown}"
        rest = {k: v for k, v in params.items() if k not in (name, "page")}
        active.append(
            {
                "name": name,
                "label": text,
                "remove_url": "?" + urlencode(rest) if rest else "?",
            }
        )
    return active
