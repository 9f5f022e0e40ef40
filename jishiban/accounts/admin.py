from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import TwoFactorDevice, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "organisation", "region", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    raw_id_fields = ("organisation", "region")
    fieldsets = (*BaseUserAdmin.fieldsets, (_("岗位"), {"fields": ("role", "organisation", "region", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("岗位"), {"fields": ("role", "organisation", "region")}))


# Staff turn two-step verification on themselves (/accounts/two-factor/); the admin only sees who
# has it and removes the device of someone who lost their phone. Secrets are never shown.
admin.site.unregister(TOTPDevice)


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__first_name")
    fields = ("user", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
