from django.contrib import admin

from .models import SpamPhrase


@admin.register(SpamPhrase)
class SpamPhraseAdmin(admin.ModelAdmin):
    """The known spam phrases the portal's content filter looks for (the administrators' list)."""

    list_display = ("phrase", "active", "note", "created_at")
    list_filter = ("active",)
    search_fields = ("phrase", "note")
