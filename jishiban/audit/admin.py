"""The audit log in the admin: searchable by account, object and address, filtered by kind and
date; a row that stands for a reveal or an export links to that record."""

from axes import admin as axes_admin
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jishiban.core.admin import ReadOnlyAdmin

from .models import AuditEvent, AuditKind, LoginLockout
from .services import record


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor_name", "subject", "ip", "source_link")
    list_filter = ("kind", "at")
    search_fields = ("actor_name", "subject", "ip")
    date_hierarchy = "at"
    list_select_related = ("source_type",)
    fields = ("at", "kind", "actor", "actor_name", "ip", "subject", "detail", "source_link")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("原始记录"))
    def source_link(self, obj):
        if not obj.source_type_id or not obj.source_id:
            return "—"
        model = obj.source_type
        try:
            url = reverse(f"admin:{model.app_label}_{model.model}_change", args=[obj.source_id])
        except NoReverseMatch:
            return f"{model.name} #{obj.source_id}"
        return format_html('<a href="{}">{} #{}</a>', url, model.name, obj.source_id)


# django-axes' failed-login records (its own admin is off, AXES_ENABLE_ADMIN): "unlock" clears
# the selected ones and says so in the log.
@admin.register(LoginLockout)
class LoginLockoutAdmin(axes_admin.AccessAttemptAdmin):
    actions = ["unlock"]

    def has_delete_permission(self, request, obj=None):
        return False  # only through "unlock", which leaves a row in the audit log

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("audit.delete_loginlockout"):
            actions["unlock"] = self.get_action("unlock")
        else:
            actions.pop("unlock", None)
        return actions

    @admin.action(description=_("解除锁定（清除所选的登录失败记录）"))
    def unlock(self, request, queryset):
        targets = sorted({f"{a.username or '—'} @ {a.ip_address or '—'}" for a in queryset})
        count, _deleted = queryset.delete()
        for target in targets:
            record(AuditKind.UNLOCKED, subject=f"用户 {target}")
        self.message_user(request, _("已解除 %(n)d 条锁定记录") % {"n": count}, messages.SUCCESS)
