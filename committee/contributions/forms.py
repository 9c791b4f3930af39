"""Forms of the contributions' management pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from committee.axes import Axis
from committee.contributions import services as plan_services
from committee.forms import DsfrMixin, textarea
from initiatives.forms import DocumentUploadForm
from members.models import Organisation


class ContributionForm(DsfrMixin, forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=255)
    slug = forms.SlugField(
        label=_("Identifiant d'adresse"),
        max_length=255,
        required=False,
        help_text=_("Facultatif : tiré du titre."),
    )
    summary = forms.CharField(label=_("Résumé"), widget=textarea(3))
    body = forms.CharField(label=_("Texte (Markdown)"), required=False, widget=textarea(12))
    axes = forms.ModelMultipleChoiceField(
        label=_("Axes de travail"),
        queryset=Axis.objects.order_by("number"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Signataires"),
        queryset=Organisation.objects.order_by("acronym"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def for_contribution(cls, contribution, data=None):
        return cls(
            data,
            initial={
                "title": contribution.title,
                "slug": contribution.slug,
                "summary": contribution.summary,
                "body": contribution.body,
                "axes": [a.pk for a in contribution.axes.all()],
                "organisations": [o.pk for o in contribution.organisations.all()],
            },
        )

    def to_data(self) -> plan_services.ContributionData:
        c = self.cleaned_data
        return plan_services.ContributionData(
            title=c["title"],
            slug=c["slug"] or "",
            summary=c["summary"],
            body=c["body"],
            axes=list(c["axes"]),
            organisations=list(c["organisations"]),
        )


class ContributionDocumentForm(DocumentUploadForm):
    """A document of a contribution: public with it once published."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["is_public"]
