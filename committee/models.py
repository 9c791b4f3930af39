"""The committee's models: the six axes here; the plan, contributions, reports, steering and
public subscriptions in their subpackages (all in the `committee` app, re-exported below)."""

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


# The models of the subpackages belong to this app (Django finds them here); the upload
# paths are named by the migrations.
from committee.contributions.drafting_models import (  # noqa: E402
    Amendment,
    AmendmentComment,
    Drafting,
    Section,
    Signature,
    SignatureRound,
    TextVersion,
)
from committee.contributions.models import (  # noqa: E402
    Contribution,
    ContributionDocument,
    contribution_document_upload_to,
)
from committee.plan.models import (  # noqa: E402
    Action,
    ActionAssessment,
    ActionUpdate,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)
from committee.public.models import SearchSubscription  # noqa: E402
from committee.reports.models import Report, report_upload_to  # noqa: E402
from committee.sessions.models import (  # noqa: E402
    AgendaItem,
    Attendance,
    Body,
    CalendarToken,
    Decision,
    Minutes,
    MinutesEntry,
    MinutesRemark,
    MinutesVersion,
    Reply,
    Representative,
    Session,
    SessionDocument,
    new_calendar_token,
    session_document_upload_to,
)
from committee.steering.models import DigestDelivery  # noqa: E402

__all__ = [
    "Action",
    "ActionAssessment",
    "ActionUpdate",
    "AgendaItem",
    "Amendment",
    "AmendmentComment",
    "Attendance",
    "Axis",
    "Body",
    "CalendarToken",
    "Decision",
    "Minutes",
    "MinutesEntry",
    "MinutesRemark",
    "MinutesVersion",
    "Reply",
    "Section",
    "Signature",
    "SignatureRound",
    "TextVersion",
    "Representative",
    "Session",
    "SessionDocument",
    "new_calendar_token",
    "session_document_upload_to",
    "Contribution",
    "ContributionDocument",
    "DigestDelivery",
    "Drafting",
    "Indicator",
    "Milestone",
    "PartnerReport",
    "PlanReview",
    "Report",
    "SearchSubscription",
    "contribution_document_upload_to",
    "report_upload_to",
]
