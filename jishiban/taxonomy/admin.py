from django.contrib import admin

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "reply_deadline", "sign_deadline", "urgent", "is_active")
    list_filter = ("level", "urgent", "is_active")
    search_fields = ("code", "name", "keywords")
    raw_id_fields = ("parent",)
