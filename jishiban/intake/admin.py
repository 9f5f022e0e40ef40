"""Admin pages of intake: the results outbox (status, attempts, last error), attachments, exports."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jishiban.core.admin import AppealScopedAdmin, ReadOnlyAdmin

from . import outbox
from .models import Attachment, ExportLog, ResultDelivery


@admin.register(ResultDelivery)
class ResultDeliveryAdmin(AppealScopedAdmin):
    list_display = ("key", "channel", "status", "attempts", "next_attempt_at", "last_status_code", "short_error",
                    "sent_at", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("key", "appeal__number")
    readonly_fields = ("key", "appeal", "event", "channel", "url", "payload", "status", "attempts",
                       "next_attempt_at", "claimed_at", "last_status_code", "last_error", "sent_at", "created_at")
    exclude = ("claim",)
    actions = ["retry"]

    @admin.display(description=_("最近错误"))
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description=_("立即重新发送所选回推"))
    def retry(self, request, queryset):
        count = outbox.retry_now(queryset)
        self.message_user(request, ngettext("%(n)d 条回推已重新排队。", "%(n)d 条回推已重新排队。", count) % {"n": count},
                          messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # Needed for the retry action; the form itself shows read-only fields only.
        return request.user.is_superuser


@admin.register(Attachment)
class AttachmentAdmin(AppealScopedAdmin):
    list_display = ("original_name", "appeal", "content_type", "size", "uploaded_by", "created_at")
    search_fields = ("appeal__number", "original_name", "sha256")
    raw_id_fields = ("appeal",)


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "via", "format", "row_count", "personal_data", "filters")
    list_filter = ("via", "format", "personal_data")
    # The reader by account or name, and the filter's text (unit code, dates, list criteria).
    search_fields = ("user__username", "user__first_name", "user__last_name", "filters")
    date_hierarchy = "at"
