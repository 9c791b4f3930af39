from django.contrib import admin

from .models import Action, Axis, Contribution, Milestone


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
