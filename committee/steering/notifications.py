"""The kind of notification of steering; registered in CommitteeConfig.ready().

- the officials' weekly digest (committee.steering.digest) is a prepared email of kind
  `weekly_digest`, sent with members.notifications.outbox.notification_send: officials may
  turn it off (preferences, or the unsubscribe link it carries).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.notifications.registry import MINISTRY, register_kind


class Kinds:
    WEEKLY_DIGEST = "weekly_digest"


def register() -> None:
    register_kind(
        Kinds.WEEKLY_DIGEST,
        sides=(MINISTRY,),
        label=_("Point hebdomadaire du comité"),
        subject=_("Point hebdomadaire du comité"),
        summary=_("Le point hebdomadaire du comité."),
        audience=_("Les instructeurs et le secrétariat du ministère, le lundi matin"),
    )
