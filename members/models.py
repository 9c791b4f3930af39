"""People and the organisations they act for.

Nobody gains a right by signing up: rights come only from a `Membership` (user ×
organisation × role), created by an invitation.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("Un superutilisateur doit avoir is_staff et is_superuser.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address."""

    email = models.EmailField(_("adresse électronique"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    language = models.CharField(
        _("langue"), max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Personal data (RGPD): inactive accounts are warned, then anonymised.
    last_seen_at = models.DateTimeField(_("dernière activité"), null=True, blank=True)
    inactivity_warned_at = models.DateTimeField(
        _("prévenu de l'inactivité le"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Organisation(models.Model):
    """A signatory of the committee's charter: an association, the ministry or a funder."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association d'élus")
        MINISTRY = "ministry", _("Ministère")
        FUNDER = "funder", _("Institution financière publique")

    acronym = models.CharField(_("sigle"), max_length=30, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)
    name = models.CharField(_("nom complet"), max_length=255)
    former_name = models.CharField(_("nom à la signature"), max_length=255, blank=True)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, db_index=True)
    represents = models.CharField(_("représente"), max_length=255, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    charter_signed_on = models.DateField(_("signature de la charte"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["acronym"]
        constraints = [
            models.UniqueConstraint(Lower("acronym"), name="organisation_acronym_ci_unique"),
        ]

    def __str__(self):
        return self.acronym

    @property
    def is_ministry(self) -> bool:
        return self.kind == self.Kind.MINISTRY


class Membership(models.Model):
    """A user acting for an organisation with one role."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "contributor", _("Contributeur")
        ADMIN = "admin", _("Administrateur de l'association")
        REVIEWER = "reviewer", _("Instructeur (ministère)")
        SECRETARIAT = "secretariat", _("Secrétariat du comité")

    ASSOCIATION_ROLES = (Role.CONTRIBUTOR, Role.ADMIN)
    MINISTRY_ROLES = (Role.REVIEWER, Role.SECRETARIAT)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["contributor", "admin", "reviewer", "secretariat"]),
                name="membership_role_valid",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.organisation_id is None:
            return
        ministry_role = self.role in self.MINISTRY_ROLES
        if ministry_role != self.organisation.is_ministry:
            raise ValidationError(
                {
                    "role": _(
                        "Les rôles d'instructeur et de secrétariat sont réservés au ministère ; "
                        "les autres organisations ont des contributeurs et des administrateurs."
                    )
                }
            )


class Invitation(models.Model):
    """An invitation to act for an organisation with a role: by email, expiring, single-use.

    Only a hash of the token is stored; the token itself travels once, in the email.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse électronique"))
    role = models.CharField(_("rôle"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["contributor", "admin", "reviewer", "secretariat"]),
                name="invitation_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class Event(models.Model):
    """Something that happened and that people may need to hear about.

    Written in the same transaction as the change it records, so that notifications can be
    delivered from it even when the broker or a worker fails (an outbox).
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Initiative soumise")
        ASSIGNED = "assigned", _("Initiative assignée")
        REVIEW_STARTED = "review_started", _("Instruction commencée")
        CHANGES_REQUESTED = "changes_requested", _("Modifications demandées")
        PUBLISHED = "published", _("Initiative publiée")
        REJECTED = "rejected", _("Initiative refusée")
        UNPUBLISHED = "unpublished", _("Initiative dépubliée")
        ARCHIVED = "archived", _("Initiative archivée")
        EDITED = "edited", _("Initiative modifiée")
        COMMENTED = "commented", _("Nouveau message")
        INVITED = "invited", _("Invitation envoyée")
        MEMBER_JOINED = "member_joined", _("Invitation acceptée")
        MEMBER_CHANGED = "member_changed", _("Rôle modifié")
        MEMBER_REVOKED = "member_revoked", _("Membre retiré")
        REPORT_READY = "report_ready", _("Rapport prêt")

    kind = models.CharField(_("nature"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"
