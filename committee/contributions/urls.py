"""Routes of policy contributions: the public pages, and the secretariat's (mounted with the
plan's management pages, in the `plan_admin` namespace)."""

from django.urls import path

from committee.contributions.views import drafting, manage, public

public_urls = [
    path("contributions/", public.contributions_index, name="contributions"),
    path("contributions/<slug:slug>/", public.contribution_detail, name="contribution_detail"),
    path("contributions/<slug:slug>/texte.pdf", public.contribution_pdf, name="contribution_pdf"),
    path(
        "contributions/<slug:slug>/documents/<int:pk>/",
        manage.contribution_document,
        name="contribution_document",
    ),
]

management_urls = [
    path("contributions/", manage.contributions_index, name="contributions"),
    path("contributions/nouvelle/", manage.contribution_create, name="contribution_create"),
    path("contributions/<int:pk>/", manage.contribution_edit, name="contribution"),
    path("contributions/<int:pk>/statut/", manage.contribution_status, name="contribution_status"),
    path(
        "contributions/<int:pk>/documents/",
        manage.contribution_document_upload,
        name="contribution_document_upload",
    ),
    path(
        "contributions/<int:pk>/documents/<int:document_pk>/supprimer/",
        manage.contribution_document_delete,
        name="contribution_document_delete",
    ),
]

# Drafting together, in the workspace (/espace/contributions/).
drafting_urls = [
    path("espace/contributions/", drafting.drafting_index, name="drafting_index"),
    path("espace/contributions/<int:pk>/", drafting.drafting_detail, name="drafting_detail"),
    path(
        "espace/contributions/<int:pk>/amendements/",
        drafting.amendment_propose,
        name="drafting_amendment_propose",
    ),
    path(
        "espace/contributions/<int:pk>/commentaires/",
        drafting.amendment_comment,
        name="drafting_amendment_comment",
    ),
    path(
        "espace/contributions/<int:pk>/decisions/",
        drafting.amendment_decide,
        name="drafting_amendment_decide",
    ),
    path("espace/contributions/<int:pk>/signer/", drafting.signature_give, name="drafting_sign"),
    path(
        "espace/contributions/<int:pk>/versions/",
        drafting.versions_compare,
        name="drafting_versions",
    ),
    path(
        "espace/contributions/<int:pk>/<slug:step>/",
        drafting.drafting_step,
        name="drafting_step",
    ),
]
