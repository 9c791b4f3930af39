"""The email of a notification: subject, text and HTML bodies, headers, in the recipient's
language (French by default).

Bodies come from templates/notifications/email/<kind>.txt|html (a bundle from `bundle`);
a prepared notification (`outbox.notification_send`) brings its own subject and text. The
kind's `context` hook adds what must not be stored, and may cancel the email.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from members.models import Notification
from members.notifications.preferences import unsubscribe_url
from members.notifications.registry import Data, format_text, kind_spec, summary

BUNDLE_PREFIX = "bundle:"


def is_bundle(notification: Notification) -> bool:
    return notification.delivery_key.startswith(BUNDLE_PREFIX)


def absolute(path: str) -> str:
    if not path:
        return ""
    return path if "://" in path else settings.SITE_URL + path


def _language(notification: Notification) -> str:
    """The account's language; for an address without an account, the language it was
    written in (`data["language"]`)."""
    recipient = notification.recipient
    if recipient is not None:
        language = recipient.language
    else:
        language = (notification.data or {}).get("language") or ""
    language = language or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _unsubscribe(notification: Notification) -> str:
    """The one-click link stopping this kind of email ('' when there is none)."""
    data = notification.data or {}
    if data.get("unsubscribe_url"):  # the sender's own link (a followed search)
        return data["unsubscribe_url"]
    prepared = data.get("prepared") or {}
    if prepared.get("headers", {}).get("List-Unsubscribe"):
        return ""  # the prepared message brings its own
    spec = kind_spec(notification.kind)
    recipient = notification.recipient
    if recipient is None or spec.mandatory or not spec.preferences:
        return ""  # kinds without a choice have no link (a digest's hook gives its own)
    return unsubscribe_url(recipient, notification.kind)


def item(row: Notification) -> dict:
    data = row.data or {}
    return {
        "summary": summary(row),
        "url": absolute(row.path),
        "comment": data.get("comment", ""),
        "at": row.created_at,
    }


def groups(rows) -> list[dict]:
    """Notifications grouped by what they are about (an initiative, a report…), in order."""
    found: OrderedDict = OrderedDict()
    for row in rows:
        event = row.event
        if event is not None and event.object_id is not None:
            key = (event.content_type_id, event.object_id)
        else:
            key = ("kind", row.kind)
        data = row.data or {}
        group = found.get(key)
        if group is None:
            title = data.get("title") or data.get("report") or str(kind_spec(row.kind).label)
            group = found[key] = {
                "title": title,
                "organisation": data.get("organisation", ""),
                "url": absolute(row.path),
                "items": [],
            }
        group["items"].append(item(row))
    return list(found.values())


def _context(notification: Notification, address: str) -> dict:
    spec = kind_spec(notification.kind)
    recipient = notification.recipient
    context = {
        "notification": notification,
        "data": Data(notification.data or {}),
        "kind_label": spec.label,
        "summary": summary(notification),
        "url": absolute(notification.path),
        "site_url": settings.SITE_URL,
        "portal_name": settings.PORTAL_NAME,
        "recipient": recipient,
        "address": address,
        "unsubscribe_url": _unsubscribe(notification),
        "preferences_url": (
            settings.SITE_URL + reverse("members:notification_preferences") if recipient else ""
        ),
        "mandatory": spec.mandatory,
    }
    if is_bundle(notification):
        context["items"] = [item(row) for row in notification.items.order_by("created_at", "pk")]
    if spec.context is not None:
        context.update(spec.context(notification))
    return context


def _template(notification: Notification) -> str:
    if is_bundle(notification):
        return "bundle"
    return kind_spec(notification.kind).template_name


def _subject(notification: Notification) -> str:
    spec = kind_spec(notification.kind)
    data = dict(notification.data or {})
    if is_bundle(notification):
        return format_text(spec.bundle_subject, data)
    return format_text(spec.subject, data)


def _message_id(notification: Notification) -> str:
    """The same on every attempt, so a mailbox that got it twice can tell."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{host}>"


def build_message(
    notification: Notification, address: str, *, connection=None
) -> EmailMultiAlternatives:
    """The email of a notification, in the recipient's language (French by default).

    Raises NotificationCancelled when the kind's context hook says it no longer applies.
    """
    prepared = (notification.data or {}).get("prepared")
    with translation.override(_language(notification)):
        context = _context(notification, address)
        if prepared:
            subject, text = prepared["subject"], prepared["text"]
            html = prepared.get("html") or render_to_string(
                "notifications/email/message.html",
                {**context, "body_html": mark_safe(linebreaks(text, autoescape=True))},  # noqa: S308 - escaped
            )
        else:
            template = _template(notification)
            subject = _subject(notification)
            text = render_to_string(f"notifications/email/{template}.txt", context)
            html = render_to_string(f"notifications/email/{template}.html", context)
    headers = {"Message-ID": _message_id(notification), "Auto-Submitted": "auto-generated"}
    if prepared:
        headers.update(prepared.get("headers") or {})
    unsubscribe = context["unsubscribe_url"]
    if unsubscribe:
        # RFC 8058: mail clients offer a button that POSTs to this address.
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=" ".join(str(subject).split()),  # one header line, whatever a title holds
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    # A context hook may add files, e.g. a calendar invitation: (filename, content, mimetype).
    for filename, content, mimetype in context.get("attachments") or ():
        message.attach(filename, content, mimetype)
    return message
