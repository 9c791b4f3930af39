"""The officials' review queue: what is waiting, for how long, and for whom.

Every choice list here is a small table (axes, régions, associations, officials); the queue
itself is one query with its related rows joined, whatever its length.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import Case, Exists, OuterRef, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from initiatives.models import Initiative
from initiatives.models import Status as S
from members.models import Organisation
from members.permissions import officials, review_scope
from referentials.models import Territory

# What officials have to act on (or follow), shown unless another status is chosen.
QUEUE_STATUSES = (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)
# Drafts belong to their association until submitted: never in the review.
REVIEWABLE_STATUSES = tuple(s for s in S if s != S.DRAFT)
WAITING_BUCKETS = (
    ("7", _("Plus de 7 jours")),
    ("30", _("Plus de 30 jours")),
)


def with_waiting_since(queryset):
    """Since when each initiative waits: its last submission while officials hold it,
    its last change of status otherwise."""
    return queryset.annotate(
        waiting_since=Case(
            When(
                status__in=[S.SUBMITTED, S.IN_REVIEW],
                then=Coalesce("submitted_at", "status_changed_at", "created_at"),
            ),
            default=Coalesce("status_changed_at", "created_at"),
        )
    )


def queue_queryset(user):
    return (
        with_waiting_since(review_scope(user))
        .select_related("lead_organisation", "lead_collectivity", "assignee")
        .prefetch_related("axes")
        .order_by("waiting_since", "pk")
    )


class ReviewQueueFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[(s.value, s.label) for s in REVIEWABLE_STATUSES],
        empty_label=_("À traiter (soumises, en instruction, modifications demandées)"),
    )
    waiting = django_filters.ChoiceFilter(
        label=_("En attente depuis"),
        choices=WAITING_BUCKETS,
        empty_label=_("Toutes durées"),
        method="filter_waiting",
    )
    axis = django_filters.ChoiceFilter(
        label=_("Axe de travail"), empty_label=_("Tous les axes"), method="filter_axis"
    )
    region = django_filters.ChoiceFilter(
        label=_("Région"), field_name="region_code", empty_label=_("Toutes les régions")
    )
    partner = django_filters.ChoiceFilter(
        label=_("Association porteuse"),
        field_name="lead_organisation__acronym",
        empty_label=_("Toutes les associations"),
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Instructeur"), empty_label=_("Tous"), method="filter_assignee"
    )

    sort = django_filters.ChoiceFilter(
        label=_("Ordre"),
        choices=[
            ("attente", _("Attente la plus longue d'abord")),
            ("recente", _("Attente la plus courte d'abord")),
        ],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = Initiative
        fields: list[str] = []

    def filter_sort(self, queryset, name, value):
        """By waiting time: the longest first (the queue's order) or the shortest first."""
        if value == "recente":
            return queryset.order_by("-waiting_since", "-pk")
        return queryset.order_by("waiting_since", "pk")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        axis_model = Initiative.axes.field.related_model
        self.filters["axis"].extra["choices"] = [
            (str(a.number), f"{a.number}. {a.short_title}") for a in axis_model.objects.all()
        ]
        self.filters["region"].extra["choices"] = list(
            Territory.objects.filter(level=Territory.Level.REGION)
            .order_by("name")
            .values_list("region_code", "name")
        )
        self.filters["partner"].extra["choices"] = [
            (acronym, acronym)
            for acronym in Organisation.objects.exclude(kind=Organisation.Kind.MINISTRY)
            .order_by("acronym")
            .values_list("acronym", flat=True)
        ]
        self.officials = list(officials())
        self.filters["assignee"].extra["choices"] = [
            ("me", _("Moi")),
            ("none", _("Personne")),
            *[(str(user.pk), str(user)) for user in self.officials],
        ]

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=QUEUE_STATUSES)
        return super().filter_queryset(queryset)

    def filter_waiting(self, queryset, name, value):
        limit = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(waiting_since__lt=limit)

    def filter_axis(self, queryset, name, value):
        through = Initiative.axes.through.objects.filter(
            initiative=OuterRef("pk"), axis__number=int(value)
        )
        return queryset.filter(Exists(through))

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(Q(assignee_id=int(value)))
