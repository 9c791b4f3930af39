"""The public action plan."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from committee.plan import selectors


@require_GET
def action_plan(request):
    from committee.plan.services.indicators import plan_refresh_if_stale

    # Computed indicators follow the published catalogue (one cache read when unchanged).
    plan_refresh_if_stale()
    return render(request, "plan/index.html", {"axes": selectors.action_plan()})
