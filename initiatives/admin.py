from django.contrib import admin

from initiatives.models import Document, Initiative, SchoolLevel, StatusChange


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "file", "content_type", "size", "is_public"]
    readonly_fields = ["content_type", "size"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "lead_organisation",
        "lead_collectivity",
        "region_code",
        "status",
        "published_at",
    ]
    list_filter = ["status", "collectivity_level", "axes", "lead_organisation", "school_levels"]
    search_fields = ["title", "slug", "summary", "lead_collectivity__name"]
    list_select_related = ["lead_organisation", "lead_collectivity"]
    raw_id_fields = ["lead_collectivity", "territories", "created_by", "assignee"]
    filter_horizontal = ["axes", "school_levels", "partners"]
    autocomplete_fields = ["referential_items"]
    readonly_fields = [
        "status",
        "created_at",
        "updated_at",
        "status_changed_at",
        "submitted_at",
        "published_at",
    ]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    inlines = [DocumentInline, StatusChangeInline]
    show_full_result_count = False


@admin.register(SchoolLevel)
class SchoolLevelAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "position"]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["initiative", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]
    search_fields = ["initiative__title", "by__email"]
    list_select_related = ["initiative", "by"]
    raw_id_fields = ["initiative", "by"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "initiative", "content_type", "size", "is_public", "uploaded_at"]
    list_filter = ["is_public", "content_type"]
    search_fields = ["title", "initiative__title"]
    list_select_related = ["initiative"]
    raw_id_fields = ["initiative", "uploaded_by"]
