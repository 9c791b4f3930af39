"""The association staff's workspace (/espace/): dashboard, drafts, documents, submission.

Every view scopes the initiatives to the user first (their associations' initiatives; for
officials, every initiative past the draft), so someone else's draft is a 404, then asks
members.permissions.can for the action: a member without the right gets a 403.
"""

from __future__ import annotations

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from initiatives.documents import SizeLimitUploadHandler, file_download
from initiatives.forms import DocumentUploadForm, InitiativeForm
from initiatives.markdown import render_markdown
from initiatives.models import Document, Initiative, StatusChange
from initiatives.models import Status as S
from initiatives.services import (
    document_add,
    document_delete,
    initiative_create,
    initiative_transition,
    initiative_update,
)
from initiatives.workflow import TransitionConflict, TransitionError
from members.models import Organisation
from members.permissions import (
    Perm,
    actor_for,
    can,
    in_review_scope,
    may_see_privately,
    private_scope,
)
from referentials.models import ReferentialItem, Territory
from referentials.search import territory_label, territory_search

DASHBOARD_LIMIT = 200
RECENT_DECISIONS_DAYS = 30
STATUS_ORDER = [
    S.DRAFT,
    S.CHANGES_REQUESTED,
    S.SUBMITTED,
    S.IN_REVIEW,
    S.PUBLISHED,
    S.REJECTED,
    S.ARCHIVED,
]


def _forbidden(request, initiative: Initiative | None, message: str):
    """A 403 that explains itself, with a way back."""
    return render(
        request,
        "initiatives/workspace/forbidden.html",
        {"initiative": initiative, "message": message},
        status=403,
    )


def _not_editable_message(initiative: Initiative) -> str:
    return _(
        "Cette initiative est au statut « %(status)s » : l'association ne peut plus la "
        "modifier. Si une correction est nécessaire, écrivez aux instructeurs dans la "
        "discussion privée."
    ) % {"status": initiative.get_status_display()}


# --- Dashboard -------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    """My associations' initiatives by status, and what awaits me — in constant queries."""
    actor = actor_for(request.user)
    organisation_ids = actor.staff_organisation_ids
    if not organisation_ids:
        return render(
            request,
            "initiatives/workspace/no_membership.html",
            {"is_official": actor.is_official},
        )
    mine = Initiative.objects.filter(lead_organisation_id__in=organisation_ids)
    counts = dict(
        mine.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    last_request = StatusChange.objects.filter(
        initiative=OuterRef("pk"), to_status=S.CHANGES_REQUESTED
    ).order_by("-at", "-pk")
    initiatives = list(
        mine.select_related("lead_organisation", "lead_collectivity", "created_by")
        .annotate(
            last_request_comment=Subquery(last_request.values("comment")[:1]),
            last_request_at=Subquery(last_request.values("at")[:1]),
        )
        .order_by("-updated_at", "-pk")[:DASHBOARD_LIMIT]
    )
    by_status: dict[str, list[Initiative]] = {status: [] for status in STATUS_ORDER}
    for initiative in initiatives:
        by_status.setdefault(initiative.status, []).append(initiative)
    recent = timezone.now() - datetime.timedelta(days=RECENT_DECISIONS_DAYS)
    decisions = [
        i
        for i in initiatives
        if i.status in {S.PUBLISHED, S.REJECTED}
        and i.status_changed_at
        and i.status_changed_at >= recent
    ]
    decisions.sort(key=lambda i: i.status_changed_at, reverse=True)
    drafts = by_status[S.DRAFT]
    drafts = [i for i in drafts if i.created_by_id == request.user.pk] + [
        i for i in drafts if i.created_by_id != request.user.pk
    ]
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids).order_by("acronym"))
    groups = [
        {
            "status": status,
            "label": S(status).label,
            "count": counts.get(status, 0),
            "initiatives": by_status.get(status, []),
        }
        for status in STATUS_ORDER
    ]
    return render(
        request,
        "initiatives/workspace/dashboard.html",
        {
            "organisations": organisations,
            "groups": groups,
            "total": sum(counts.values()),
            "truncated": sum(counts.values()) > len(initiatives),
            "drafts": drafts,
            "changes_requested": by_status[S.CHANGES_REQUESTED],
            "decisions": decisions,
            "is_official": actor.is_official,
            "can_create": can(request.user, Perm.INITIATIVE_CREATE),
        },
    )


# --- Creating and editing a draft ------------------------------------------------------------


