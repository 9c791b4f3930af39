from django.contrib import admin

from committee.axes import Axis
from committee.contributions.models import Contribution, ContributionDocument
from committee.plan.models import (
    Action,
    ActionAssessment,
    ActionUpdate,
    Indicator,
    Milestone,
    PartnerReport,
    PlanReview,
)


@admin.register(Axis)
class AxisAdmin(admin.ModelAdmin):
    list_display = ["number", "title"]
    search_fields = ["title"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "axis", "status", "progress", "due_date"]
    list_filter = ["axis", "status", "lead_partners"]
    search_fields = ["code", "title", "objective"]
    list_select_related = ["axis"]
    filter_horizontal = ["lead_partners"]
    raw_id_fields = ["initiatives"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "action", "due_date", "reached_on"]
    list_filter = ["action__axis"]
    search_fields = ["title", "action__code"]
    list_select_related = ["action"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status", "axes"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["axes", "organisations"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for inspection only: the plan's pages and services write these (progress,
    logs and reviews must stay consistent)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["label", "action", "source", "baseline", "target", "current_value"]
    list_filter = ["source", "action__axis"]
    search_fields = ["label", "action__code"]
    list_select_related = ["action"]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(ReadOnlyAdmin):
    list_display = ["action", "kind", "author", "created_at"]
    list_filter = ["kind"]
    search_fields = ["action__code", "text"]
    list_select_related = ["action", "author"]


@admin.register(PartnerReport)
class PartnerReportAdmin(ReadOnlyAdmin):
    list_display = ["action", "organisation", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["action__code", "account"]
    list_select_related = ["action", "organisation"]


class ActionAssessmentInline(admin.TabularInline):
    model = ActionAssessment
    extra = 0
    can_delete = False
    fields = ["action", "rating", "comment", "next_step", "assessed_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PlanReview)
class PlanReviewAdmin(ReadOnlyAdmin):
    list_display = ["title", "held_on", "status", "closed_at"]
    list_filter = ["status"]
    inlines = [ActionAssessmentInline]


@admin.register(ContributionDocument)
class ContributionDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "contribution", "content_type", "size", "uploaded_at"]
    list_select_related = ["contribution"]
