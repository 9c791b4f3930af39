"""The catalogue's territory filter, which follows the territorial hierarchy.

`territory` takes what a person types (a name, an INSEE code, the label the autocomplete
shows) or a key ("commune-33063"); `territory_scope` says which initiatives it means:

- `inside`: led by the territory or by a territory inside it, or covering one of them;
- `covering`: led by (or covering) one of its parents (EPCI, départements, région) but not
  inside it;
- `all` (the default): both, those inside first in the "newest" order.

The full-text search also matches the names of the territories an initiative's
territories contain or belong to: "Clermont-Ferrand" finds what Clermont Auvergne Métropole
leads (see `with_territory_names`).

Every condition is an id list (UNION of indexed branches), never a join + DISTINCT.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from referentials.hierarchy import (
    KEY_PATTERN,
    Level,
    lineage,
    territory_by_key,
    territory_key,
)
from referentials.models import Territory
from referentials.search import (
    normalise_query,
    resolve_territory,
    territories_named,
    territory_label,
)

INSIDE, COVERING, ALL = "inside", "covering", "all"
SCOPES = [
    (ALL, _("Aussi les initiatives qui le couvrent (département, région…)")),
    (INSIDE, _("Seulement les initiatives dans ce territoire")),
    (COVERING, _("Seulement les initiatives qui le couvrent")),
]
DEFAULT_SCOPE = ALL
NOTHING = Q(pk__isnull=True)  # matches no row, and compiles inside the facets' statement
TERRITORY_TEXT_MAX = 200
NAMES_MATCHED = 5  # territories an exact name may stand for ("Saint-Denis")
NAMES_CACHE_SECONDS = 24 * 3600


def _ids(queryset, field: str):
    return queryset.order_by().values(field)


def _published():
    return Initiative.objects.filter(status=Initiative.Status.PUBLISHED)


def inside_branches(territory: Territory) -> list:
    """Id lists of the initiatives led by or covering this territory or one inside it."""
    through = Initiative.territories.through
    if territory.level == Level.REGION:
        led = _published().filter(region_code=territory.code)
        covered = through.objects.filter(territory__region_code=territory.code)
    elif territory.level == Level.DEPARTMENT:
        led = _published().filter(department_code=territory.code)
        covered = through.objects.filter(territory__department_code=territory.code)
    elif territory.level == Level.EPCI:
        members = Q(pk=territory.pk) | Q(epci_id=territory.pk)
        places = Territory.objects.filter(members).values("pk")
        led = _published().filter(lead_collectivity__in=places)
        covered = through.objects.filter(territory__in=places)
    else:
        led = _published().filter(lead_collectivity_id=territory.pk)
        covered = through.objects.filter(territory_id=territory.pk)
    return [_ids(led, "pk"), _ids(covered, "initiative_id")]


def covering_branches(ancestor_ids) -> list:
    """Id lists of the initiatives led by or covering one of these (parent) territories."""
    through = Initiative.territories.through
    led = _published().filter(lead_collectivity_id__in=ancestor_ids)
    covered = through.objects.filter(territory_id__in=ancestor_ids)
    return [_ids(led, "pk"), _ids(covered, "initiative_id")]


def _union(branches: list):
    return branches[0].union(*branches[1:])


def inside_ids(territory: Territory):
    return _union(inside_branches(territory))


def covering_ids(ancestor_ids: list[int]):
    return _union(covering_branches(ancestor_ids))


def scope_condition(territory: Territory, ancestor_ids: list[int], scope: str) -> Q:
    inside = Q(pk__in=inside_ids(territory))
    if scope == INSIDE:
        return inside
    if not ancestor_ids:  # a région: nothing above it but the nation
        return inside if scope == ALL else NOTHING
    covering = Q(pk__in=covering_ids(ancestor_ids))
    if scope == COVERING:
        return covering & ~inside
    # One id list rather than an OR of two (which would test every published row).
    return Q(pk__in=_union(inside_branches(territory) + covering_branches(ancestor_ids)))


class TerritoryFilterMixin:
    """For the catalogue's FilterSet: the `territory` and `territory_scope` parameters."""

    _territory_cache: dict

    @property
    def territory(self) -> Territory | None:
        """The territory chosen (resolved by the form), if any."""
        return getattr(self.form, "territory", None) if self.cleaned.get("territory") else None

    @property
    def territory_scope(self) -> str:
        return self.cleaned.get("territory_scope") or DEFAULT_SCOPE

    def _territory_ancestors(self, territory: Territory) -> list[int]:
        cache = self.__dict__.setdefault("_territory_cache", {})
        if territory.pk not in cache:
            cache[territory.pk] = lineage(territory).ancestor_ids
        return cache[territory.pk]

    def _territory_condition(self, value) -> Q:
        territory = self.territory
        if territory is None:  # a key valid in form but gone since
            return NOTHING
        return scope_condition(
            territory, self._territory_ancestors(territory), self.territory_scope
        )

    def _territory_scope_condition(self, value) -> Q:
        return Q()  # read by _territory_condition

    def territory_local_first(self) -> bool:
        return self.territory is not None and self.territory_scope == ALL

    def territory_tier(self):
        """0 for initiatives inside the territory, 1 for those covering it."""
        return Case(
            When(Q(pk__in=inside_ids(self.territory)), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )

    def applied_territory(self) -> dict | None:
        """What the API and the exports report they applied."""
        territory = self.territory
        if territory is None:
            return None
        return {
            "key": territory_key(territory),
            "level": territory.level,
            "code": territory.code,
            "name": territory.name,
            "scope": self.territory_scope,
        }

    def with_territory_names(self, text_condition: Q, value: str) -> Q:
        """The full-text condition, or the initiatives inside or covering a territory whose
        name is exactly the text typed ("Clermont-Ferrand")."""
        places = self._named_territories(value)
        if not places:
            return text_condition
        branches = [_ids(_published().filter(text_condition), "pk")]
        for territory in places:
            branches += inside_branches(territory)
            branches += covering_branches(_parents_subquery(territory))
        return Q(pk__in=_union(branches))

    def text_names_territories(self, value: str) -> bool:
        """Whether the full-text search also follows the hierarchy of territories it names."""
        return bool(self._named_territories(value))

    def _named_territories(self, value: str) -> list[Territory]:
        """Territories whose name is exactly the text (accents, case and hyphens aside):
        one query per text, then kept in the cache (territories change once a year)."""
        memo = self.__dict__.setdefault("_territory_names", {})
        if value in memo:
            return memo[value]
        text = normalise_query(value)
        key = "catalogue:territory-names:" + hashlib.sha256(text.lower().encode()).hexdigest()
        rows = cache.get(key)
        if rows is None:
            rows = [
                (t.pk, t.level, t.code, t.region_code, t.department_code, t.epci_id)
                for t in territories_named(text, limit=NAMES_MATCHED)
            ]
            cache.set(key, rows, NAMES_CACHE_SECONDS)
        memo[value] = [
            Territory(
                pk=pk,
                level=level,
                code=code,
                region_code=region_code,
                department_code=department_code,
                epci_id=epci_id,
            )
            for pk, level, code, region_code, department_code, epci_id in rows
        ]
        return memo[value]


def _parents_subquery(territory: Territory):
    """The ids of the territory's parents, as a subquery (no query of its own)."""
    condition = Q(level=Level.REGION, code=territory.region_code)
    if territory.level in (Level.COMMUNE, Level.EPCI):
        condition |= Q(level=Level.DEPARTMENT, code=territory.department_code)
    if territory.epci_id:
        condition |= Q(pk=territory.epci_id)
    return Territory.objects.filter(condition).exclude(pk=territory.pk).values("pk")


class TerritoryFormMixin:
    """For the catalogue's form: what was typed in `territory` resolved to one territory
    (its key is the cleaned value); ambiguous text offers `territory_candidates`."""

    territory: Territory | None = None
    territory_candidates: list[Territory] = []

    def clean_territory(self):
        text = " ".join(str(self.cleaned_data.get("territory") or "").split())
        self.territory, self.territory_candidates = None, []
        if not text:
            return ""
        if len(text) > TERRITORY_TEXT_MAX:
            raise forms.ValidationError(
                gettext("Le territoire compte au plus %(max)d caractères.")
                % {"max": TERRITORY_TEXT_MAX}
            )
        if KEY_PATTERN.match(text):
            territory = territory_by_key(text)
            if territory is None:
                raise forms.ValidationError(
                    gettext("Territoire inconnu : « %(text)s ».") % {"text": text}
                )
        else:
            resolution = resolve_territory(text)
            if resolution.territory is None:
                self.territory_candidates = resolution.candidates
                for candidate in self.territory_candidates:
                    candidate.key = territory_key(candidate)
                raise forms.ValidationError(resolution.error)
            territory = resolution.territory
        self.territory = territory
        self.territory_label = territory_label(territory)
        return territory_key(territory)

    def clean_territory_scope(self):
        return self.cleaned_data.get("territory_scope") or ""
