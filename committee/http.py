"""What the committee's staff views share: a posted form handed to a service (its errors put
back on the form), and the roles the plan pages show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect

from members.permissions import Perm, can


def apply_errors(form, error: ValidationError, *, field: str | None = None) -> None:
    """Put a service's ValidationError on the form: on the fields it names, if they exist,
    otherwise on `field` (None: the whole form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else field, errors)
    else:
        form.add_error(field, error)


def form_post(
    request,
    form,
    write: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str | tuple[int, str] | None] | None,
    then: str | HttpResponse | Callable[[Any], str | HttpResponse],
    failed: Callable[[], HttpResponse],
    error_field: str | None = None,
) -> HttpResponse:
    """A posted form → the service → a message and a redirect, or the page again.

    `write(cleaned_data)` calls the service. If the form is valid and the service accepts,
    the user is told `success` (a text; or a function of the service's result giving a text,
    a `(level, text)` pair such as `(messages.INFO, "…")`, or None for nothing) and sent to
    `then` (a URL, a response, or a function of the result giving one of these). If the form
    is invalid or the service raises ValidationError (its messages go on the form: on the
    fields it names, otherwise on `error_field`), nothing was written and `failed()` shows the
    page again with the errors (it chooses the status, usually 400).
    """
    if form.is_valid():
        try:
            result = write(form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error, field=error_field)
        else:
            told = success(result) if callable(success) else success
            if told:
                level, text = told if isinstance(told, tuple) else (messages.SUCCESS, told)
                messages.add_message(request, level, text)
            target = then(result) if callable(then) else then
            return target if isinstance(target, HttpResponse) else redirect(target)
    return failed()


def plan_roles(user) -> dict:
    return {
        "may_manage": can(user, Perm.PLAN_MANAGE),
        "may_view": can(user, Perm.PLAN_VIEW_INTERNAL),
        "may_manage_contributions": can(user, Perm.CONTRIBUTION_MANAGE),
    }
