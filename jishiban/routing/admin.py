"""Admin: the dispatch catalogue is edited here as on the web pages (supervisors and
administrators; dispatchers read), through the same services. Rules are switched off, not
deleted, so the history of who was routed where stays explainable."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.core.pages import apply_errors
from jishiban.organisations.models import Organisation, OrgKind
from jishiban.regions.models import Region, RegionLevel

from . import access
from .models import DispatchRule, LearnedRoute
from .services import rules as rule_services


class CatalogueAccess:
    """Admin permissions from ``routing.access`` instead of model permissions."""

    def has_module_permission(self, request):
        return access.may_view(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_view(request.user)

    def has_add_permission(self, request, obj=None):
        return access.may_edit(request.user)

    def has_change_permission(self, request, obj=None):
        return access.may_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class RuleAdminForm(forms.ModelForm):
    class Meta:
        model = DispatchRule
        fields = [*rule_services.RULE_FIELDS, "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["county"].queryset = Region.objects.filter(level=RegionLevel.COUNTY)
        self.fields["town"].queryset = Region.objects.filter(level=RegionLevel.TOWN)
        current = self.instance.origin if self.instance.pk else None
        self.fields["origin"].choices = [(v, label) for v, label in self.fields["origin"].choices
                                         if v in rule_services.CHOOSABLE_ORIGINS or v == current]

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in rule_services.RULE_FIELDS if name in data}
        values["co_units"] = list(data.get("co_units") or [])
        try:
            self.checked = rule_services.clean(values, rule=self.instance if self.instance.pk else None)
        except AppealValidationError as exc:
            apply_errors(self, exc.errors)
        return data


@admin.register(DispatchRule)
class DispatchRuleAdmin(CatalogueAccess, admin.ModelAdmin):
    form = RuleAdminForm
    list_display = ("__str__", "category", "county", "town", "channel", "keywords", "lead_unit", "priority",
                    "origin", "valid_from", "valid_until", "is_active")
    list_filter = ("origin", "is_active", "county")
    search_fields = ("keywords", "note", "lead_unit__name", "category__name", "category__code")
    list_select_related = ("category", "county", "town", "channel", "lead_unit")
    filter_horizontal = ("co_units",)
    readonly_fields = ("decision", "created_by", "created_at", "updated_by", "updated_at")
    ordering = ("-priority", "category__code", "county__code", "id")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in rule_services.RULE_FIELDS}
        data["co_units"] = list(form.cleaned_data.get("co_units") or [])
        try:
            if change:
                rule = rule_services.update_rule(obj, by=request.user, **data)
                if rule.is_active != form.cleaned_data.get("is_active", True):
                    rule = rule_services.set_active(rule, by=request.user, active=form.cleaned_data["is_active"])
            else:
                rule = rule_services.create_rule(by=request.user, **data)
                if not form.cleaned_data.get("is_active", True):
                    rule = rule_services.set_active(rule, by=request.user, active=False)
        except ActionForbidden:
            raise PermissionDenied
        except AppealValidationError as exc:  # checked in the form already; a race changed something
            messages.error(request, exc.message)
            return
        obj.pk = rule.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # The service has set the co-handlers; only inlines (none) would remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(LearnedRoute)
class LearnedRouteAdmin(CatalogueAccess, admin.ModelAdmin):
    list_display = ("category", "county", "unit", "dispatched", "kept", "returned", "last_at", "refreshed_at")
    list_filter = ("county",)
    search_fields = ("category__name", "category__code", "unit__name")
    list_select_related = ("category", "county", "unit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

