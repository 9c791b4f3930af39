"""Policy contributions and their documents."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class Contribution(models.Model):
    """A policy contribution ("contributions de politique générale")."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")

    title = models.CharField(_("titre"), max_length=255)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=255, unique=True)
    summary = models.TextField(_("résumé"))
    body = models.TextField(_("texte (Markdown)"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    axes = models.ManyToManyField("committee.Axis", blank=True, related_name="contributions")
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="contributions", verbose_name=_("signataires")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contribution de politique générale")
        verbose_name_plural = _("contributions de politique générale")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="contribution_published_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("contribution_detail", kwargs={"slug": self.slug})


def contribution_document_upload_to(instance, filename):
    """Server-side random names: nothing of the uploaded name reaches the file system."""
    return f"contributions/{instance.contribution_id}/{uuid.uuid4().hex}"


class ContributionDocument(models.Model):
    """A file of a policy contribution: private until the contribution is published."""

    contribution = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=contribution_document_upload_to, max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document d'une contribution")
        verbose_name_plural = _("documents des contributions")
        ordering = ["contribution", "uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0) & Q(size__lte=10 * 1024 * 1024),
                name="contributiondocument_size_cap",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse(
            "contribution_document",
            kwargs={"slug": self.contribution.slug, "pk": self.pk},
        )

    @property
    def is_public(self) -> bool:
        return self.contribution.status == Contribution.Status.PUBLISHED
