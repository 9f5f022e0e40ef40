"""Grid configuration in the admin, read-only: grids come from the import, events from services."""

from django.contrib import admin

from jishiban.core.admin import ReadOnlyAdmin

from .models import Assignment, Grid, GridEvent


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ("region", "community", "town", "residents", "households", "units", "boundary_version")
    search_fields = ("region__code", "region__name", "zongzhi_code", "jingwu_code", "chengguan_code", "chuangcheng_code")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("grid", "worker", "duty", "employment", "started_at", "ended_at")


@admin.register(GridEvent)
class GridEventAdmin(ReadOnlyAdmin):
    list_display = ("title", "grid", "kind", "state", "solved_on_spot", "escalation", "reported_at")
    list_filter = ("state", "kind", "escalation")
