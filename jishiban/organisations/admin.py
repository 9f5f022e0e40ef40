from django.contrib import admin

from .models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "region", "domain", "county_dispatch", "is_active")
    list_filter = ("kind", "level", "county_dispatch", "domain", "is_active")
    list_editable = ("county_dispatch",)
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("region", "parent")
