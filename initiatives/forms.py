"""Forms of the association staff's workspace: the initiative draft and document uploads.

Plain Django forms rendered by our own DSFR templates (templates/includes/forms/). The
territory fields work without JavaScript: the user types a name or an INSEE code, the
server resolves it, and when several territories match the form comes back with a list to
choose from; a small script (static/js/territory-autocomplete.js) turns the same inputs
into an accessible combobox."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from initiatives.documents import ACCEPT, max_size
from initiatives.fields import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    DESCRIPTION_FIELDS,
    M2M_FIELDS,
    TYPED_FIELDS,
)
from initiatives.models import Initiative, SchoolLevel, axis_model
from initiatives.text import without_control_characters
from members.models import Organisation
from members.permissions import actor_for
from referentials.models import Referential, ReferentialItem, Territory
from referentials.search import (
    Resolution,
    labelled,
    normalise_query,
    resolve_territory,
    territory_label,
)


class EuroField(forms.DecimalField):
    """An amount typed the French way: "12 000,50 €" as well as "12000.50"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f€]", "", value).replace(",", ".")
        return super().to_python(value)


class CountField(forms.IntegerField):
    """A count that may be left empty (then 0), typed with or without spaces."""

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value)
        value = super().to_python(value)
        return 0 if value is None else value


class AxisChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return gettext("Axe %(number)s — %(title)s") % {"number": obj.number, "title": obj.title}


class PartnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.acronym} — {obj.name}"


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.acronym} — {obj.name}"


PHONE = RegexValidator(
    r"^\+?[0-9 .()\-]{6,30}$",
    _("Saisissez un numéro de téléphone : chiffres, espaces, points ou tirets, + en tête."),
)


