"""Admin for the holiday data, with a banner while this or next year has none."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from jishiban.core import params
from jishiban.core.admin import CheckedDateLookups

from .models import CalendarYear, Holiday
from .services import calendar_warning_text

WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]


class MissingYearBannerMixin:
    def changelist_view(self, request, extra_context=None):
        text = calendar_warning_text()
        if text:
            messages.warning(request, text)
        return super().changelist_view(request, extra_context)


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request)
            .annotate(year=ExtractYear("date"))
            .values_list("year", flat=True)
            .distinct()
            .order_by("-year")
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            year = params.integer(value, "year", minimum=params.EARLIEST_DAY.year, maximum=params.LATEST_DAY.year)
        except params.ParameterError:
            return queryset.none()  # a year no one could have: no holidays in it
        return queryset.filter(date__year=year)


@admin.register(Holiday)
class HolidayAdmin(CheckedDateLookups, MissingYearBannerMixin, admin.ModelAdmin):
    list_display = ["date", "weekday", "is_off_day", "name", "source", "updated_at"]
    list_filter = [YearFilter, "is_off_day"]
    search_fields = ["name"]
    ordering = ["-date"]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("星期"), ordering="date")
    def weekday(self, obj: Holiday) -> str:
        return str(WEEKDAYS[obj.date.weekday()])


@admin.register(CalendarYear)
class CalendarYearAdmin(MissingYearBannerMixin, admin.ModelAdmin):
    list_display = ["year", "source", "imported_at"]
    search_fields = ["=year", "source", "note"]
    ordering = ["-year"]
