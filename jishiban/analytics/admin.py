"""Admin: which counties and departments get their own scheduled reports (``ReportPlan``)."""

from django.contrib import admin

from .models import ReportPlan


@admin.register(ReportPlan)
class ReportPlanAdmin(admin.ModelAdmin):
    list_display = ("kind", "county", "unit", "active")
    list_filter = ("kind", "active")
    raw_id_fields = ("county", "unit")
