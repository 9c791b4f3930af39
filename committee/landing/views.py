"""The page a signed-in person lands on: what waits for them, each item one click away."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from committee.landing.navigation import header_entries
from committee.landing.selectors import waiting_for


@login_required
@never_cache
@require_safe
def landing(request):
    groups = waiting_for(request.user)
    return render(
        request,
        "landing/landing.html",
        {
            "groups": groups,
            "total": sum(pile.count for _, piles in groups for pile in piles),
            "areas": header_entries(request.user)[1:],
        },
    )
