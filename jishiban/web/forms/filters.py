"""The appeal list's filters (GET), saved filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.figures import OPEN
from jishiban.appeals.models import Satisfaction, Status
from jishiban.channels.models import Channel
from jishiban.core.forms import PlainForm
from jishiban.core.lookups import Lookup
from jishiban.core.params import DayField
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

from ..selectors.listing import DEFAULT_SORT, SORTS, Criteria
from .widgets import FastSelect

OPEN_CHOICE = "open"

DEADLINE_STATES = [("", _("全部")), ("overdue", _("已超期")), ("yellow", _("临期（黄牌）")), ("normal", _("正常办理中"))]
SORT_LABELS = {
    "-received_at": _("受理时间（新→旧）"), "received_at": _("受理时间（旧→新）"),
    "reply_deadline": _("答复时限（近→远）"), "-reply_deadline": _("答复时限（远→近）"),
    "number": _("编号（小→大）"), "-number": _("编号（大→小）"),
}
# Query parameters that are paging state, not filters (left out of saved filters and exports).
PAGING_KEYS = ("after", "before", "format")


def _reference_choices(_key=None) -> dict[str, list[tuple[str, str]]]:
    """``(code, name)`` of the channels, counties, categories (indented by level) and units."""
    return {
        "channel": list(Channel.objects.values_list("code", "name")),
        "county": list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort", "code")
                       .values_list("code", "name")),
        "category": [(code, ("　" * (level - 1)) + name)
                     for code, level, name in Category.objects.order_by("code").values_list("code", "level", "name")],
        "unit": list(Organisation.objects.exclude(kind="centre").order_by("level", "code").values_list("code", "name")),
    }


# Rebuilt after a minute, or at once when a channel, region, category or unit is saved here.
REFERENCE_CHOICES = Lookup(Channel, _reference_choices, also=(Region, Category, Organisation))


class FilterForm(PlainForm, forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100,
                        help_text=_("按内容检索时，未设受理日期则只查近14天"),
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、电话、标题或内容"),
                                                      "accesskey": "f"}))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部")), (OPEN_CHOICE, _("在办（未办结）"))] + list(Status.choices))
    channel = forms.ChoiceField(widget=FastSelect, label=_("渠道"), required=False)
    county = forms.ChoiceField(widget=FastSelect, label=_("县市区"), required=False)
    town = forms.ChoiceField(widget=FastSelect, label=_("乡镇街道"), required=False)
    category = forms.ChoiceField(widget=FastSelect, label=_("分类"), required=False)
    unit = forms.ChoiceField(widget=FastSelect, label=_("主办单位"), required=False)
    deadline = forms.ChoiceField(label=_("时限状态"), required=False, choices=DEADLINE_STATES)
    satisfaction = forms.ChoiceField(label=_("满意度"), required=False,
                                     choices=[("", _("全部"))] + list(Satisfaction.choices))
    date_from = DayField(label=_("受理日期从"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": _("请填写有效的日期")})
    date_to = DayField(label=_("至"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": _("请填写有效的日期")})
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=[(k, SORT_LABELS[k]) for k in SORTS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("全部"))]
        # Plain value lists, not model instances, kept per process (REFERENCE_CHOICES): these lists
        # are long and every list page has them.
        choices = REFERENCE_CHOICES.get("filters")
        for name in ("channel", "county", "category", "unit"):
            self.fields[name].choices = any_ + choices[name]
        county = self.data.get("county") if self.is_bound else ""
        towns = (Region.objects.filter(level=RegionLevel.TOWN, parent__code=county).order_by("sort")
                 .values_list("code", "name")) if county else []
        self.fields["town"].choices = any_ + list(towns)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("结束日期不能早于开始日期"))
        return data

    def criteria(self) -> Criteria:
        """The cleaned filters as model instances (call after ``is_valid``; invalid parts are ignored)."""
        d = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        codes = {k: d.get(k) or "" for k in ("channel", "county", "town", "category", "unit")}
        return Criteria(
            status=OPEN if d.get("status") == OPEN_CHOICE else ([d["status"]] if d.get("status") else None),
            channel=Channel.objects.filter(code=codes["channel"]).first() if codes["channel"] else None,
            county=Region.objects.filter(code=codes["county"]).first() if codes["county"] else None,
            town=Region.objects.filter(code=codes["town"]).first() if codes["town"] else None,
            category=Category.objects.filter(code=codes["category"]).first() if codes["category"] else None,
            unit=Organisation.objects.filter(code=codes["unit"]).first() if codes["unit"] else None,
            deadline=d.get("deadline") or "", date_from=d.get("date_from"), date_to=d.get("date_to"),
            satisfaction=d.get("satisfaction") or "",
            q=d.get("q") or "", sort=d.get("sort") or DEFAULT_SORT,
        )


class SavedFilterForm(PlainForm, forms.Form):
    name = forms.CharField(label=_("筛选名称"), max_length=60, error_messages={"required": _("请填写筛选名称")})
    querystring = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)
