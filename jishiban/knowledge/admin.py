"""Admin: stock phrases are configuration, kept by the centre's supervisors here. Entries are
edited on the knowledge pages (their versions are written by ``services``), so the admin
shows them read-only."""

from django.contrib import admin

from jishiban.core.admin import ReadOnlyAdmin

from .models import Entry, Phrase


@admin.register(Phrase)
class PhraseAdmin(admin.ModelAdmin):
    list_display = ("text", "purpose", "category", "sort", "is_active")
    list_filter = ("purpose", "is_active")
    search_fields = ("text",)
    raw_id_fields = ("category",)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "owner_unit", "version", "review_due", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("title", "body")
