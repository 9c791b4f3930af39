"""Public side: search subscriptions (follow a search by email, double opt-in)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SearchSubscription(models.Model):
    """A visitor following a catalogue search by email, without an account.

    Double opt-in: nothing is sent to the address until its owner confirms. Only hashes of
    the links' tokens are stored (see committee.public.services); `params` holds the normalised
    catalogue parameters, the same as in the catalogue's URL.
    """

    email = models.EmailField(_("adresse électronique"))
    params = models.JSONField(_("critères de recherche"), default=dict, blank=True)
    confirm_token_hash = models.CharField(max_length=64, unique=True)
    unsubscribe_token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désabonné le"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("dernière alerte le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suivi de recherche")
        verbose_name_plural = _("suivis de recherche")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "params",
                condition=Q(unsubscribed_at__isnull=True),
                name="subscription_one_active_per_search",
            ),
        ]
        indexes = [
            models.Index(
                fields=["last_notified_at"],
                condition=Q(confirmed_at__isnull=False, unsubscribed_at__isnull=True),
                name="subscription_active_notified",
            ),
        ]

    def __str__(self):
        return f"{self.email} — {self.params or '*'}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
