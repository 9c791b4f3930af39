from django import forms
from django.utils.translation import gettext_lazy as _


class FollowSearchForm(forms.Form):
    """The only personal data asked to follow a search: an email address."""

    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        help_text=_("Format attendu : nom@domaine.fr"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _("Indiquez une adresse électronique valide, par exemple nom@domaine.fr."),
        },
    )
