from django import template

from members.permissions import team_organisations

register = template.Library()


@register.filter
def manages_team(user) -> bool:
    """Whether the user manages an organisation's team (association admin, secretariat)."""
    return bool(getattr(user, "is_authenticated", False)) and team_organisations(user).exists()
