from django.contrib import admin

from .models import Channel


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "public_reply", "reply_deadline", "wants_results", "is_active")
    list_filter = ("kind", "public_reply", "is_active")
    search_fields = ("code", "name")
