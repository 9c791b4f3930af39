"""What every page needs to know about the signed-in person."""

from django.utils.functional import SimpleLazyObject

from members.notifications.centre import unread_count


def notifications(request):
    """The header's unread-notifications badge: one indexed COUNT, cached for a minute
    (members.notifications.centre.unread_count), and only run if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return unread_count(user)

    return {"unread_notifications": SimpleLazyObject(count)}
