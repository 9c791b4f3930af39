"""Forms of the action plan's management pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committee.axes import Axis
from committee.forms import DsfrMixin, date_field, textarea
from committee.plan import computations
from committee.plan.models import Action, ActionAssessment, Indicator, PlanReview
from committee.plan.services import actions as action_services
from committee.plan.services import base as plan_base
from committee.plan.services import indicators as indicator_services
from initiatives.models import Initiative
from initiatives.models import Status as S
from members.models import Organisation


class ActionForm(DsfrMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20, help_text=_("Par exemple « 5.2 »."))
    axis = forms.ModelChoiceField(
        label=_("Axe de travail"), queryset=Axis.objects.order_by("number"), empty_label=None
    )
    title = forms.CharField(label=_("Intitulé"), max_length=255)
    objective = forms.CharField(label=_("Objectif"), widget=textarea())
    lead_partners = forms.ModelMultipleChoiceField(
        label=_("Partenaires pilotes"),
        queryset=Organisation.objects.order_by("acronym"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Statut"), choices=Action.Status.choices)
    start_date = date_field(_("Début"), required=False)
    due_date = date_field(_("Échéance"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("start_date"), cleaned.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("L'échéance ne peut précéder le début."))
        return cleaned

    @classmethod
    def for_action(cls, action: Action, data=None):
        initial = {
            "code": action.code,
            "axis": action.axis_id,
            "title": action.title,
            "objective": action.objective,
            "lead_partners": [p.pk for p in action.lead_partners.all()],
            "status": action.status,
            "start_date": action.start_date,
            "due_date": action.due_date,
        }
        return cls(data, initial=initial)

    def to_data(self) -> action_services.ActionData:
        c = self.cleaned_data
        return action_services.ActionData(
            axis=c["axis"],
            code=c["code"],
            title=c["title"],
            objective=c["objective"],
            lead_partners=list(c["lead_partners"]),
            status=c["status"],
            start_date=c["start_date"],
            due_date=c["due_date"],
        )


class MilestoneForm(DsfrMixin, forms.Form):
    title = forms.CharField(label=_("Intitulé du jalon"), max_length=255)
    due_date = date_field(_("Échéance"))


class MilestoneReachForm(DsfrMixin, forms.Form):
    reached_on = date_field(
        _("Atteint le"),
        required=False,
        help_text=_("Laissez vide si le jalon n'est pas (ou plus) atteint."),
    )

    def clean_reached_on(self):
        value = self.cleaned_data["reached_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Un jalon ne peut être atteint dans le futur."))
        return value


class NoteForm(DsfrMixin, forms.Form):
    text = forms.CharField(
        label=_("Note au journal"),
        max_length=plan_base.COMMENT_MAX_LENGTH,
        widget=textarea(3),
        help_text=_("Une décision, une réunion : la note ne change aucun chiffre."),
    )


class IndicatorForm(DsfrMixin, forms.Form):
    label = forms.CharField(label=_("Intitulé"), max_length=255)
    unit = forms.CharField(
        label=_("Unité"),
        max_length=40,
        required=False,
        help_text=_("Par exemple « départements »."),
    )
    baseline = forms.DecimalField(
        label=_("Valeur de départ"), max_digits=14, decimal_places=2, initial=0
    )
    target = forms.DecimalField(label=_("Cible"), max_digits=14, decimal_places=2)
    source = forms.ChoiceField(
        label=_("Source de la valeur"),
        choices=Indicator.Source.choices,
        initial=Indicator.Source.MANUAL,
        widget=forms.RadioSelect,
    )
    computation = forms.ChoiceField(
        label=_("Calcul (indicateur calculé)"),
        required=False,
        help_text=_("Pour un indicateur calculé à partir des initiatives publiées."),
    )
    computation_axis = forms.ModelChoiceField(
        label=_("Axe du calcul"),
        queryset=Axis.objects.order_by("number"),
        required=False,
        empty_label=_("Aucun"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [("", _("Aucun")), *computations.choices()]
        self.computations = list(computations.REGISTRY.values())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == Indicator.Source.COMPUTED:
            item = computations.REGISTRY.get(cleaned.get("computation") or "")
            if item is None:
                self.add_error("computation", _("Choisissez le calcul de cet indicateur."))
            elif item.needs_axis and not cleaned.get("computation_axis"):
                self.add_error("computation_axis", _("Ce calcul porte sur un axe : choisissez-le."))
            elif not item.takes_axis and cleaned.get("computation_axis"):
                self.add_error("computation_axis", _("Ce calcul ne porte pas sur un axe."))
        return cleaned

    @classmethod
    def for_indicator(cls, indicator: Indicator, data=None):
        return cls(
            data,
            initial={
                "label": indicator.label,
                "unit": indicator.unit,
                "baseline": indicator.baseline,
                "target": indicator.target,
                "source": indicator.source,
                "computation": indicator.computation,
                "computation_axis": indicator.computation_axis_id,
            },
        )

    def to_data(self) -> indicator_services.IndicatorData:
        c = self.cleaned_data
        return indicator_services.IndicatorData(
            label=c["label"],
            unit=c["unit"],
            baseline=c["baseline"],
            target=c["target"],
            source=c["source"],
            computation=c["computation"] or "",
            computation_axis=c["computation_axis"],
        )


class IndicatorValueForm(DsfrMixin, forms.Form):
    value = forms.DecimalField(label=_("Valeur actuelle"), max_digits=14, decimal_places=2)


class EvidenceForm(forms.Form):
    """The published initiative to link (chosen from a search on the page)."""

    initiative = forms.ModelChoiceField(
        queryset=Initiative.objects.filter(status=S.PUBLISHED),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Seule une initiative publiée peut servir de preuve.")},
    )


class ImportForm(DsfrMixin, forms.Form):
    file = forms.FileField(
        label=_("Classeur du plan d'action (XLSX)"),
        help_text=_("Le fichier exporté depuis cette page, complété ou corrigé."),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )


class PartnerReportForm(DsfrMixin, forms.Form):
    """What a lead partner reports: a short account, and optionally a milestone reached, an
    indicator's value, published initiatives as evidence."""

    organisation = forms.ModelChoiceField(
        label=_("Au nom de"), queryset=Organisation.objects.none(), empty_label=None
    )
    account = forms.CharField(
        label=_("Compte rendu"),
        max_length=plan_base.ACCOUNT_MAX_LENGTH,
        widget=textarea(5),
        help_text=_("Ce qui a été fait depuis le dernier point, en quelques lignes."),
    )
    milestone = forms.ModelChoiceField(
        label=_("Jalon atteint"),
        queryset=None,
        required=False,
        empty_label=_("Aucun"),
    )
    reached_on = date_field(_("Atteint le"), required=False)
    indicator = forms.ModelChoiceField(
        label=_("Indicateur"), queryset=None, required=False, empty_label=_("Aucun")
    )
    indicator_value = forms.DecimalField(
        label=_("Valeur atteinte"), max_digits=14, decimal_places=2, required=False
    )
    initiatives = forms.ModelMultipleChoiceField(
        label=_("Initiatives publiées à apporter comme preuves"),
        queryset=Initiative.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, action: Action, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        org_ids = [org.pk for org in organisations]
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids)
        self.only_organisation = organisations[0] if len(organisations) == 1 else None
        if self.only_organisation is not None:  # nothing to choose
            del self.fields["organisation"]
        self.fields["milestone"].queryset = action.milestones.filter(
            reached_on__isnull=True
        ).order_by("position", "due_date")
        self.fields["indicator"].queryset = action.indicators.filter(
            source=Indicator.Source.MANUAL
        ).order_by("position", "pk")
        self.fields["initiatives"].queryset = (
            Initiative.objects.filter(status=S.PUBLISHED, lead_organisation_id__in=org_ids)
            .exclude(pk__in=action.initiatives.values("pk"))
            .order_by("title")
        )

    def clean(self):
        cleaned = super().clean()
        if self.only_organisation is not None:
            cleaned["organisation"] = self.only_organisation
        milestone, reached_on = cleaned.get("milestone"), cleaned.get("reached_on")
        if milestone and not reached_on:
            self.add_error("reached_on", _("Indiquez la date à laquelle le jalon a été atteint."))
        if reached_on and not milestone:
            self.add_error("milestone", _("Choisissez le jalon atteint à cette date."))
        if reached_on and reached_on > timezone.localdate():
            self.add_error("reached_on", _("Un jalon ne peut être atteint dans le futur."))
        indicator, value = cleaned.get("indicator"), cleaned.get("indicator_value")
        if indicator and value is None:
            self.add_error("indicator_value", _("Indiquez la valeur atteinte."))
        if value is not None and not indicator:
            self.add_error("indicator", _("Choisissez l'indicateur de cette valeur."))
        return cleaned


