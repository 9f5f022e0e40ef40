"""Admin for API tokens: who holds one, its scope, when it expires and was last used, revoke.
The token itself is never stored, so it cannot be shown (``jishiban token create`` prints it
once). Revoking clears the token cache of this process at once (``tokens.revoke``)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from jishiban.core.admin import CheckedDateLookups

from .models import ApiToken
from .tokens import revoke


@admin.register(ApiToken)
class ApiTokenAdmin(CheckedDateLookups, admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "channel", "scope", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    list_filter = ("scope", "revoked_at", "expires_at", "channel")
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "name", "prefix", "channel", "scope", "created_at", "expires_at", "last_used_at",
                       "revoked_at")
    exclude = ("digest",)
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销所选令牌"))
    def revoke_selected(self, request, queryset):
        count = revoke(queryset)
        self.message_user(request, _("已吊销 %(n)d 个令牌") % {"n": count}, messages.SUCCESS)
