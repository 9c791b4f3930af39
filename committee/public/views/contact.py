"""The contact form to the committee's secretariat (committee.public.contact)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from committee.public.contact import (
    ContactForm,
    client_address,
    contact_allowed,
    contact_message_send,
)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if form.is_robot:
                return redirect("contact_sent")
            data = form.cleaned_data
            if contact_allowed(address=client_address(request), email=data["email"]):
                contact_message_send(
                    subject=data["subject"], message=data["message"], email=data["email"]
                )
                return redirect("contact_sent")
            form.add_error(
                None,
                _(
                    "Vous avez envoyé beaucoup de messages en peu de temps : réessayez dans "
                    "une heure. Votre message est conservé ci-dessous."
                ),
            )
            status = 429
        else:
            status = 400
    return render(request, "committee/contact.html", {"form": form}, status=status)


@never_cache
@require_safe
def contact_sent(request):
    return render(request, "committee/contact_sent.html")
