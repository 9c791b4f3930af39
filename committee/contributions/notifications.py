"""The kinds of event of policy contributions; registered in CommitteeConfig.ready().

Publishing and unpublishing a contribution are recorded, not notified.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notifications.registry import register_recorded


class Kinds:
    PUBLISHED = "contribution_published"
    UNPUBLISHED = "contribution_unpublished"


def register() -> None:
    register_recorded(Kinds.PUBLISHED, label=_("Contribution publiée"))
    register_recorded(Kinds.UNPUBLISHED, label=_("Contribution dépubliée"))
