"""What the committee's staff views share: the permission check and a service's errors put
back on the form."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from members.permissions import Action as Can
from members.permissions import can


def require(user, permission: Can, obj=None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(_("Vous n'avez pas accès à cette page."))


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form (on the fields it names, if they exist)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def require_official(user, permission: Can) -> None:
    if not can(user, permission):
        raise PermissionDenied(_("Cette page est réservée aux agents du ministère."))


def plan_roles(user) -> dict:
    return {
        "may_manage": can(user, Can.PLAN_MANAGE),
        "may_view": can(user, Can.PLAN_VIEW_INTERNAL),
        "may_manage_contributions": can(user, Can.CONTRIBUTION_MANAGE),
    }
