"""The form of a knowledge entry (new or edited)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.organisations.models import Organisation, OrgKind
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

from .models import EntryKind
from .services import MAX_BODY, MAX_NOTE, MAX_TITLE


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=EntryKind.choices)
    title = forms.CharField(label=_("标题"), max_length=MAX_TITLE,
                            error_messages={"max_length": _("标题不能超过 %(limit_value)d 字")})
    body = forms.CharField(label=_("内容"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"max_length": _("内容不能超过 %(limit_value)d 字")})
    category = forms.ModelChoiceField(label=_("分类"), required=False, empty_label=_("— 不限分类 —"),
                                      queryset=Category.objects.filter(is_active=True).order_by("code"))
    region = forms.ModelChoiceField(label=_("适用区域"), required=False, empty_label=_("— 全市 —"),
                                    queryset=Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort", "code"))
    owner_unit = forms.ModelChoiceField(label=_("维护单位"), empty_label=_("— 请选择 —"),
                                        queryset=Organisation.objects.filter(is_active=True)
                                        .exclude(kind=OrgKind.CENTRE).order_by("level", "code"))
    review_days = forms.IntegerField(label=_("复核周期（天）"), initial=180, min_value=7, max_value=730,
                                     error_messages={"min_value": _("复核周期至少 %(limit_value)s 天"),
                                                     "max_value": _("复核周期最多 %(limit_value)s 天"),
                                                     "invalid": _("请填写天数")})
    note = forms.CharField(label=_("修改说明"), max_length=MAX_NOTE, required=False)

    def __init__(self, *args, fixed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda c: " / ".join(c.path_names)
        for name in ("title", "body"):
            self.fields[name].error_messages["required"] = _("请填写%(f)s") % {"f": self.fields[name].label}
        self.fields["owner_unit"].error_messages["required"] = _("请选择维护单位")
        if fixed_unit is not None:  # unit staff keep their own unit's entries
            self.fields["owner_unit"].queryset = Organisation.objects.filter(pk=fixed_unit.pk)
            self.fields["owner_unit"].initial = fixed_unit.pk
            self.fields["owner_unit"].empty_label = None
