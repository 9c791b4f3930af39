"""Writes on people and organisations, and the event record every app writes to."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.invitations import invitation_token, token_hash
from members.models import (
    Event,
    FailingAddress,
    Invitation,
    Membership,
    Notification,
    NotificationPreference,
    NotificationSettings,
    Organisation,
    User,
)
from members.notifications.accounts import Kinds
from members.notifications.outbox import event_fan_out, notification_queue
from members.notifications.registry import registered
from members.permissions import Perm, actor_for, require

logger = logging.getLogger(__name__)


def event_record(
    *,
    kind: str,
    actor=None,
    organisation: Organisation | None = None,
    target=None,
    data: dict | None = None,
) -> Event:
    """Record an event in the caller's transaction, with the notifications it causes.

    `kind` is one an app registered (its notifications.py): any other raises UnknownKind.
    The notifications are written in the same transaction (the outbox): they exist exactly
    when the change does, and their emails are queued once it commits
    (members.notifications.outbox).
    """
    registered(kind)
    event = Event.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organisation=organisation,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        data=data or {},
    )
    if target is not None:
        event._target_cache = target  # the recipient rules read it without a query
    event_fan_out(event)
    return event


# --- invitations and team management ------------------------------------------------------


class InvitationError(Exception):
    """An invitation that cannot be sent or used; the message is meant for the user."""


class MembershipError(Exception):
    """A change to a team that the rules refuse; the message is meant for the user."""


def role_fits(organisation: Organisation, role: str) -> bool:
    """Ministry roles for the ministry, contributor and admin elsewhere (Membership.clean)."""
    if role not in Membership.Role.values:
        return False
    return (role in Membership.MINISTRY_ROLES) == organisation.is_ministry


def roles_for(organisation: Organisation) -> list[tuple[str, str]]:
    return [
        (value, label) for value, label in Membership.Role.choices if role_fits(organisation, value)
    ]


def _forget_actor(*users) -> None:
    """Drop the roles cached on user objects (permissions.actor_for) after a change."""
    for user in users:
        if user is not None and hasattr(user, "_portal_actor"):
            del user._portal_actor


def invitation_create(
    *, organisation: Organisation, email: str, role: str, by: User
) -> tuple[Invitation, str]:
    """Invite someone by email to act for `organisation` with `role`; returns the token.

    Only the token's hash is stored: the link in the email is the one copy. A new
    invitation to the same address replaces any earlier one still open.
    """
    require(by, Perm.MEMBER_INVITE, organisation)
    if not role_fits(organisation, role):
        raise InvitationError(_("Ce rôle n'existe pas pour cette organisation."))
    email = User.objects.normalize_email(email or "").strip().lower()
    if not email:
        raise InvitationError(_("Indiquez l'adresse électronique de la personne à inviter."))
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise InvitationError(
            _("Cette personne est déjà membre de %(organisation)s.")
            % {"organisation": organisation}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            Invitation.objects.filter(
                organisation=organisation,
                email__iexact=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
            ).update(revoked_at=now)
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                token_hash=secrets.token_hex(32),  # replaced below, once the row has its id
                invited_by=by,
                expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
            )
            token = invitation_token(invitation)
            invitation.token_hash = token_hash(token)
            invitation.save(update_fields=["token_hash"])
            # The invitee is told by the notification of this event
            # (members.notifications.accounts).
            event_record(
                kind=Kinds.INVITED,
                actor=by,
                organisation=organisation,
                target=invitation,
                data={"role": role},
            )
    except IntegrityError as error:  # two invitations to the same address at once
        raise InvitationError(_("Une invitation vient d'être envoyée à cette adresse.")) from error
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    if not token:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_problem(invitation: Invitation | None, *, now=None) -> str | None:
    """Why this invitation cannot be used, in words for its recipient; None if it can."""
    now = now or timezone.now()
    if invitation is None:
        return _("Ce lien d'invitation n'est pas valide. Vérifiez qu'il est complet.")
    if invitation.accepted_at is not None:
        return _("Cette invitation a déjà été utilisée : un lien d'invitation ne sert qu'une fois.")
    if invitation.revoked_at is not None:
        return _(
            "Cette invitation a été annulée. Demandez une nouvelle invitation à "
            "l'administrateur de votre organisation."
        )
    if invitation.expires_at <= now:
        return _(
            "Cette invitation a expiré. Demandez une nouvelle invitation à l'administrateur "
            "de votre organisation."
        )
    return None


def invitation_accept(*, token: str, user: User) -> Membership:
    """Turn an invitation into a membership, once; the account must be the invited address."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        problem = invitation_problem(invitation)
        if problem:
            raise InvitationError(problem)
        if not user.is_active or user.email.lower() != invitation.email.lower():
            raise InvitationError(
                _(
                    "Cette invitation est adressée à %(email)s. Déconnectez-vous, puis ouvrez "
                    "de nouveau le lien pour l'accepter avec cette adresse."
                )
                % {"email": invitation.email}
            )
        organisation = invitation.organisation
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise InvitationError(
                _(
                    "Vous êtes déjà membre de %(organisation)s : un administrateur peut changer "
                    "votre rôle."
                )
                % {"organisation": organisation}
            )
        now = timezone.now()
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).update(accepted_at=now, accepted_by=user)
        if not claimed:  # someone else used or revoked it in the meantime
            raise InvitationError(
                invitation_problem(Invitation.objects.get(pk=invitation.pk))
                or _("Cette invitation n'est plus valable.")
            )
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=invitation.role
        )
        event_record(
            kind=Kinds.MEMBER_JOINED,
            actor=user,
            organisation=organisation,
            target=membership,
            data={"role": invitation.role, "invitation": invitation.pk},
        )
    _forget_actor(user)
    return membership


