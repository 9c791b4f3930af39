"""Public pages of the catalogue. Only published initiatives are ever shown here."""

from django.core.paginator import EmptyPage
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from initiatives.catalogue.active import active_filters, clean_query
from initiatives.catalogue.filters import normalise_params
from initiatives.catalogue.selectors import catalogue_search
from initiatives.selectors import initiative_public_page
from referentials.maps import territory_minimap


@require_GET
def catalogue(request):
    # A form sent without JavaScript carries every empty field: answer with the clean URL.
    clean = clean_query(request.GET)
    if clean is not None:
        return redirect(f"{request.path}?{clean}" if clean else request.path)
    try:
        result = catalogue_search(request.GET, page_number=request.GET.get("page") or 1)
    except EmptyPage:
        raise Http404("page") from None
    params = normalise_params(request.GET)
    return render(
        request,
        "initiatives/catalogue.html",
        {
            "result": result,
            "filterset": result.filterset,
            "page_obj": result.page,
            "params": params,
            "active_filters": active_filters(params, result.facets),
        },
    )


@require_GET
def detail(request, slug):
    initiative = initiative_public_page(slug)
    return render(
        request,
        "initiatives/detail.html",
        {
            "initiative": initiative,
            "comparables": initiative.page_comparables,
            "contact": initiative.public_contact,
            "map": territory_minimap(initiative.department_code),
        },
    )
