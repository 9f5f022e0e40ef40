"""Admin of smart help: classifier versions (activate), suggestions (read-only, restricted to the
appeals the user may see), risk rules (edited by supervisors)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import Appeal
from jishiban.core.pages import apply_errors

from .models import ClassifierVersion, RiskRule, Suggestion
from .risk_db import clean_rule_data


@admin.register(ClassifierVersion)
class ClassifierVersionAdmin(admin.ModelAdmin):
    list_display = ("number", "is_active", "created_at", "trigger", "trained_by", "n_train", "n_holdout", "f1",
                    "top3", "size")
    list_filter = ("is_active", "trigger")
    fields = ("number", "is_active", "activated_at", "created_at", "trigger", "trained_by", "source", "level",
              "n_train", "n_holdout", "labels", "evaluation_pretty", "size", "sha256", "note")
    readonly_fields = [f for f in fields if f != "note"]
    actions = ["activate"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("留出集宏平均 F1"))
    def f1(self, obj):
        return (obj.evaluation or {}).get("macro_f1")

    @admin.display(description=_("前三命中率"))
    def top3(self, obj):
        return (obj.evaluation or {}).get("top3_accuracy")

    @admin.display(description=_("评估"))
    def evaluation_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.evaluation or {}, ensure_ascii=False, indent=2))

    @admin.action(description=_("启用所选版本"))
    def activate(self, request, queryset):
        rows = list(queryset)
        if len(rows) != 1:
            self.message_user(request, _("请只选择一个版本"), messages.ERROR)
            return
        from .classify.model import ModelLoadError  # scikit-learn: only when a model is activated
        from .classify_db import DatabaseModelStore

        try:
            DatabaseModelStore().activate(rows[0].number)
        except ModelLoadError as exc:
            self.message_user(request, _("不能启用 v%(v)d：%(e)s（使用中的版本不变）") % {"v": rows[0].number, "e": exc},
                              messages.ERROR)
            return
        self.message_user(request, _("已启用 v%d") % rows[0].number, messages.SUCCESS)


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("appeal", "computed_at", "needs_choice", "model_version", "semantic", "risk_codes")
    list_filter = ("needs_choice", "semantic")
    search_fields = ("appeal__number",)
    list_select_related = ("appeal", "model_version")
    readonly_fields = ("appeal", "categories", "needs_choice", "region", "units", "duplicates", "repeat", "risks",
                       "applied", "model_version", "semantic", "unavailable", "computed_at")

    def get_queryset(self, request):
        visible = Appeal.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(appeal__in=visible)

    @admin.display(description=_("风险"))
    def risk_codes(self, obj):
        return "、".join(r.get("label", "") for r in obj.risks or [])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RiskRuleForm(forms.ModelForm):
    class Meta:
        model = RiskRule
        fields = ("code", "label", "terms", "patterns", "negatable", "negations", "enabled", "sort")

    def clean(self):
        data = super().clean()
        apply_errors(self, clean_rule_data({**data, "code": data.get("code") or "x"}))
        return data


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    form = RiskRuleForm
    list_display = ("code", "label", "enabled", "negatable", "term_list", "updated_at")
    list_editable = ("enabled",)
    list_filter = ("enabled",)
    search_fields = ("code", "label")

    @admin.display(description=_("关键词"))
    def term_list(self, obj):
        return "、".join((obj.terms or [])[:8])
