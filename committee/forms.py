"""What the committee's forms share: DSFR classes on widgets, date and text fields."""

from __future__ import annotations

from django import forms

TEXTAREA_ROWS = 4


class DsfrMixin:
    """Give each widget its DSFR class (fr-input, fr-select…)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
                continue
            if isinstance(widget, forms.Select):
                css = "fr-select"
            elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                css = "fr-upload"
            elif isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                continue
            else:
                css = "fr-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=help_text,
    )


def textarea(rows=TEXTAREA_ROWS):
    return forms.Textarea(attrs={"rows": rows})
