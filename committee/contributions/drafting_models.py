"""Contributions written together: sections, amendments with comments, kept versions of the
text, and the signature round. Re-exported by committee.models. A contribution made before
(no `drafting`) keeps working as it was."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Organisation


class Drafting(models.Model):
    """The drafting of one contribution by the representatives of a body."""

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("En rédaction")
        SIGNING = "signing", _("En signature")
        PUBLISHED = "published", _("Publiée")

    contribution = models.OneToOneField(
        "committee.Contribution", on_delete=models.CASCADE, related_name="drafting"
    )
    body = models.ForeignKey(
        "committee.Body",
        on_delete=models.PROTECT,
        related_name="draftings",
        verbose_name=_("groupe de rédaction"),
    )
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFTING
    )
    version = models.PositiveIntegerField(_("version du texte"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rédaction d'une contribution")
        verbose_name_plural = _("rédactions des contributions")

    def __str__(self):
        return str(self.contribution)

    # Read by members.permissions (which imports no app of ours).
    @property
    def drafting_status(self) -> str:
        return self.status

    @property
    def drafting_user_ids(self) -> set[int]:
        """Representatives of the partner organisations (not the ministry) in the body."""
        cached = getattr(self, "_drafting_user_ids", None)
        if cached is None:
            from committee.sessions.models import Representative

            cached = set(
                Representative.objects.filter(body_id=self.body_id)
                .exclude(organisation__kind=Organisation.Kind.MINISTRY)
                .values_list("user_id", flat=True)
            )
            self._drafting_user_ids = cached
        return cached


class Section(models.Model):
    drafting = models.ForeignKey(Drafting, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("rang"))
    title = models.CharField(_("titre"), max_length=255)
    text = models.TextField(_("texte (Markdown)"), blank=True)
    # Raised at each change: an amendment written on an older text is not applied blindly.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["drafting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["drafting", "position"], name="section_position"),
        ]

    def __str__(self):
        return self.title


class Amendment(models.Model):
    class Kind(models.TextChoices):
        REPLACE = "replace", _("Remplacer le texte de la section")
        ADD_AFTER = "add_after", _("Ajouter après la section")
        DELETE = "delete", _("Supprimer le texte de la section")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé")
        ACCEPTED = "accepted", _("Accepté")
        MERGED = "merged", _("Fusionné")
        REJECTED = "rejected", _("Rejeté")

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("texte proposé"), blank=True)
    reason = models.TextField(_("exposé des motifs"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    base_version = models.PositiveIntegerField()
    base_text = models.TextField(blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    answer = models.TextField(_("réponse"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("amendement")
        verbose_name_plural = _("amendements")
        ordering = ["section", "created_at", "pk"]

    def __str__(self):
        return f"{self.organisation} — {self.section}"


class AmendmentComment(models.Model):
    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commentaire d'amendement")
        verbose_name_plural = _("commentaires d'amendements")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class TextVersion(models.Model):
    """Every state of the text, kept: sections as [{title, text}] and the whole text."""

    drafting = models.ForeignKey(Drafting, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sections = models.JSONField(default=list)
    text = models.TextField()
    note = models.CharField(max_length=255, blank=True)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version du texte")
        verbose_name_plural = _("versions des textes")
        ordering = ["drafting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["drafting", "number"], name="textversion_number"),
        ]

    def __str__(self):
        return f"{self.drafting} — version {self.number}"


class SignatureRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        CLOSED = "closed", _("Clos")
        VOIDED = "voided", _("Annulé (texte rouvert)")

    drafting = models.ForeignKey(Drafting, on_delete=models.CASCADE, related_name="rounds")
    version = models.PositiveIntegerField(_("version signée"))
    deadline = models.DateTimeField(_("date limite"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tour de signature")
        verbose_name_plural = _("tours de signature")
        ordering = ["drafting", "-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["drafting"], condition=Q(status="open"), name="one_open_round"
            ),
        ]

    def __str__(self):
        return f"{self.drafting} — {self.get_status_display()}"


class Signature(models.Model):
    """What an organisation answers, through its admin, in a round."""

    class Choice(models.TextChoices):
        SIGNED = "signed", _("Signe")
        ABSTAINED = "abstained", _("S'abstient")
        DECLINED = "declined", _("Refuse de signer")

    round = models.ForeignKey(SignatureRound, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("réponse"), max_length=10, choices=Choice.choices, blank=True)
    statement = models.TextField(_("déclaration publique"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["round", "organisation__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organisation"], name="signature_once"),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.get_choice_display() or '…'}"

    @property
    def is_open(self) -> bool:
        """Read by members.permissions: the round is open and its deadline not passed."""
        round_ = self.round
        return round_.status == SignatureRound.Status.OPEN and round_.deadline > timezone.now()
