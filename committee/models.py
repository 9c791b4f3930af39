"""The committee's models: the six axes (committee/axes.py), the plan, contributions,
reports, steering and public subscriptions in their subpackages (all in the `committee` app,
re-exported below)."""

# Django finds the app's models here: the axes and the models of the subpackages (all in the
# `committee` app); the upload paths are named by the migrations.
from committee.axes import Axis
from committee.contributions.drafting_models import (
    Amendment,
    AmendmentComment,
    Drafting,
    Section,
    Signature,
    SignatureRound,
    TextVersion,
)
from committee.contributions.models import (
    Contribution,
    ContributionDocument,
    contribution_document_upload_to,
)
from committee.plan.models import (
    Action,
    ActionAssessment,
    ActionUpdate,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)
from committee.public.models import SearchSubscription
from committee.reports.models import Report, report_upload_to
from committee.sessions.models import (
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
from committee.steering.models import DigestDelivery

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
