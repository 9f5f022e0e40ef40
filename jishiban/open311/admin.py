"""Admin for Open311 service attributes (editable) and API keys (no secret is ever shown)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jishiban.core.admin import CheckedDateLookups
from jishiban.taxonomy.models import Category

from .keys import revoke
from .models import ApiKey, ServiceAttribute


class ServiceAttributeForm(forms.ModelForm):
    class Meta:
        model = ServiceAttribute
        fields = ("category", "code", "datatype", "required", "variable", "description", "datatype_description",
                  "order", "values")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "category" in self.fields:
            self.fields["category"].queryset = Category.objects.filter(level=3).order_by("code")


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    form = ServiceAttributeForm
    list_display = ("category", "code", "datatype", "required", "variable", "order", "description")
    list_filter = ("datatype", "required")
    search_fields = ("code", "description", "category__code", "category__name")
    list_select_related = ("category",)
    raw_id_fields = ("category",)
    readonly_fields = ("updated_at",)


@admin.register(ApiKey)
class ApiKeyAdmin(CheckedDateLookups, admin.ModelAdmin):
    list_display = ("prefix", "name", "channel", "created_at", "last_used_at", "revoked_at")
    list_filter = ("channel", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name")
    list_select_related = ("channel",)
    fields = ("prefix", "name", "channel", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "channel", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A key is shown exactly once, when it is made: use ``jishiban apikey create``.
        return False

    @admin.action(description=_("吊销所选密钥"))
    def revoke(self, request, queryset):
        count = revoke(queryset)
        self.message_user(request, ngettext("已吊销 %(n)d 个密钥", "已吊销 %(n)d 个密钥", count) % {"n": count},
                          messages.SUCCESS)
