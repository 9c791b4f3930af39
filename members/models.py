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

    # One of the kinds the apps register (members.notifications.registry), each in its own
    # notifications.py; members.services.event_record refuses any other.
    kind = models.CharField(_("nature"), max_length=30)
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
        return f"{self.kind} ({self.created_at:%Y-%m-%d %H:%M})"


# --- notifications ------------------------------------------------------------------------
# What people are told, through which channel, and whether it went out. The rows are written
# in the same transaction as the event they come from (members.notifications.outbox), so a
# message is never lost when the broker or a worker fails: a periodic sweep sends what is left.


class Notification(models.Model):
    """One message for one recipient on one channel: an in-app line or an email.

    Emails are idempotent by construction: a delivery first claims its row with a
    conditional UPDATE (pending → sending, with a lease), so a task delivered twice sends
    once; `delivery_key` makes the same message impossible to write twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Courriel")
        IN_APP = "in_app", _("Dans le portail")

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("Échec (abandon après plusieurs essais)")
        DEAD = "dead", _("Adresse en échec")
        BUNDLED = "bundled", _("Regroupée dans un autre envoi")
        CANCELLED = "cancelled", _("Annulée")

    class Digest(models.TextChoices):
        NONE = "", _("Tout de suite")
        DAILY = "daily", _("Récapitulatif quotidien")
        WEEKLY = "weekly", _("Récapitulatif hebdomadaire")

    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    # For people without an account (invitees, followers of a search); empty for users,
    # whose current address is read when sending.
    email = models.EmailField(_("adresse"), blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("nature"), max_length=30)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    digest = models.CharField(
        _("envoi"), max_length=10, choices=Digest.choices, default="", blank=True
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("envoi réservé jusqu'au"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    delivery_key = models.CharField(_("clé d'envoi"), max_length=200, unique=True)
    path = models.CharField(_("lien"), max_length=500, blank=True)
    # What the message says, copied when it is written (titles, names, comment…).
    data = models.JSONField(default=dict, blank=True)
    # A digest or a grouped email that carried this notification.
    bundle = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(email=""),
                name="notification_has_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(channel="email") | models.Q(recipient__isnull=False),
                name="notification_in_app_has_user",
            ),
        ]
        indexes = [
            # The header's unread count and the notification centre.
            models.Index(
                fields=["recipient"],
                condition=models.Q(channel="in_app", read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "channel", "created_at"]),
            # The sweep and the operations' lists: what is not delivered yet.
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending", "failed", "dead"]),
                name="notification_undelivered",
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient or self.email} ({self.get_status_display()})"

    @property
    def address(self) -> str:
        return self.recipient.email if self.recipient_id else self.email


class NotificationPreference(models.Model):
    """How a user wants to hear of one kind of notification. No row means at once."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Tout de suite")
        DAILY = "daily", _("Récapitulatif quotidien")
        WEEKLY = "weekly", _("Récapitulatif hebdomadaire")
        OFF = "off", _("Jamais par courriel")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(_("nature"), max_length=30)
    mode = models.CharField(_("envoi"), max_length=10, choices=Mode.choices)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_unique"),
            models.CheckConstraint(
                condition=models.Q(mode__in=["immediate", "daily", "weekly", "off"]),
                name="notification_pref_mode_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.mode}"


class NotificationSettings(models.Model):
    """A user's digests: when the last ones went out, and whether they recap at-once mail."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    recap = models.CharField(
        _("récapitulatif des courriels déjà reçus"),
        max_length=10,
        choices=[("", _("Non")), ("daily", _("Chaque jour")), ("weekly", _("Chaque semaine"))],
        default="",
        blank=True,
    )
    last_daily_digest_at = models.DateTimeField(null=True, blank=True)
    last_weekly_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réglages des notifications")
        verbose_name_plural = _("réglages des notifications")

    def __str__(self):
        return str(self.user_id)


class FailingAddress(models.Model):
    """An address the mail server refuses (hard bounce) or that keeps failing: not retried.

    Deleting the row (admin) lets the address be tried again.
    """

    email = models.EmailField(_("adresse"), unique=True)
    failures = models.PositiveIntegerField(_("échecs"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    first_failed_at = models.DateTimeField(_("premier échec"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("dernier échec"), default=timezone.now)
    blocked_at = models.DateTimeField(_("bloquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("adresse en échec")
        verbose_name_plural = _("adresses en échec")
        ordering = ["-last_failed_at"]

    def __str__(self):
        return self.email
