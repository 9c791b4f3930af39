"""The secretariat's contribution pages (/pilotage/plan/contributions/) and documents."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.contributions import forms as f
from committee.contributions import selectors as plan_selectors
from committee.contributions import services as plan_services
from committee.contributions.models import Contribution, ContributionDocument
from committee.http import form_post
from initiatives.documents import SizeLimitUploadHandler, file_download
from members.permissions import Perm, can, require


@login_required
@require_GET
def contributions_index(request):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    return render(
        request,
        "plan_admin/contributions.html",
        {"contributions": plan_selectors.contributions_for_management()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_create(request):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    form = f.ContributionForm(request.POST or None)

    def page():
        return render(
            request, "plan_admin/contribution_form.html", {"form": form, "contribution": None}
        )

    if request.method != "POST":
        return page()
    return form_post(
        request,
        form,
        lambda data: plan_services.contribution_create(by=request.user, data=form.to_data()),
        success=_("La contribution est enregistrée comme brouillon."),
        then=lambda contribution: reverse(
            "plan_admin:contribution", kwargs={"pk": contribution.pk}
        ),
        failed=page,
    )


def _contribution_page(request, contribution, *, form=None, document_form=None, status=200):
    return render(
        request,
        "plan_admin/contribution_form.html",
        {
            "contribution": contribution,
            "form": form or f.ContributionForm.for_contribution(contribution),
            "document_form": document_form or f.ContributionDocumentForm(),
            "documents": list(contribution.documents.order_by("uploaded_at", "pk")),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request, pk: int):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(
        Contribution.objects.prefetch_related("axes", "organisations"), pk=pk
    )
    if request.method == "GET":
        return _contribution_page(request, contribution)
    form = f.ContributionForm.for_contribution(contribution, request.POST)
    return form_post(
        request,
        form,
        lambda data: plan_services.contribution_update(
            contribution=contribution, by=request.user, data=form.to_data()
        ),
        success=_("La contribution est enregistrée."),
        then=reverse("plan_admin:contribution", kwargs={"pk": pk}),
        failed=lambda: _contribution_page(request, contribution, form=form, status=400),
    )


@login_required
@require_POST
def contribution_status(request, pk: int):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(Contribution, pk=pk)
    if request.POST.get("decision") == "publish":
        plan_services.contribution_publish(contribution=contribution, by=request.user)
        messages.success(request, _("La contribution est publiée, avec ses documents."))
    elif request.POST.get("decision") == "unpublish":
        plan_services.contribution_unpublish(contribution=contribution, by=request.user)
        messages.success(request, _("La contribution est retirée de la publication."))
    return redirect("plan_admin:contribution", pk=pk)


@csrf_protect
def _contribution_document_upload(request, pk: int):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    contribution = get_object_or_404(Contribution, pk=pk)
    form = f.ContributionDocumentForm(
        request.POST,
        request.FILES,
        oversized=bool(getattr(request, "oversized_uploads", None)),
    )
    return form_post(
        request,
        form,
        lambda data: plan_services.contribution_document_add(
            contribution=contribution, by=request.user, upload=data["file"], title=data["title"]
        ),
        success=lambda document: (
            _("Le document « %(title)s » est ajouté.") % {"title": document.title}
        ),
        then=reverse("plan_admin:contribution", kwargs={"pk": pk}) + "#documents",
        failed=lambda: _contribution_page(request, contribution, document_form=form, status=400),
        error_field="file",
    )


@csrf_exempt  # checked by _contribution_document_upload once the size limit is in place
@login_required
@require_POST
def contribution_document_upload(request, pk: int):
    """Upload a document; reading stops as soon as the file exceeds the maximum size."""
    with contextlib.suppress(AttributeError):
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _contribution_document_upload(request, pk)


@login_required
@require_POST
def contribution_document_delete(request, pk: int, document_pk: int):
    require(request.user, Perm.CONTRIBUTION_MANAGE)
    document = get_object_or_404(ContributionDocument, pk=document_pk, contribution_id=pk)
    plan_services.contribution_document_delete(document=document, by=request.user)
    messages.success(
        request, _("Le document « %(title)s » est supprimé.") % {"title": document.title}
    )
    return redirect(reverse("plan_admin:contribution", kwargs={"pk": pk}) + "#documents")


@require_GET
def contribution_document(request, slug: str, pk: int):
    """A contribution's document: public once the contribution is published, otherwise for
    the secretariat only (anyone else: 404, nothing revealed)."""
    document = get_object_or_404(
        ContributionDocument.objects.select_related("contribution"),
        pk=pk,
        contribution__slug=slug,
    )
    public = document.is_public
    if not public and not can(request.user, Perm.CONTRIBUTION_MANAGE):
        raise Http404
    return file_download(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        public=public,
    )
