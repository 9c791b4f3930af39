"""Writes on policy contributions (the secretariat's, CONTRIBUTION_MANAGE) and their documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.contributions.models import Contribution, ContributionDocument
from committee.contributions.notifications import Kinds
from initiatives.documents import document_attach, document_remove
from members.models import Organisation
from members.permissions import Perm, require
from members.services import event_record


@dataclass(frozen=True)
class ContributionData:
    title: str
    summary: str
    body: str = ""
    slug: str = ""
    axes: list[Axis] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(base) or "contribution")[:240]
    slug, n = base, 2
    while Contribution.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_contribution(data: ContributionData, *, contribution=None) -> None:
    errors = {}
    if not data.title.strip():
        errors["title"] = _("Le titre est obligatoire.")
    if not data.summary.strip():
        errors["summary"] = _("Le résumé est obligatoire.")
    if data.slug and (
        Contribution.objects.filter(slug=data.slug)
        .exclude(pk=getattr(contribution, "pk", None))
        .exists()
    ):
        errors["slug"] = _("Cette adresse est déjà prise.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contribution_create(*, by, data: ContributionData) -> Contribution:
    """A new contribution, as a draft (published by `contribution_publish`)."""
    require(by, Perm.CONTRIBUTION_MANAGE)
    _check_contribution(data)
    contribution = Contribution.objects.create(
        title=data.title.strip()[:255],
        slug=data.slug or _unique_slug(data.title),
        summary=data.summary.strip(),
        body=data.body,
    )
    contribution.axes.set(data.axes)
    contribution.organisations.set(data.organisations)
    return contribution


@transaction.atomic
def contribution_update(*, contribution: Contribution, by, data: ContributionData) -> Contribution:
    require(by, Perm.CONTRIBUTION_MANAGE)
    _check_contribution(data, contribution=contribution)
    contribution.title = data.title.strip()[:255]
    contribution.summary = data.summary.strip()
    contribution.body = data.body
    if data.slug:
        contribution.slug = data.slug
    contribution.save()
    contribution.axes.set(data.axes)
    contribution.organisations.set(data.organisations)
    return contribution


def contribution_publish(*, contribution: Contribution, by) -> Contribution:
    """Publish: the contribution and its documents become public."""
    return _contribution_move(
        contribution, by=by, to=Contribution.Status.PUBLISHED, event=Kinds.PUBLISHED
    )


def contribution_unpublish(*, contribution: Contribution, by) -> Contribution:
    """Back to draft: the page and its documents are no longer public."""
    return _contribution_move(
        contribution, by=by, to=Contribution.Status.DRAFT, event=Kinds.UNPUBLISHED
    )


@transaction.atomic
def _contribution_move(contribution: Contribution, *, by, to: str, event: str) -> Contribution:
    """Move to status `to` (published: dated now; draft: undated) and record `event`;
    nothing happens if it is there already."""
    require(by, Perm.CONTRIBUTION_MANAGE)
    current = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if current.status == to:
        return current
    current.status = to
    current.published_at = timezone.now() if to == Contribution.Status.PUBLISHED else None
    current.save(update_fields=["status", "published_at", "updated_at"])
    event_record(kind=event, actor=by, target=current, data={"slug": current.slug})
    contribution.status, contribution.published_at = current.status, current.published_at
    return current


def contribution_document_add(
    *, contribution: Contribution, by, upload, title: str = ""
) -> ContributionDocument:
    """Attach a file after checking what it really is (initiatives.documents: by content,
    10 MB at most). Raises ValidationError and writes nothing when refused."""
    require(by, Perm.CONTRIBUTION_MANAGE)
    return document_attach(
        ContributionDocument(contribution=contribution), upload=upload, title=title, by=by
    )


@transaction.atomic
def contribution_document_delete(*, document: ContributionDocument, by) -> None:
    require(by, Perm.CONTRIBUTION_MANAGE)
    document_remove(document)