def invitation_signup(
    *, token: str, password: str, first_name: str = "", last_name: str = ""
) -> tuple[User, Membership]:
    """Create the invitee's account and accept the invitation in one go.

    The link reached the invited address, so that address counts as verified.
    """
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = invitation_for_token(token)
        problem = invitation_problem(invitation)
        if problem:
            raise InvitationError(problem)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(
                _("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            )
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=_supported_language(),
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        membership = invitation_accept(token=token, user=user)
    return user, membership


def _supported_language() -> str:
    current = (translation.get_language() or "").split("-")[0]
    return current if current in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    require(by, Perm.MEMBER_MANAGE, invitation.organisation)
    with transaction.atomic():
        revoked = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not revoked:
            raise InvitationError(_("Cette invitation a déjà été acceptée ou annulée."))
        event_record(
            kind=Kinds.MEMBER_REVOKED,
            actor=by,
            organisation=invitation.organisation,
            target=invitation,
            data={"invitation": invitation.pk, "role": invitation.role},
        )


def _manager_role(organisation: Organisation) -> str:
    return Membership.Role.SECRETARIAT if organisation.is_ministry else Membership.Role.ADMIN


def _refuse_if_last_manager(membership: Membership, *, by: User) -> None:
    """An organisation keeps someone who can manage it.

    The secretariat may still remove an association's last admin (someone who left), since
    it can invite the next one; nobody removes the ministry's last secretariat member.
    """
    organisation = membership.organisation
    manager_role = _manager_role(organisation)
    if membership.role != manager_role:
        return
    if not organisation.is_ministry and actor_for(by).is_secretariat:
        return
    managers = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=manager_role)
        .values_list("pk", flat=True)
    )
    if managers == [membership.pk] or not managers:
        raise MembershipError(
            _(
                "%(organisation)s doit garder au moins un %(role)s : nommez-en un autre "
                "avant de retirer celui-ci."
            )
            % {
                "organisation": organisation,
                "role": Membership.Role(manager_role).label.lower(),
            }
        )


def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("organisation", "user")
            .get(pk=membership.pk)
        )
        organisation = membership.organisation
        require(by, Perm.MEMBER_MANAGE, organisation)
        if not role_fits(organisation, role):
            raise MembershipError(_("Ce rôle n'existe pas pour cette organisation."))
        if role == membership.role:
            return membership
        _refuse_if_last_manager(membership, by=by)
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        event_record(
            kind=Kinds.MEMBER_CHANGED,
            actor=by,
            organisation=organisation,
            target=membership,
            data={"user": membership.user_id, "from": previous, "to": role},
        )
    _forget_actor(membership.user, by)
    return membership


def membership_revoke(*, membership: Membership, by: User) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .select_related("organisation", "user")
            .filter(pk=membership.pk)
            .first()
        )
        if membership is None:
            raise MembershipError(_("Cette personne n'est déjà plus membre."))
        organisation = membership.organisation
        require(by, Perm.MEMBER_MANAGE, organisation)
        _refuse_if_last_manager(membership, by=by)
        event_record(
            kind=Kinds.MEMBER_REVOKED,
            actor=by,
            organisation=organisation,
            target=membership.user,
            data={"user": membership.user_id, "role": membership.role},
        )
        membership.delete()
    _forget_actor(membership.user, by)


# --- accounts and personal data -------------------------------------------------------------


def user_mark_seen(*, user: User, now=None) -> None:
    """Record a login: inactivity counts from here, and a past warning no longer applies."""
    now = now or timezone.now()
    User.objects.filter(pk=user.pk).update(last_seen_at=now, inactivity_warned_at=None)
    user.last_seen_at = now
    user.inactivity_warned_at = None


