"""What every resource of the API shares: pages, open access, text parameters, and the
catalogue's filters applied as on the catalogue page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from initiatives.catalogue.filters import CatalogueFilterSet
from initiatives.catalogue.selectors import CountedPaginator


class ApiPagination(PageNumberPagination):
    """Pages of 50 rows (`page_size` from 1 to 200). A `page` or `page_size` that is not
    such a number is refused with 400 rather than silently replaced by the default, and a
    page beyond the last one is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    known_count: int | None = None
    page_ids = None  # CatalogueFilterSet.page_ids (or the bitmaps'), for the initiatives
    rows = None  # how a page's rows are read from its ids (CountedPaginator)

    def django_paginator_class(self, object_list, per_page):
        if self.known_count is None:
            return Paginator(object_list, per_page)
        return CountedPaginator(
            object_list, per_page, count=self.known_count, page_ids=self.page_ids, rows=self.rows
        )

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name, highest in (("page", None), ("page_size", self.max_page_size)):
            value = request.query_params.get(name)
            if not value:  # absent or empty: the default
                continue
            if not value.isdigit() or int(value) < 1 or (highest and int(value) > highest):
                errors[name] = [
                    str(_("Un nombre entier de 1 à %(max)d.") % {"max": highest})
                    if highest
                    else str(_("Un nombre entier à partir de 1."))
                ]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class PublicReadOnly:
    """Open data: no authentication, no session, readable from any origin."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    pagination_class = ApiPagination

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


def text_param(params, name: str, errors: dict, *, max_length: int = 100) -> str:
    """A text parameter, stripped; too long or holding a NUL byte (which no database text
    can hold), it is recorded in `errors` and read as empty."""
    value = params.get(name, "")
    if "\x00" in value:
        errors[name] = [str(_("Caractère nul interdit."))]
        return ""
    if len(value) > max_length:
        errors[name] = [str(_("%(max)d caractères au plus.") % {"max": max_length})]
        return ""
    return value.strip()


def _errors(form) -> dict[str, list[str]]:
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


def catalogue_filterset(request, queryset) -> CatalogueFilterSet:
    """The catalogue's filters of a request, valid: otherwise 400 with the errors, or 404
    for a well-formed territory text that names no single territory."""
    filterset = CatalogueFilterSet(request.query_params or None, queryset=queryset)
    if set(filterset.form.errors) == {"territory"}:
        raise NotFound(" ".join(filterset.form.errors["territory"]))
    if filterset.form.errors:
        raise ValidationError(_errors(filterset.form))
    return filterset


class CatalogueFilterBackend(BaseFilterBackend):
    """The catalogue's filters and sort, applied exactly as on the catalogue page; pages
    are read as the catalogue's (CatalogueFilterSet.page_ids)."""

    def filter_queryset(self, request, queryset, view):
        filterset = catalogue_filterset(request, queryset)
        view.catalogue_filterset = filterset
        if view.paginator is not None:
            view.paginator.page_ids = filterset.page_ids
        return filterset.ordered(filterset.qs)
