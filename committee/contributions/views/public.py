"""Published contributions."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from committee.contributions import selectors
from initiatives.markdown import render_markdown


@require_GET
def contributions_index(request):
    return render(
        request,
        "contributions/index.html",
        {"contributions": selectors.published_contributions()},
    )


@require_GET
def contribution_detail(request, slug):
    contribution = get_object_or_404(selectors.published_contributions(), slug=slug)
    return render(
        request,
        "contributions/detail.html",
        {
            "contribution": contribution,
            "body_html": render_markdown(contribution.body),
            # Written together on the portal: answers of the organisations and history.
            "signing": selectors.signing_record(contribution),
        },
    )


@require_GET
def contribution_pdf(request, slug):
    """The final text as PDF, with its signatories (printed on demand: a short text)."""
    import io

    from django.http import HttpResponse
    from django.template.loader import render_to_string

    from committee.reports.builders import html_to_pdf

    contribution = get_object_or_404(selectors.published_contributions(), slug=slug)
    html = render_to_string(
        "contributions/pdf.html",
        {
            "contribution": contribution,
            "body_html": render_markdown(contribution.body),
            "signing": selectors.signing_record(contribution),
        },
    )
    out = io.BytesIO()
    html_to_pdf(html, out)
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{contribution.slug}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
