"""Helpers shared by the review, thread, history and concurrency tests."""

from django.utils import timezone

from initiatives.models import Initiative
from tests import factories as f
from tests.mfa import give_totp

S = Initiative.Status


def login(client, user, *, mfa=True):
    """Log in; officials and association admins get the TOTP authenticator they must have."""
    if mfa:
        give_totp(user)
    client.force_login(user)
    return client


def initiative_in(status, organisation, **fields):
    """An initiative already in `status`, with the dates that status implies."""
    now = timezone.now()
    fields.setdefault("published_at", now if status == S.PUBLISHED else None)
    if status != S.DRAFT:
        fields.setdefault("submitted_at", now)
        fields.setdefault("status_changed_at", now)
    return f.InitiativeFactory(status=status, lead_organisation=organisation, **fields)
