"""What the committee's staff views share: a service's errors put back on the form, and the
roles the plan pages show."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from members.permissions import Perm, can


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (on the fields it names, if they exist)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def plan_roles(user) -> dict:
    return {
        "may_manage": can(user, Perm.PLAN_MANAGE),
        "may_view": can(user, Perm.PLAN_VIEW_INTERNAL),
        "may_manage_contributions": can(user, Perm.CONTRIBUTION_MANAGE),
    }