def user_anonymise(*, user: User) -> User:
    """Erase a person but keep what they published, attributed to their association.

    Rows that point to the account (initiatives, messages, history) keep pointing to it;
    the account itself no longer says who it was and can no longer log in.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        former_email = user.email
        former_names = [user.get_full_name()]
        user.email = f"anonyme-{user.pk}@invalid"
        user.first_name = ""
        user.last_name = ""
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.anonymised_at = timezone.now()
        user.inactivity_warned_at = None
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        Membership.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        EmailAddress.objects.filter(user=user).delete()
        # Invitations addressed to the person held their address: it goes too.
        open_invitations = Invitation.objects.filter(
            email__iexact=former_email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        open_invitations.update(revoked_at=timezone.now())
        Invitation.objects.filter(email__iexact=former_email).update(email=user.email)
        # What the person was told, and how they wanted to be told (members.notifications).
        Notification.objects.filter(
            Q(recipient=user) | Q(recipient__isnull=True, email__iexact=former_email)
        ).delete()
        NotificationPreference.objects.filter(user=user).delete()
        NotificationSettings.objects.filter(user=user).delete()
        FailingAddress.objects.filter(email__iexact=former_email).delete()
        # What others were told about the person, and what the other apps hold.
        from members.erasure import person_erased, person_traces_erase

        names = [n for n in former_names if n]
        person_traces_erase(user=user, former_email=former_email, former_names=names)
        person_erased.send(sender=User, user=user, former_email=former_email, former_names=names)
        _sessions_delete(user)
    _forget_actor(user)
    return user


def _sessions_delete(user: User) -> None:
    """End the person's sessions (database-backed sessions; others die with the password)."""
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return
    from django.contrib.sessions.models import Session

    user_key = str(user.pk)
    stale = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == user_key
    ]
    if stale:
        Session.objects.filter(session_key__in=stale).delete()
        SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
        for key in stale:  # the cached_db engine also keeps a copy in the cache
            SessionStore(session_key=key).delete()


def _last_activity():
    return Greatest(Coalesce("last_seen_at", "date_joined"), Coalesce("last_login", "date_joined"))


def inactive_accounts_sweep(*, now=None) -> dict[str, int]:
    """Warn accounts unseen for INACTIVITY_WARNING_DAYS; anonymise them after the grace period.

    Idempotent: a warned account is not warned again, and one that logged in since its
    warning is forgotten. Superusers are left alone (someone must keep the keys).
    """
    now = now or timezone.now()
    warn_before = now - timedelta(days=settings.INACTIVITY_WARNING_DAYS)
    grace = timedelta(days=settings.INACTIVITY_GRACE_DAYS)
    candidates = User.objects.filter(
        is_active=True, anonymised_at__isnull=True, is_superuser=False
    ).annotate(activity=_last_activity())

    forgiven = candidates.filter(
        inactivity_warned_at__isnull=False, activity__gt=F("inactivity_warned_at")
    ).update(inactivity_warned_at=None)

    warned = 0
    for user in candidates.filter(inactivity_warned_at__isnull=True, activity__lt=warn_before):
        with transaction.atomic():
            updated = User.objects.filter(pk=user.pk, inactivity_warned_at__isnull=True).update(
                inactivity_warned_at=now
            )
            if updated:
                _inactivity_email(user, deadline=now + grace)
                warned += 1

    anonymised = 0
    for user in candidates.filter(
        inactivity_warned_at__lte=now - grace,
        activity__lt=F("inactivity_warned_at"),
        activity__lte=warn_before,
    ):
        user_anonymise(user=user)
        anonymised += 1
    return {"warned": warned, "anonymised": anonymised, "forgiven": forgiven}


def _inactivity_email(user: User, *, deadline) -> None:
    """Through the outbox (retried, swept), in the account's language; it cannot be turned
    off (members.notifications.accounts)."""
    notification_queue(
        kind=Kinds.ACCOUNT_INACTIVE,
        user=user,
        delivery_key=f"inactivity:{user.pk}:{deadline.isoformat()}",
        path=reverse("account_login"),
        data={"days": settings.INACTIVITY_WARNING_DAYS, "deadline": deadline.isoformat()},
    )


def demo_totp_setup(*, user: User, secret: str):
    """Give a demo account a verified address and a known TOTP secret (idempotent).

    For `make run` only: the secret is printed with the credentials so that the demo's
    officials and admins pass the MFA gate.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from allauth.mfa.utils import decrypt

    with transaction.atomic():
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        current = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if current is not None and decrypt(current.data.get("secret", "")) == secret:
            return current
        if current is not None:
            current.delete()
        return TOTP.activate(user, secret).instance
