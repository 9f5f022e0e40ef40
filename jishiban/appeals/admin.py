"""Admin views of appeals: read-only records, restricted to what the user may see.

The admin configures; it does not handle work orders. Changes go through the workbench and
the API, which call the workflow services.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from jishiban.core.admin import AppealScopedAdmin, ReadOnlyAdmin

from .models import Appeal, AppealEvent, NumberSequence, PersonalDataAccess
from .privacy import citizen_display


class EventInline(admin.TabularInline):
    model = AppealEvent
    fields = ("at", "action", "from_status", "to_status", "actor", "actor_unit", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "channel", "status", "county", "category", "lead_unit", "received_at",
                    "reply_deadline", "card")
    list_filter = ("status", "channel", "card", "appeal_type", "urgent", "county")
    search_fields = ("number", "title", "external_id")
    date_hierarchy = "received_at"
    list_select_related = ("channel", "county", "category", "lead_unit")
    inlines = [EventInline]
    show_full_result_count = False
    exclude = ("citizen_name", "citizen_phone", "citizen_id_number")
    readonly_fields = ("citizen",)

    @admin.display(description=_("诉求人"))
    def citizen(self, obj):
        shown = citizen_display(self._request_user, obj)
        return " ".join(v for v in (shown["name"], shown["phone"], shown["id_number"]) if v)

    def get_queryset(self, request):
        self._request_user = request.user
        return super().get_queryset(request).visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        self._request_user = request.user
        return super().get_object(request, object_id, from_field)


@admin.register(AppealEvent)
class AppealEventAdmin(AppealScopedAdmin):
    list_display = ("appeal", "action", "from_status", "to_status", "actor", "at")
    list_filter = ("action",)
    search_fields = ("appeal__number",)
    list_select_related = ("appeal", "actor")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(AppealScopedAdmin):
    list_display = ("at", "user", "appeal", "field")
    list_select_related = ("user", "appeal")


admin.site.register(NumberSequence, ReadOnlyAdmin)
