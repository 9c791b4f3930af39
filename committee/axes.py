"""The six work axes of the charter: the one model every part of the committee builds on, in
a module of its own so that the subpackages import it without importing each other."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Axis(models.Model):
    """One of the six work axes written in the charter (verbatim)."""

    number = models.PositiveSmallIntegerField(
        _("numéro"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    title = models.CharField(_("intitulé"), max_length=255)
    short_title = models.CharField(_("intitulé court"), max_length=80)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    description = models.TextField(_("présentation"), blank=True)

    class Meta:
        verbose_name = _("axe de travail")
        verbose_name_plural = _("axes de travail")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=6), name="axis_number_1_to_6"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"