class ReportDecisionForm(DsfrMixin, forms.Form):
    comment = forms.CharField(
        label=_("Commentaire au partenaire"),
        required=False,
        max_length=plan_base.COMMENT_MAX_LENGTH,
        widget=textarea(3),
        help_text=_("Obligatoire pour renvoyer le compte rendu."),
    )


class ReviewOpenForm(DsfrMixin, forms.Form):
    title = forms.CharField(
        label=_("Intitulé"), max_length=200, help_text=_("Par exemple « Revue du 2e trimestre ».")
    )
    held_on = date_field(_("Date de la revue"))


class AssessmentForm(DsfrMixin, forms.Form):
    rating = forms.ChoiceField(
        label=_("Appréciation"), choices=ActionAssessment.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=plan_base.COMMENT_MAX_LENGTH,
        widget=textarea(2),
    )
    next_step = forms.CharField(
        label=_("Prochaine étape"),
        required=False,
        max_length=plan_base.COMMENT_MAX_LENGTH,
        widget=textarea(2),
    )


class ReviewCloseForm(DsfrMixin, forms.Form):
    summary = forms.CharField(label=_("Synthèse de la revue"), widget=textarea(6))


class CompareForm(DsfrMixin, forms.Form):
    a = forms.ModelChoiceField(
        label=_("Revue"), queryset=PlanReview.objects.all(), empty_label=None
    )
    b = forms.ModelChoiceField(
        label=_("Comparée à"), queryset=PlanReview.objects.all(), empty_label=None
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", _("Choisissez deux revues différentes."))
        return cleaned
