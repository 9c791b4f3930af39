"""Reads on people and organisations."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.db.models import Q
from django.utils import timezone

from members.models import Event, Invitation, Membership, Organisation, User

# Apps whose rows about the user are exported explicitly below, or hold nothing personal.
_EXPLICIT_APPS = {"members", "account", "mfa", "sessions", "auth", "admin", "contenttypes"}
# Columns never exported: machinery, or other people's contact details.
_SKIPPED_FIELD_WORDS = ("password", "token", "search_vector", "contact", "email", "phone")


def personal_data(user: User) -> dict:
    """Everything the portal holds about `user`, for the RGPD access and portability rights.

    Rows of other apps that point to the user (initiatives created, messages written,
    documents uploaded, history…) are found through the relations, so a new app's data is
    included without this module knowing it.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    mfa_types = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    return {
        "generated_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": _value(user.date_joined),
            "last_login": _value(user.last_login),
            "last_seen_at": _value(user.last_seen_at),
            "inactivity_warned_at": _value(user.inactivity_warned_at),
            "is_staff": user.is_staff,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "mfa": {"enabled": bool(mfa_types), "types": mfa_types},
        "memberships": [
            {
                "organisation": membership.organisation.acronym,
                "role": membership.role,
                "since": _value(membership.created_at),
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("created_at")
        ],
        "invitations_received": [
            {
                "organisation": invitation.organisation.acronym,
                "role": invitation.role,
                "sent_at": _value(invitation.created_at),
                "accepted_at": _value(invitation.accepted_at),
            }
            for invitation in Invitation.objects.filter(
                Q(accepted_by=user) | Q(email__iexact=user.email)
            )
            .select_related("organisation")
            .order_by("created_at")
        ],
        # Whom they invited is someone else's data: only the fact and the role are given.
        "invitations_sent": [
            {
                "organisation": invitation.organisation.acronym,
                "role": invitation.role,
                "sent_at": _value(invitation.created_at),
                "accepted": invitation.accepted_at is not None,
                "revoked": invitation.revoked_at is not None,
            }
            for invitation in Invitation.objects.filter(invited_by=user)
            .select_related("organisation")
            .order_by("created_at")
        ],
        "events_as_actor": [
            {
                "kind": event.kind,
                "at": _value(event.created_at),
                "organisation": event.organisation.acronym if event.organisation else None,
                "target": (
                    f"{event.content_type.app_label}.{event.content_type.model}"
                    if event.content_type
                    else None
                ),
                "target_id": event.object_id,
            }
            for event in Event.objects.filter(actor=user)
            .select_related("organisation", "content_type")
            .order_by("created_at", "pk")
        ],
        "elsewhere": _rows_pointing_to(user),
    }


def _rows_pointing_to(user: User) -> list[dict]:
    sections = []
    for relation in User._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label in _EXPLICIT_APPS or relation.many_to_many:
            continue
        rows = model._default_manager.filter(**{relation.field.name: user}).order_by("pk")
        if not rows.exists():
            continue
        historical = model.__name__.startswith("Historical")
        sections.append(
            {
                "model": model._meta.label,
                "description": str(model._meta.verbose_name_plural),
                "relation": relation.field.name,
                "rows": [_row(row, historical=historical) for row in rows.iterator()],
            }
        )
    return sections


def _row(row, *, historical: bool) -> dict:
    if historical:  # full copies of the initiative: when and what kind of change suffices
        return {
            "id": row.pk,
            "date": _value(row.history_date),
            "change": row.history_type,
            "object_id": getattr(row, "id", None),
        }
    data = {"id": row.pk, "label": str(row)}
    for field in row._meta.concrete_fields:
        if field.is_relation or field.primary_key:
            if field.is_relation and field.many_to_one and field.remote_field.model is Organisation:
                organisation = getattr(row, field.name)
                data[field.name] = organisation.acronym if organisation else None
            continue
        if any(word in field.name for word in _SKIPPED_FIELD_WORDS):
            continue
        data[field.name] = _value(getattr(row, field.attname))
    return data


def _value(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or None
    if isinstance(value, bytes | memoryview):
        return None
    return value
