"""Admin: supervision configuration (trigger rules, settings, transports) is edited here;
records (orders, callbacks, deliveries …) are shown read-only — they change through the
services only."""

from django.contrib import admin

from jishiban.core.admin import AppealScopedAdmin, ReadOnlyAdmin

from . import access
from .models import (
    CallbackAttempt,
    CallbackTask,
    Delivery,
    DispatchDecision,
    Dispute,
    Meeting,
    Notification,
    OnSiteVisit,
    OrderEvent,
    Preferences,
    ReminderLetter,
    SupervisionOrder,
    Transport,
    TriggerRule,
)


@admin.register(TriggerRule)
class TriggerRuleAdmin(admin.ModelAdmin):
    list_display = ("reason", "enabled", "level", "deadline_days", "threshold", "window_days")
    list_editable = ("enabled", "level", "deadline_days", "threshold", "window_days")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("__str__", "dissatisfied_scheme", "callback_max_tries", "callback_link_days", "delivery_max_attempts")

    def has_add_permission(self, request):
        return not Preferences.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(Transport)
class TransportAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "enabled", "recipient", "url")
    list_filter = ("kind", "enabled")


class EventInline(admin.TabularInline):
    model = OrderEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class VisitInline(EventInline):
    model = OnSiteVisit
    fields = ("date", "place", "participants", "findings", "outcome", "recorded_by")
    readonly_fields = fields


@admin.register(SupervisionOrder)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("id", "appeal", "reason", "level", "target_unit", "responsible_unit", "status", "deadline",
                    "created_at")
    list_filter = ("status", "reason", "level", "auto")
    list_select_related = ("appeal", "target_unit", "responsible_unit")
    search_fields = ("appeal__number",)
    inlines = [EventInline, VisitInline]

    def get_queryset(self, request):
        return access.orders_for(request.user, super().get_queryset(request))


class AttemptInline(EventInline):
    model = CallbackAttempt
    fields = ("at", "outcome", "note", "by")
    readonly_fields = fields


@admin.register(CallbackTask)
class CallbackTaskAdmin(AppealScopedAdmin):
    list_display = ("appeal", "round", "mode", "status", "satisfaction", "solved", "decision", "done_at")
    list_filter = ("status", "mode", "decision")
    search_fields = ("appeal__number",)
    inlines = [AttemptInline]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("id", "appeal", "kind", "status", "meeting", "created_at")
    list_filter = ("status", "kind")

    def get_queryset(self, request):
        return access.disputes_for(request.user, super().get_queryset(request))


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("date", "title", "place", "status")

    def get_queryset(self, request):
        return access.meetings_for(request.user, super().get_queryset(request))


@admin.register(DispatchDecision)
class DispatchDecisionAdmin(ReadOnlyAdmin):
    list_display = ("id", "category", "county", "keywords", "lead_unit", "valid_from", "is_active", "meeting")
    list_filter = ("is_active",)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "user", "phone", "text", "read_at")
    list_filter = ("kind",)

    def get_queryset(self, request):
        return access.notifications_for(request.user, super().get_queryset(request))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "transport", "notification", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status", "transport")

    def get_queryset(self, request):
        notifications = access.notifications_for(request.user).values("pk")
        return super().get_queryset(request).filter(notification__in=notifications)


@admin.register(ReminderLetter)
class ReminderLetterAdmin(ReadOnlyAdmin):
    list_display = ("unit", "period", "revision", "created_at")

    def get_queryset(self, request):
        return access.letters_for(request.user, super().get_queryset(request))
