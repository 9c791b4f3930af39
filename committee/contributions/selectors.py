"""Reads of policy contributions."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from committee.axes import Axis
from committee.contributions.models import Contribution
from members.models import Organisation


def published_contributions():
    return (
        Contribution.objects.filter(status=Contribution.Status.PUBLISHED)
        .prefetch_related(
            Prefetch("axes", queryset=Axis.objects.order_by("number")),
            Prefetch("organisations", queryset=Organisation.objects.order_by("acronym")),
        )
        .order_by("-published_at", "-pk")
    )


def contributions_for_management():
    return (
        Contribution.objects.annotate(document_count=Count("documents"))
        .prefetch_related(Prefetch("axes", queryset=Axis.objects.order_by("number")))
        .order_by("status", "-published_at", "-created_at")
    )
