"""Plan reviews: open, assess each action, close, compare two."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from committee.http import form_post, plan_roles
from committee.plan import forms as f
from committee.plan import selectors as plan_selectors
from committee.plan.models import (
    Action,
    ActionAssessment,
    PlanReview,
)
from committee.plan.services import reviews as plan_services
from members.permissions import Perm, require


@login_required
@require_GET
def reviews_index(request):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    return _reviews_page(request)


def _reviews_page(request, *, open_form=None, status=200):
    reviews = list(plan_selectors.reviews())
    compare_form = f.CompareForm(
        initial={"a": reviews[1].pk, "b": reviews[0].pk} if len(reviews) > 1 else None
    )
    return render(
        request,
        "plan_admin/reviews.html",
        {
            "reviews": reviews,
            "open_form": open_form or f.ReviewOpenForm(),
            "compare_form": compare_form,
            "has_open": any(r.status == PlanReview.Status.OPEN for r in reviews),
            **plan_roles(request.user),
        },
        status=status,
    )


@login_required
@require_POST
def review_open(request):
    require(request.user, Perm.PLAN_MANAGE)
    form = f.ReviewOpenForm(request.POST)
    return form_post(
        request,
        form,
        lambda data: plan_services.plan_review_open(
            by=request.user, title=data["title"], held_on=data["held_on"]
        ),
        success=_("La revue est ouverte : l'état du plan est figé à ce jour."),
        then=lambda review: reverse("plan_admin:review", kwargs={"pk": review.pk}),
        failed=lambda: _reviews_page(request, open_form=form, status=400),
    )


def _review_page(request, review: PlanReview, *, bound=None, close_form=None, status=200):
    rows = plan_selectors.review_rows(review)
    for row in rows:
        prefix = f"a{row.frozen['id']}"
        if bound is not None and bound.prefix == prefix:
            row.form = bound
        elif row.assessment:
            row.form = f.AssessmentForm(
                prefix=prefix,
                initial={
                    "rating": row.assessment.rating,
                    "comment": row.assessment.comment,
                    "next_step": row.assessment.next_step,
                },
            )
        else:
            row.form = f.AssessmentForm(prefix=prefix)
    assessed = sum(1 for row in rows if row.assessment)
    return render(
        request,
        "plan_admin/review_detail.html",
        {
            "review": review,
            "rows": rows,
            "assessed": assessed,
            "close_form": close_form or f.ReviewCloseForm(),
            "ratings": ActionAssessment.Rating.choices,
            "status_labels": dict(Action.Status.choices),
            **plan_roles(request.user),
        },
        status=status,
    )


@login_required
@require_GET
def review_detail(request, pk: int):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    return _review_page(request, get_object_or_404(PlanReview, pk=pk))


@login_required
@require_POST
def assessment_set(request, pk: int, action_pk: int):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    review = get_object_or_404(PlanReview, pk=pk)
    action = get_object_or_404(Action, pk=action_pk)
    form = f.AssessmentForm(request.POST, prefix=f"a{action.pk}")
    return form_post(
        request,
        form,
        lambda data: plan_services.assessment_set(
            review=review, action=action, by=request.user, **data
        ),
        success=_("L'appréciation de l'action %(code)s est enregistrée.") % {"code": action.code},
        then=reverse("plan_admin:review", kwargs={"pk": pk}) + f"#action-{action.pk}",
        failed=lambda: _review_page(request, review, bound=form, status=400),
    )


@login_required
@require_POST
def review_close(request, pk: int):
    require(request.user, Perm.PLAN_MANAGE)
    review = get_object_or_404(PlanReview, pk=pk)
    form = f.ReviewCloseForm(request.POST)
    return form_post(
        request,
        form,
        lambda data: plan_services.plan_review_close(
            review=review, by=request.user, summary=data["summary"]
        ),
        success=_("La revue est close."),
        then=reverse("plan_admin:review", kwargs={"pk": pk}),
        failed=lambda: _review_page(request, review, close_form=form, status=400),
    )


@login_required
@require_GET
def reviews_compare(request):
    require(request.user, Perm.PLAN_VIEW_INTERNAL)
    form = f.CompareForm(request.GET or None)
    comparison = None
    if form.is_bound and form.is_valid():
        comparison = plan_services.plan_reviews_compare(
            a=form.cleaned_data["a"], b=form.cleaned_data["b"]
        )
    return render(
        request,
        "plan_admin/review_compare.html",
        {
            "form": form,
            "comparison": comparison,
            "status_labels": dict(Action.Status.choices),
            "rating_labels": dict(ActionAssessment.Rating.choices),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
