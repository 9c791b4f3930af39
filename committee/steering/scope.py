"""The steering statistics' scope: the catalogue's filters read across statuses.

The scope is every initiative except the associations' drafts, narrowed by the catalogue's
filters (the same parameters as /initiatives/) and by `status`: empty means published
(what the catalogue shows), `all` means every status but draft.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from committee.plan.models import Action
from committee.steering import tallies
from committee.steering.tallies import ALL_STATUSES
from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.models import Initiative
from initiatives.models import Status as S


class StatisticsFilterSet(CatalogueFilterSet):
    """The catalogue's filters plus a status, over every initiative but drafts."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Statut"),
        method="filter_status",
        empty_label=gettext_lazy("Publiées"),
        choices=[
            (ALL_STATUSES, gettext_lazy("Tous les statuts (hors brouillons)")),
            *[(s.value, s.label) for s in S if s not in (S.DRAFT, S.PUBLISHED)],
        ],
    )

    def filter_queryset(self, queryset, exclude: str | set | None = None, *, counting=True):
        # Statistics group and count: the counting forms of the conditions by default.
        queryset = super().filter_queryset(queryset, exclude=exclude, counting=counting)
        excluded = {exclude} if isinstance(exclude, str) else set(exclude or ())
        if "status" not in excluded and not self.cleaned.get("status"):
            queryset = queryset.filter(status=S.PUBLISHED)
        return queryset

    def filter_status(self, queryset, name, value):
        return queryset.filter(self._status_condition(value))

    @staticmethod
    def _status_condition(value) -> Q:
        return Q() if value == ALL_STATUSES else Q(status=value)


def statistics_filterset(data=None) -> StatisticsFilterSet:
    """The filters of a query dict (or a plain dict of parameters, as reports store them).

    Always bound, even to nothing: an unbound filterset would skip `filter_queryset`, hence
    the default to published initiatives.
    """
    return StatisticsFilterSet(data or {}, queryset=Initiative.objects.exclude(status=S.DRAFT))


def filter_params(filterset: StatisticsFilterSet) -> dict[str, str]:
    """The valid, non-empty parameters, as text (what a report or a cache key keeps)."""
    return {k: str(v) for k, v in sorted(filterset.cleaned.items()) if k != "sort"}


@dataclass
class Scope:
    filterset: StatisticsFilterSet
    today: datetime.date
    # Count from the catalogue's bitmaps when enabled; background jobs (the warming job, the
    # reports' workers) use the grouped queries rather than build an index of their own.
    use_bitmaps: bool = True

    @cached_property
    def selected(self):
        """Initiatives under every filter, the status included (published by default)."""
        return self.filterset.qs.order_by()

    @cached_property
    def pipeline(self):
        """Initiatives under every filter but the status (all but drafts)."""
        return self.filterset.filtered_without("status").order_by()

    @cached_property
    def published(self):
        return self.pipeline.filter(status=S.PUBLISHED)

    @property
    def choices(self):
        return self.filterset.choices

    @cached_property
    def tally(self) -> tallies.Tally | None:
        """The counts from the catalogue's bitmaps (published initiatives) and one statement
        (the other statuses), or None: then each figure runs its grouped query."""
        return tallies.tally(self.filterset) if self.use_bitmaps else None

    @property
    def geography(self) -> tuple[str | None, str | None]:
        """The région and the département chosen (coverage is counted inside them)."""
        params = self.filterset.cleaned
        return params.get("region"), params.get("department")

    def actions(self):
        """Actions of the plan under the axis and partner filters."""
        actions = Action.objects.all()
        params = self.filterset.cleaned
        if params.get("axis"):
            actions = actions.filter(axis__number=params["axis"])
        if params.get("partner"):
            through = Action.lead_partners.through
            actions = actions.filter(
                Exists(
                    through.objects.filter(
                        action_id=OuterRef("pk"), organisation__acronym=params["partner"]
                    )
                )
            )
        return actions
