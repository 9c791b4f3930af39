"""Reads of policy contributions."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from committee.axes import Axis
from committee.contributions.models import Contribution
from members.models import Organisation


def published_contributions():
    return (
        Contribution.objects.filter(status=Contribution.Status.PUBLISHED)
        .select_related("drafting")  # written together on the portal, or not: no extra query
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


def signing_record(contribution: Contribution) -> dict | None:
    """For a contribution written together: the closed round's answers (signatories,
    abstentions, refusals, statements) and the versions with the accepted amendments and the
    organisations that proposed them. None for a contribution made before."""
    from committee.contributions.drafting_models import Drafting, Signature, SignatureRound

    try:
        drafting = contribution.drafting
    except Drafting.DoesNotExist:
        return None
    round_ = drafting.rounds.filter(status=SignatureRound.Status.CLOSED).first()
    answers = (
        list(round_.signatures.exclude(choice="").select_related("organisation")) if round_ else []
    )
    return {
        "signed": [a for a in answers if a.choice == Signature.Choice.SIGNED],
        "abstained": [a for a in answers if a.choice == Signature.Choice.ABSTAINED],
        "declined": [a for a in answers if a.choice == Signature.Choice.DECLINED],
        "versions": list(
            drafting.versions.select_related("amendment__organisation").order_by("number")
        ),
    }
