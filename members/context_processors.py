"""What every page needs to know about the signed-in person."""

from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The header's unread-notifications badge: one indexed COUNT, cached for a minute
    (members.notifications.unread_count), and only run if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        from members.notifications import unread_count

        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
