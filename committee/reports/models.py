"""Reports ordered by officials and built by a worker."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from committee.reports.leases import is_stuck


def report_upload_to(instance, filename):
    """Random server-side folders: a report's path cannot be guessed from another's."""
    return f"reports/{uuid.uuid4().hex}/{filename}"


class Report(models.Model):
    """A report ordered by an official and built in the background (committee.reports.tasks).

    The file lives in the default storage under a random name and is only ever served
    through the download view, which checks who asks; it is deleted once `expires_at` has
    passed (the row stays, with `purged_at` set, as a record of what was ordered).
    """

    class Kind(models.TextChoices):
        ACTION_PLAN_PDF = "action_plan_pdf", _("Plan d'action (PDF)")
        INITIATIVES_XLSX = "initiatives_xlsx", _("Initiatives (tableur XLSX)")
        REGION_SUMMARY_PDF = "region_summary_pdf", _("Synthèse régionale (PDF)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En préparation")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    kind = models.CharField(_("rapport"), max_length=30, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports",
        verbose_name=_("demandé par"),
    )
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    file = models.FileField(_("fichier"), upload_to=report_upload_to, max_length=255, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    purged_at = models.DateTimeField(_("fichier supprimé le"), null=True, blank=True)
    # The building worker's lease: renewed every few seconds while it runs; a running report
    # whose lease is out has no live worker (committee.reports.services.reports_sweep).
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="report_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["action_plan_pdf", "initiatives_xlsx", "region_summary_pdf"]),
                name="report_kind_valid",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_max"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False),
                name="report_done_has_finished_at",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_requester_created"),
            models.Index(fields=["status", "expires_at"], name="report_status_expires"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.purged_at is not None or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )

    @property
    def is_stuck(self) -> bool:
        """Queued or running without a live worker (committee.reports.leases)."""
        return is_stuck(self)

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.is_expired

    @property
    def download_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
