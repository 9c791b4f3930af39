"""Writing to the committee's secretariat from the site: the form, its limits and its
delivery through the notification outbox (members.notifications.outbox.notification_send), so a
message is retried and swept like every email, never lost to a mail-server hiccup.

Robots are kept out by a honeypot field (hidden from people, filled by robots: accepted
silently, sent nowhere) and a per-hour allowance per network address and per sender address.
"""

from __future__ import annotations

import hashlib
import uuid

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committee.public.notifications import Kinds
from members.notifications.outbox import notification_send

HONEYPOT = "site_web"


class ContactForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Objet"),
        max_length=150,
        error_messages={
            "required": gettext_lazy("Indiquez l'objet de votre message."),
            "max_length": gettext_lazy("L'objet tient en 150 caractères au plus."),
        },
    )
    message = forms.CharField(
        label=gettext_lazy("Votre message"),
        max_length=5000,
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("5 000 caractères au plus."),
        error_messages={
            "required": gettext_lazy("Écrivez votre message."),
            "min_length": gettext_lazy("Votre message est trop court (10 caractères au moins)."),
            "max_length": gettext_lazy(
                "Votre message dépasse 5 000 caractères : raccourcissez-le."
            ),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse électronique"),
        help_text=gettext_lazy("Pour vous répondre. Format attendu : nom@domaine.fr"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": gettext_lazy(
                "Indiquez votre adresse électronique pour que nous puissions vous répondre."
            ),
            "invalid": gettext_lazy(
                "Indiquez une adresse électronique valide, par exemple nom@domaine.fr."
            ),
        },
    )
    # The honeypot: hidden by the template, left empty by people.
    site_web = forms.CharField(required=False, label=gettext_lazy("Ne pas remplir"))

    def clean(self):
        cleaned = super().clean()
        for name in ("subject", "message"):
            if name in cleaned and "\x00" in cleaned[name]:
                self.add_error(name, _("Ce texte contient un caractère non autorisé."))
        return cleaned

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT, "").strip())


def client_address(request) -> str:
    """The visitor's network address: behind ALLAUTH_TRUSTED_PROXY_COUNT proxies, the
    address the last trusted proxy saw; else the connection's."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def _allowance_left(*keys: str) -> bool:
    """Count one message against each key; False once any has spent its hour's allowance."""
    allowed = True
    for key in keys:
        cache.add(key, 0, 3600)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, 3600)
            used = 1
        allowed = allowed and used <= settings.CONTACT_MESSAGES_PER_HOUR
    return allowed


def contact_allowed(*, address: str, email: str) -> bool:
    return _allowance_left(f"contact:ip:{_digest(address)}", f"contact:email:{_digest(email)}")


def contact_message_send(*, subject: str, message: str, email: str) -> None:
    """Queue the visitor's message to the secretariat (CONTACT_EMAIL), replies going to
    the visitor."""
    text = _(
        "Message reçu par le formulaire de contact du portail.\n\n"
        "De : %(email)s\nObjet : %(subject)s\n\n%(message)s\n\n"
        "Répondez à ce courriel pour écrire directement à son auteur."
    ) % {"email": email, "subject": subject, "message": message}
    notification_send(
        kind=Kinds.CONTACT,
        subject=_("[Contact] %(subject)s") % {"subject": subject},
        text=text,
        delivery_key=f"{Kinds.CONTACT}:{uuid.uuid4().hex}",
        email=settings.CONTACT_EMAIL,
        headers={"Reply-To": email},
    )
