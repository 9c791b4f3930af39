"""Forms of the session pages (public side and the secretariat's)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from committee.forms import DsfrMixin, textarea
from committee.sessions.models import Body, Decision, Reply
from committee.sessions.services import SessionData
from members.models import User


class ReplyForm(DsfrMixin, forms.Form):
    answer = forms.ChoiceField(
        label=_("Votre réponse"), choices=Reply.Answer.choices, widget=forms.RadioSelect
    )
    proxy = forms.ModelChoiceField(
        label=_("Collègue qui vous représente"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Seulement si vous êtes représenté : un membre de votre organisation."),
    )

    def __init__(self, *args, organisation=None, exclude_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.fields["proxy"].queryset = (
                User.objects.filter(memberships__organisation=organisation, is_active=True)
                .exclude(pk=getattr(exclude_user, "pk", None))
                .order_by("last_name", "first_name")
            )


class RemarkForm(DsfrMixin, forms.Form):
    text = forms.CharField(label=_("Votre remarque"), max_length=4000, widget=textarea(4))


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]


def datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        help_text=_("Heure de Paris."),
    )


class SessionForm(DsfrMixin, forms.Form):
    body = forms.ModelChoiceField(
        label=_("Instance"), queryset=Body.objects.filter(is_active=True).order_by("kind", "name")
    )
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    starts_at = datetime_field(_("Début"))
    ends_at = datetime_field(_("Fin"))
    place = forms.CharField(label=_("Lieu"), max_length=255, required=False)
    visio_url = forms.URLField(
        label=_("Lien de visioconférence"), required=False, assume_scheme="https"
    )
    is_public = forms.BooleanField(label=_("Séance publique"), required=False)

    def to_data(self) -> SessionData:
        return SessionData(**self.cleaned_data)


class BodyForm(DsfrMixin, forms.Form):
    """Another working group (the plenary committee and the groups of the axes exist)."""

    name = forms.CharField(
        label=_("Nom du groupe de travail"),
        max_length=200,
        help_text=_("Par exemple : Groupe de travail sur les données scolaires."),
    )
    description = forms.CharField(
        label=_("Présentation"),
        required=False,
        widget=textarea(4),
        help_text=_("Facultatif : son objet, ce qu'il doit produire et pour quand."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (en %)"),
        min_value=1,
        max_value=100,
        initial=50,
        help_text=_(
            "Part des organisations membres présentes ou représentées pour que le groupe "
            "délibère : 50 pour la moitié."
        ),
    )

    def quorum_share(self) -> Decimal:
        return Decimal(self.cleaned_data["quorum_percent"]) / 100


class AgendaItemForm(DsfrMixin, forms.Form):
    title = forms.CharField(label=_("Intitulé du point"), max_length=255)
    description = forms.CharField(label=_("Présentation"), required=False, widget=textarea(3))
    is_closed = forms.BooleanField(label=_("Point à huis clos"), required=False)


class CirculateForm(DsfrMixin, forms.Form):
    until = datetime_field(_("Remarques jusqu'au"))


class DecisionForm(DsfrMixin, forms.Form):
    agenda_item = forms.ChoiceField(label=_("Point de l'ordre du jour"))
    text = forms.CharField(label=_("Décision"), widget=textarea(3))
    effect = forms.ChoiceField(
        label=_("Effet sur le plan d'action"), choices=Decision.Effect.choices
    )
    action = forms.ModelChoiceField(label=_("Action modifiée"), queryset=None, required=False)
    code = forms.CharField(label=_("Code de l'action créée"), max_length=20, required=False)
    title = forms.CharField(label=_("Intitulé de l'action créée"), max_length=255, required=False)
    objective = forms.CharField(label=_("Objectif de l'action créée"), required=False)
    axis = forms.IntegerField(label=_("Axe (1 à 6)"), min_value=1, max_value=6, required=False)
    status = forms.ChoiceField(label=_("Nouveau statut"), required=False)
    due_date = forms.DateField(
        label=_("Nouvelle échéance"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, session=None, **kwargs):
        from committee.plan.models import Action

        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.order_by("code")
        self.fields["status"].choices = [("", "—"), *Action.Status.choices]
        if session is not None:
            self.fields["agenda_item"].choices = [
                (item.pk, f"{item.position}. {item.title}")
                for item in session.agenda_items.order_by("position")
            ]

    def changes(self) -> dict:
        c = self.cleaned_data
        changes = {
            key: c[key] for key in ("code", "title", "objective", "axis", "status") if c[key]
        }
        if c["due_date"]:
            changes["due_date"] = c["due_date"].isoformat()
        return changes