def _render_form(request, form, initiative, *, preview=None, status=200):
    if initiative is not None and form.is_bound:
        # Validation wrote the typed values on the instance: show the saved title and status.
        initiative = Initiative.objects.only("pk", "title", "status").get(pk=initiative.pk)
    return render(
        request,
        "initiatives/workspace/form.html",
        {
            "form": form,
            "initiative": initiative,
            "territories": form.territory_state(),
            "preview": preview,
            "autocomplete_url": reverse("workspace:territories"),
        },
        status=status,
    )


def _process_form(request, form, initiative: Initiative | None):
    """Save, preview the description, or add a territory (the last two save nothing)."""
    action = request.POST.get("_action", "save")
    if action in {"preview", "add_territory"}:
        form.is_valid()  # resolves the territories typed; errors of other fields are hidden
        if action == "preview":
            form.keep_errors_only()
            preview = render_markdown(form.data.get("description", ""))
            return _render_form(request, form, initiative, preview=preview)
        form.keep_errors_only("territories_q")
        return _render_form(request, form, initiative)
    if not form.is_valid():
        return _render_form(request, form, initiative)
    data = form.service_data()
    if initiative is None:
        initiative = initiative_create(data=data, by=request.user)
        messages.success(
            request,
            _(
                "Le brouillon est enregistré. Ajoutez des documents si besoin, puis "
                "soumettez-le à l'instruction quand il est prêt."
            ),
        )
        # Straight to where documents are added, which the creation form announced.
        return redirect(
            reverse("workspace:initiative_detail", kwargs={"pk": initiative.pk}) + "#documents"
        )
    else:
        try:
            changed = initiative_update(initiative=initiative, data=data, by=request.user)
        except PermissionDenied:
            initiative.refresh_from_db()
            return _forbidden(request, initiative, _not_editable_message(initiative))
        if changed:
            messages.success(request, _("Les modifications sont enregistrées."))
        else:
            messages.info(request, _("Aucune modification à enregistrer."))
    return redirect("workspace:initiative_detail", pk=initiative.pk)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_new(request):
    if not can(request.user, Perm.INITIATIVE_CREATE):
        return _forbidden(
            request,
            None,
            _(
                "Seuls les membres d'une association du comité peuvent proposer une "
                "initiative. Les droits viennent d'une invitation de l'association."
            ),
        )
    if request.method == "POST":
        return _process_form(request, InitiativeForm(request.POST, user=request.user), None)
    return _render_form(request, InitiativeForm(user=request.user), None)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    initiative = get_object_or_404(
        private_scope(request.user).select_related("lead_organisation", "lead_collectivity"),
        pk=pk,
    )
    if not can(request.user, Perm.INITIATIVE_EDIT, initiative):
        return _forbidden(request, initiative, _not_editable_message(initiative))
    if request.method == "POST":
        form = InitiativeForm(request.POST, instance=initiative, user=request.user)
        return _process_form(request, form, initiative)
    return _render_form(request, InitiativeForm(instance=initiative, user=request.user), initiative)


# --- The private page --------------------------------------------------------------------------


def _thread_available() -> bool:
    try:
        get_template("initiatives/_thread.html")
    except TemplateDoesNotExist:
        return False
    return True


def _optional_url(name: str, pk: int) -> str | None:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


def _private_detail(request, initiative_id: int, *, upload_form=None, status=200):
    initiative = get_object_or_404(
        private_scope(request.user)
        .select_related("lead_organisation", "lead_collectivity", "created_by", "assignee")
        .prefetch_related(
            "axes",
            "school_levels",
            "partners",
            Prefetch("territories", queryset=Territory.objects.order_by("name")),
            Prefetch(
                "referential_items",
                queryset=ReferentialItem.objects.select_related("referential").order_by(
                    "referential__kind", "code"
                ),
            ),
            Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        ),
        pk=initiative_id,
    )
    user = request.user
    can_edit = can(user, Perm.INITIATIVE_EDIT, initiative)
    thread = _thread_available()
    context = {
        "initiative": initiative,
        "description_html": render_markdown(initiative.description),
        "status_changes": list(initiative.status_changes.select_related("by")),
        "can_edit": can_edit,
        "can_submit": can(user, Perm.INITIATIVE_SUBMIT, initiative),
        "upload_form": upload_form or (DocumentUploadForm() if can_edit else None),
        "thread_available": thread,
        "history_url": _optional_url("review:history", initiative.pk),
        "review_url": (
            _optional_url("review:detail", initiative.pk)
            if in_review_scope(user, initiative)
            else None
        ),
        "lead_label": territory_label(initiative.lead_collectivity),
    }
    if thread:
        context.update(
            comments=list(
                initiative.comments.select_related("author", "author_organisation").order_by(
                    "created_at", "pk"
                )
            ),
            can_comment=can(user, Perm.INITIATIVE_COMMENT, initiative),
            comment_url=_optional_url("review:comment", initiative.pk),
        )
    return render(request, "initiatives/workspace/detail.html", context, status=status)


