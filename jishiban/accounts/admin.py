from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "organisation", "region", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    raw_id_fields = ("organisation", "region")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("岗位"), {"fields": ("role", "organisation", "region", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("岗位"), {"fields": ("role", "organisation", "region")}))
