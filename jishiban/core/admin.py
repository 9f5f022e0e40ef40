"""Admin building blocks shared by the apps."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import params

# Lookups of a date or time column in a change list's query string, and how each is read.
_DATE_PARTS = {"year": (params.EARLIEST_DAY.year, params.LATEST_DAY.year), "month": (1, 12), "day": (1, 31),
               "iso_year": (params.EARLIEST_DAY.year, params.LATEST_DAY.year), "week": (1, 53),
               "week_day": (1, 7), "quarter": (1, 4)}
_DATE_COMPARISONS = {"", "exact", "gt", "gte", "lt", "lte"}


def date_lookup_problem(model, query) -> str | None:
    """The first date or time lookup in ``query`` (a change list's GET) that the project's parsers
    refuse, as a message; ``None`` when all are fine. ``?received_at__year=9999`` would otherwise
    overflow when the admin computes the next year, ``?received_at__gte=0001-01-01T00:00:00+14:00``
    when it converts to UTC."""
    for key, value in query.items():
        name, _sep, lookup = key.partition("__")
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.DateField):
            continue
        try:
            if lookup in _DATE_PARTS:
                low, high = _DATE_PARTS[lookup]
                params.integer(value, key, minimum=low, maximum=high)
            elif lookup in _DATE_COMPARISONS:
                if isinstance(field, models.DateTimeField):
                    params.moment(value, key)
                else:
                    params.day(value, key)
        except params.ParameterError as exc:
            return str(exc)
    return None


class CheckedDateLookups:
    """A ModelAdmin mixin: a change list asked for an impossible date answers 400 with a message
    instead of failing (``date_hierarchy`` and date ``list_filter`` columns)."""

    def changelist_view(self, request, extra_context=None):
        problem = date_lookup_problem(self.model, request.GET)
        if problem:
            context = {**self.admin_site.each_context(request), "title": _("筛选条件有误"), "problem": problem,
                       "back": request.path, "opts": self.model._meta}
            return render(request, "admin/bad_lookup.html", context, status=400)
        return super().changelist_view(request, extra_context)


class ReadOnlyAdmin(CheckedDateLookups, admin.ModelAdmin):
    """For records written only by services (events, logs, deliveries): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AppealScopedAdmin(ReadOnlyAdmin):
    """Records of an appeal, listed only for appeals the user may see (``Appeal.objects.visible_to``),
    the same scope as every other page; ``appeal_field`` names the path to the appeal."""

    appeal_field = "appeal"

    def get_queryset(self, request):
        from jishiban.appeals.models import Appeal

        visible = Appeal.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(**{f"{self.appeal_field}__in": visible})