class InitiativeForm(forms.ModelForm):
    """The draft of an initiative. `user` decides which associations may lead it."""

    lead_collectivity_q = forms.CharField(
        label=_("Collectivité porteuse"),
        max_length=200,
        required=False,
        help_text=_(
            "Tapez le nom ou le code INSEE de la commune, de l'intercommunalité, du "
            "département ou de la région qui porte l'initiative."
        ),
    )
    lead_collectivity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    territories = forms.ModelMultipleChoiceField(
        queryset=Territory.objects.all(),
        required=False,
        widget=forms.MultipleHiddenInput,
        label=_("Territoires couverts"),
    )
    territories_q = forms.CharField(
        label=_("Ajouter un territoire couvert"),
        max_length=200,
        required=False,
        help_text=_("Facultatif. Un nom ou un code INSEE, puis « Ajouter »."),
    )
    # Rendered by the template as a list of candidates when a typed text is ambiguous.
    lead_collectivity_pick = forms.IntegerField(required=False, widget=forms.HiddenInput)
    territories_pick = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Fields set up in __init__ (querysets depend on the user and the initiative).
    axes = AxisChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Axes de travail")
    )
    school_levels = forms.ModelMultipleChoiceField(
        queryset=SchoolLevel.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Niveaux scolaires"),
    )
    referential_items = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Éléments de référentiels nationaux mis en œuvre"),
    )
    partners = PartnerChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Partenaires du comité associés"),
    )
    lead_organisation = OrganisationChoiceField(
        queryset=None, label=_("Association porteuse"), empty_label=_("Choisissez")
    )
    budget = EuroField(
        label=_("Budget (€)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("En euros, par exemple 12 000 ou 12000,50. Laissez vide s'il n'est pas connu."),
    )
    schools_reached = CountField(
        label=_("Écoles et établissements concernés"),
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    pupils_reached = CountField(
        label=_("Élèves concernés"),
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact : téléphone"),
        max_length=30,
        required=False,
        validators=[PHONE],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    class Meta:
        model = Initiative
        fields = [
            *DESCRIPTION_FIELDS,
            "lead_organisation",
            "axes",
            "school_levels",
            "referential_items",
            *ACCOUNT_FIELDS,
            *CONTACT_FIELDS,
            "partners",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "description": forms.Textarea(attrs={"rows": 14}),
            "funding_sources": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.Textarea(attrs={"rows": 6}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        labels = {
            "title": _("Titre"),
            "summary": _("Résumé"),
            "description": _("Description"),
            "start_date": _("Date de début"),
            "end_date": _("Date de fin"),
            "funding_sources": _("Sources de financement"),
            "outcomes": _("Résultats et enseignements"),
            "contact_name": _("Contact : nom"),
            "contact_email": _("Contact : adresse électronique"),
            "contact_consent": _(
                "La personne à contacter accepte que son nom et ses coordonnées soient publiés "
                "avec l'initiative"
            ),
        }
        help_texts = {
            "title": _("200 caractères au plus."),
            "summary": _("Deux ou trois phrases, affichées dans le catalogue (500 caractères)."),
            "description": _(
                "Mise en forme Markdown : ## intertitre, - liste, **gras**, *italique*, "
                "[lien](https://…), tableaux. « Prévisualiser » montre le rendu."
            ),
            "end_date": _("Facultative : laissez vide si l'initiative se poursuit."),
            "contact_email": _("Publiée seulement avec le consentement de la personne."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.lead = Resolution()
        self.covered: list[Territory] = []
        self.covered_resolution = Resolution()
        Axis = axis_model()

        self.fields["axes"].queryset = Axis.objects.order_by("number")
        self._setup_lead_organisation()
        self._setup_referential_items()
        partners = Organisation.objects.order_by("acronym")
        if self.fixed_lead is not None:
            partners = partners.exclude(pk=self.fixed_lead.pk)
        self.fields["partners"].queryset = partners
        self.fields["title"].widget.attrs["maxlength"] = 200
        for bound_name, form_field in self.fields.items():
            widget = form_field.widget
            if isinstance(widget, forms.Select) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                widget.attrs.setdefault("class", "fr-select")
            elif isinstance(widget, forms.Textarea) or (
                isinstance(widget, forms.widgets.Input)
                and widget.input_type not in {"checkbox", "radio", "file", "hidden"}
            ):
                widget.attrs.setdefault("class", "fr-input")
            if bound_name.endswith("_q"):
                widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    # -- set-up --

    def _setup_lead_organisation(self):
        actor = actor_for(self.user)
        own_ids = actor.staff_organisation_ids
        instance = self.instance
        self.fixed_lead: Organisation | None = None
        if instance.pk and instance.lead_organisation_id not in own_ids:
            # The secretariat corrects an initiative; it does not move it between associations.
            self.fixed_lead = instance.lead_organisation
            del self.fields["lead_organisation"]
            return
        organisations = list(Organisation.objects.filter(pk__in=own_ids).order_by("acronym"))
        if len(organisations) == 1:
            self.fixed_lead = organisations[0]
            del self.fields["lead_organisation"]
        else:
            self.fields["lead_organisation"].queryset = Organisation.objects.filter(
                pk__in=own_ids
            ).order_by("acronym")

    def _setup_referential_items(self):
        """In-force referentials only, plus what the initiative already carries."""
        in_force = Q(referential__status=Referential.Status.IN_FORCE)
        if self.instance.pk:
            in_force |= Q(pk__in=self.instance.referential_items.values("pk"))
        queryset = (
            ReferentialItem.objects.filter(in_force)
            .select_related("referential")
            .order_by("referential__kind", "referential__name", "position", "code")
        )
        items = list(queryset)
        form_field = self.fields["referential_items"]
        form_field.queryset = queryset
        form_field.choices = [(item.pk, f"{item.code} — {item.label}") for item in items]
        self._item_referential = {
            item.pk: f"{item.referential.name} ({item.referential.version})" for item in items
        }

    # -- state shown by the templates --

    def referential_groups(self):
        """Checkboxes of referential items, grouped under their referential's name."""
        groups: dict[str, list] = {}
        for choice in self["referential_items"]:
            pk = choice.data["value"]
            pk = getattr(pk, "value", pk)
            groups.setdefault(self._item_referential.get(int(pk), ""), []).append(choice)
        return list(groups.items())

    def territory_state(self) -> dict:
        """What the two territory widgets show: after validation the resolved values,
        otherwise what was posted (preview) or the initiative's current values."""
        validated = hasattr(self, "cleaned_data")
        if validated:
            lead = self.lead
            lead_id = lead.territory.pk if lead.territory else ""
            covered = self.covered
            added = self.covered_resolution
            return {
                "lead_text": lead.text or self.data.get("lead_collectivity_q", ""),
                "lead_id": lead_id or "",
                "lead_candidates": lead.candidates,
                "covered": covered,
                "covered_text": added.text if not added.territory else "",
                "covered_candidates": added.candidates,
            }
        if self.is_bound:
            lead_id = self.data.get("lead_collectivity", "")
            ids = [i for i in self.data.getlist("territories") if str(i).isdigit()]
            return {
                "lead_text": self.data.get("lead_collectivity_q", ""),
                "lead_id": lead_id if str(lead_id).isdigit() else "",
                "lead_candidates": [],
                "covered": labelled(list(Territory.objects.filter(pk__in=ids).order_by("name"))),
                "covered_text": self.data.get("territories_q", ""),
                "covered_candidates": [],
            }
        instance = self.instance
        lead = instance.lead_collectivity if instance.lead_collectivity_id else None
        return {
            "lead_text": territory_label(lead) if lead else "",
            "lead_id": lead.pk if lead else "",
            "lead_candidates": [],
            "covered": labelled(list(instance.territories.order_by("name"))) if instance.pk else [],
            "covered_text": "",
            "covered_candidates": [],
        }

    # -- validation --

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                # Invisible control characters (pasted from other software) would break the
                # XML of the feed and the exports: only tabs and line breaks are kept.
                cleaned[name] = without_control_characters(value)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                gettext("La date de fin doit être le même jour que la date de début ou après."),
            )
        has_contact = cleaned.get("contact_email") or cleaned.get("contact_phone")
        if has_contact and not cleaned.get("contact_consent"):
            self.add_error(
                "contact_consent",
                gettext(
                    "Cochez cette case pour enregistrer l'adresse ou le téléphone du contact : "
                    "ils ne peuvent être conservés qu'avec son accord. Sinon, videz ces champs."
                ),
            )
        self._clean_lead_collectivity(cleaned)
        self._clean_covered_territories(cleaned)
        lead_organisation = cleaned.get("lead_organisation") or self.fixed_lead
        if lead_organisation is not None and cleaned.get("partners") is not None:
            cleaned["partners"] = [p for p in cleaned["partners"] if p.pk != lead_organisation.pk]
        return cleaned

    def _clean_lead_collectivity(self, cleaned):
        text = cleaned.get("lead_collectivity_q", "")
        self.lead = resolve_territory(
            text,
            selected_id=self.data.get("lead_collectivity"),
            picked_id=self.data.get("lead_collectivity_pick"),
        )
        if not normalise_query(text):
            self.add_error(
                "lead_collectivity_q",
                gettext("Indiquez la collectivité qui porte l'initiative."),
            )
        elif self.lead.error:
            self.add_error("lead_collectivity_q", self.lead.error)
        cleaned["lead_collectivity"] = self.lead.territory

    def _clean_covered_territories(self, cleaned):
        covered = list(cleaned.get("territories") or [])
        if "territories" in self.errors:
            ids = [i for i in self.data.getlist("territories") if str(i).isdigit()]
            covered = list(Territory.objects.filter(pk__in=ids))
        self.covered_resolution = resolve_territory(
            cleaned.get("territories_q", ""), picked_id=self.data.get("territories_pick")
        )
        added = self.covered_resolution.territory
        if added is not None and all(t.pk != added.pk for t in covered):
            covered.append(added)
        elif self.covered_resolution.error:
            self.add_error("territories_q", self.covered_resolution.error)
        covered.sort(key=lambda t: (t.name, t.pk))
        self.covered = labelled(covered)
        cleaned["territories"] = covered

    def keep_errors_only(self, *names: str) -> None:
        """Hide the errors of other fields (preview, adding a territory: not a save)."""
        for name in list(self.errors):
            if name not in names:
                del self.errors[name]

    def service_data(self) -> dict:
        """The values for initiative_create / initiative_update."""
        cleaned = self.cleaned_data
        data = {name: cleaned[name] for name in TYPED_FIELDS if name in cleaned}
        data["lead_organisation"] = cleaned.get("lead_organisation") or self.fixed_lead
        data["lead_collectivity"] = cleaned["lead_collectivity"]
        for name in M2M_FIELDS:
            data[name] = list(cleaned.get(name) or [])
        return data


class DocumentUploadForm(forms.Form):
    """A document to attach; what it is is checked from its bytes by the service."""

    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "PDF, image (PNG, JPEG, WebP, GIF) ou document bureautique (Word, Excel, "
            "PowerPoint, OpenDocument), 10 Mo au plus."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT, "class": "fr-upload"}),
        error_messages={
            "required": _("Choisissez un fichier à déposer."),
            "empty": _("Le fichier est vide."),
        },
    )
    title = forms.CharField(
        label=_("Titre du document"),
        max_length=200,
        required=False,
        help_text=_("Facultatif : par défaut, le nom du fichier."),
        widget=forms.TextInput(attrs={"class": "fr-input"}),
    )
    is_public = forms.BooleanField(
        label=_("Publier ce document avec l'initiative"),
        required=False,
        initial=True,
        help_text=_("Décochez pour qu'il reste visible du seul ministère et de l'association."),
    )

    def __init__(self, *args, oversized: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.oversized = oversized

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if self.oversized or (upload is not None and upload.size > max_size()):
            # The upload handler stopped reading it: say why rather than "required".
            self.errors.pop("file", None)
            cleaned.pop("file", None)
            self.add_error(
                "file",
                ValidationError(
                    gettext("Le fichier dépasse la taille maximale de %(max)s.")
                    % {"max": filesizeformat(max_size())},
                    code="too_large",
                ),
            )
        return cleaned
