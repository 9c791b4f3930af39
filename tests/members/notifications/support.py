"""What the notification tests read in the outbox and in the emails sent."""

import re

from django.core import mail

from members.models import Notification

SITE = "http://127.0.0.1:8000"


def in_app(user):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def html_of(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    return re.search(r"<https?://[^/]+(/notifications/desabonner/[^>]+)>", header).group(1)
