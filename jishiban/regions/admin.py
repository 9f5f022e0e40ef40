from django.contrib import admin

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_statistical")
    list_filter = ("level", "is_statistical")
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("parent",)
