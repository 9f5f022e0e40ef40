"""Forms of the catalogue pages; they only read input. The checks are the services' (one
place), their errors come back onto the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.core.forms import PlainForm
from jishiban.organisations.models import Organisation, OrgKind
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

from .models import DispatchRule, Origin
from .services.rules import CHOOSABLE_ORIGINS, DECISION_FIELDS, RULE_FIELDS


class CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return " / ".join(obj.path_names)


class TownChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent} · {obj}" if obj.parent_id else str(obj)


def _units():
    return Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE).order_by("level", "code")


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent__parent").order_by("code")


class RuleForm(PlainForm, forms.ModelForm):
    category = CategoryChoice(label=_("分类"), queryset=_categories(), required=False,
                              help_text=DispatchRule._meta.get_field("category").help_text)
    town = TownChoice(label=_("乡镇街道"), required=False,
                      queryset=Region.objects.filter(level=RegionLevel.TOWN).select_related("parent"),
                      help_text=DispatchRule._meta.get_field("town").help_text)

    class Meta:
        model = DispatchRule
        fields = list(RULE_FIELDS)
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
            "co_units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["lead_unit"].queryset = _units()
        self.fields["co_units"].queryset = _units()
        self.fields["county"].queryset = Region.objects.filter(level=RegionLevel.COUNTY)
        self.fields["valid_from"].required = False
        self.fields["lead_unit"].required = False  # the service names the missing unit
        current = self.instance.origin if self.instance.pk else None
        self.fields["origin"].choices = [(v, label) for v, label in Origin.choices
                                         if v in CHOOSABLE_ORIGINS or v == current]
        from jishiban.supervision.models import Meeting

        self.fields["meeting"].queryset = Meeting.objects.order_by("-date", "-id")
        if self.instance.pk and self.instance.decision_id:
            for name in DECISION_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("由会商决定 #%(id)s 确定，请在会商派单决定中修改") % {
                    "id": self.instance.decision_id}
            self.fields["origin"].disabled = True

    def service_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in RULE_FIELDS}
        data["co_units"] = list(self.cleaned_data.get("co_units") or [])
        return data


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=[
        ("active", _("在用")), ("inactive", _("已停用或过期")), ("all", _("全部"))])
    origin = forms.ChoiceField(label=_("来源"), required=False, choices=[("", _("全部来源")), *Origin.choices])
    county = forms.ModelChoiceField(label=_("县市区"), required=False, empty_label=_("全部区域"),
                                    queryset=Region.objects.filter(level=RegionLevel.COUNTY))
    category = CategoryChoice(label=_("分类"), required=False, empty_label=_("全部分类"),
                              queryset=Category.objects.filter(level__lte=2).select_related("parent"))
    q = forms.CharField(label=_("关键词"), required=False, max_length=60)


class TryForm(forms.Form):
    number = forms.CharField(label=_("诉求件编号"), max_length=24)
