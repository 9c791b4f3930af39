"""Steering: the weekly digest sent to officials, once a week."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DigestDelivery(models.Model):
    """The weekly digest sent to one official for one week: at most one (idempotence)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    week = models.DateField(_("semaine (lundi)"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("envoi de la lettre hebdomadaire")
        verbose_name_plural = _("envois de la lettre hebdomadaire")
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="digest_one_per_user_week"),
        ]

    def __str__(self):
        return f"{self.user_id} — {self.week}"
