"""Reactions to allauth's account events."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from members.services import user_mark_seen


@receiver(user_logged_in, dispatch_uid="members.mark_seen_on_login")
def mark_seen_on_login(sender, request, user, **kwargs):
    """Inactivity is measured from logins, not from every request."""
    user_mark_seen(user=user)