@login_required
@require_GET
def initiative_detail(request, pk):
    return _private_detail(request, pk)


@login_required
@require_POST
def initiative_submit(request, pk):
    initiative = get_object_or_404(private_scope(request.user), pk=pk)
    try:
        initiative_transition(initiative=initiative, name="submit", by=request.user)
    except PermissionDenied:
        return _forbidden(request, initiative, _not_editable_message(initiative))
    except TransitionConflict as error:
        messages.error(request, str(error))
        return _private_detail(request, pk, status=409)
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect("workspace:initiative_detail", pk=pk)
    messages.success(
        request,
        _(
            "L'initiative est soumise à l'instruction. Vous serez prévenu par courriel des "
            "demandes et de la décision des instructeurs."
        ),
    )
    return redirect("workspace:initiative_detail", pk=pk)


# --- Documents ---------------------------------------------------------------------------------


@csrf_protect
def _document_upload(request, pk):
    initiative = get_object_or_404(private_scope(request.user), pk=pk)
    if not can(request.user, Perm.INITIATIVE_EDIT, initiative):
        return _forbidden(request, initiative, _not_editable_message(initiative))
    form = DocumentUploadForm(
        request.POST,
        request.FILES,
        oversized=bool(getattr(request, "oversized_uploads", None)),
    )
    if form.is_valid():
        try:
            document = document_add(
                initiative=initiative,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                is_public=form.cleaned_data["is_public"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except PermissionDenied:
            return _forbidden(request, initiative, _not_editable_message(initiative))
        else:
            messages.success(
                request, _("Le document « %(title)s » est ajouté.") % {"title": document.title}
            )
            return redirect(reverse("workspace:initiative_detail", args=[pk]) + "#documents")
    return _private_detail(request, pk, upload_form=form)


@csrf_exempt  # CSRF is checked by _document_upload, once the size-limiting handler is in place
@login_required
@require_POST
def document_upload(request, pk):
    """Upload a document; reading stops as soon as the file exceeds the maximum size."""
    # If the body was already read, the list is immutable: the size is still checked later.
    with contextlib.suppress(AttributeError):
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _document_upload(request, pk)


@login_required
@require_POST
def document_remove(request, pk, document_pk):
    initiative = get_object_or_404(private_scope(request.user), pk=pk)
    document = get_object_or_404(initiative.documents, pk=document_pk)
    try:
        document_delete(document=document, by=request.user)
    except PermissionDenied:
        return _forbidden(request, initiative, _not_editable_message(initiative))
    messages.success(
        request, _("Le document « %(title)s » est supprimé.") % {"title": document.title}
    )
    return redirect(reverse("workspace:initiative_detail", args=[pk]) + "#documents")


@require_GET
def document_download(request, pk):
    """A document as an attachment, for those allowed; anyone else gets a 404."""
    document = get_object_or_404(Document.objects.select_related("initiative"), pk=pk)
    initiative = document.initiative
    public = initiative.status == S.PUBLISHED and document.is_public
    allowed = can(request.user, Perm.DOCUMENT_DOWNLOAD, document) and (
        public or may_see_privately(request.user, initiative)
    )
    if not allowed:
        raise Http404
    return file_download(
        document.file,
        filename=document.original_name,
        content_type=document.content_type,
        public=public,
    )


# --- Territory autocomplete --------------------------------------------------------------------


@login_required
@require_GET
def territories(request):
    """Territories matching ?q= (name, postcode or INSEE code), for the combobox."""
    results = territory_search(request.GET.get("q", ""))
    return JsonResponse(
        {
            "results": [
                {
                    "id": t.pk,
                    "label": territory_label(t),
                    "name": t.name,
                    "code": t.code,
                    "level": t.level,
                    "match": t.match_note,
                }
                for t in results
            ]
        }
    )
