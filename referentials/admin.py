from django.contrib import admin

from referentials.models import Referential, ReferentialItem, Territory, TerritoryAlias


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "department_code", "region_code", "population"]
    list_filter = ["level", "region_code"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent", "epci"]
    show_full_result_count = False


@admin.register(TerritoryAlias)
class TerritoryAliasAdmin(admin.ModelAdmin):
    """Loaded from referentials/data with the territories: looked up here, rarely edited."""

    list_display = ["value", "kind", "name", "territory"]
    list_filter = ["kind"]
    search_fields = ["value", "name", "territory__code"]
    list_select_related = ["territory"]
    raw_id_fields = ["territory"]
    show_full_result_count = False


class ReferentialItemInline(admin.TabularInline):
    model = ReferentialItem
    extra = 0
    fields = ["code", "label", "parent", "position"]
    raw_id_fields = ["parent"]


@admin.register(Referential)
class ReferentialAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "version", "status", "in_force_from"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug"]
    inlines = [ReferentialItemInline]


@admin.register(ReferentialItem)
class ReferentialItemAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "referential", "parent", "depth"]
    list_filter = ["referential__kind", "referential"]
    search_fields = ["code", "label"]
    list_select_related = ["referential", "parent"]
    raw_id_fields = ["parent"]
