"""The period and filter of the figure pages (GET)."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jishiban.core.params import DayField
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region

from .selectors import Filter

GROUP_CHOICES = [("county", _("按县市区")), ("unit", _("按承办单位")), ("category", _("按分类")),
                 ("channel", _("按渠道")), ("appeal_type", _("按诉求类型"))]


def this_month() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(day=1), today


class PeriodForm(forms.Form):
    start = DayField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                     error_messages={"invalid": _("请填写有效的日期")})
    end = DayField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                   error_messages={"invalid": _("请填写有效的日期")})
    group = forms.ChoiceField(label=_("分组"), required=False, choices=GROUP_CHOICES)
    county = forms.CharField(label=_("县市区代码"), required=False, max_length=20)
    unit = forms.CharField(label=_("单位代码"), required=False, max_length=40)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("截止日期不能早于起始日期"))
        if end and start and (end - start) > timedelta(days=3 * 366):
            self.add_error("end", _("期间不能超过三年"))
        for name, model in (("county", Region), ("unit", Organisation)):
            code = (data.get(name) or "").strip()
            if code and not model.objects.filter(code=code).exists():
                self.add_error(name, _("没有代码为 %(c)s 的区划或单位") % {"c": code})
        return data

    def period(self) -> tuple[date, date]:
        d = getattr(self, "cleaned_data", {})
        default = this_month()
        return d.get("start") or default[0], d.get("end") or default[1]

    def filter(self) -> Filter:
        d = getattr(self, "cleaned_data", {})
        county = Region.objects.filter(code=d.get("county")).values_list("pk", flat=True).first() if d.get("county") else None
        unit = Organisation.objects.filter(code=d.get("unit")).values_list("pk", flat=True).first() if d.get("unit") else None
        return Filter(county=county, unit=unit)
