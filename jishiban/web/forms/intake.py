"""The call-desk form (one screen, keyboard first)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.creation import PHONE
from jishiban.appeals.models import AppealType
from jishiban.channels.models import Channel
from jishiban.core.forms import PlainForm
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.lookup import CATEGORIES
from jishiban.taxonomy.models import Category

DEFAULT_CHANNEL = "12345-phone"
MODE_DISPATCH, MODE_ANSWER = "dispatch", "answer"


def _htmx(url: str, trigger: str, target: str, include: str = "#intake-form") -> dict:
    # POST: the panels send the whole form, and a long appeal text does not fit in a URL (414).
    return {"hx-post": url, "hx-trigger": trigger, "hx-target": target, "hx-include": include,
            "hx-sync": "this:replace"}


class IntakeForm(PlainForm, forms.Form):
    """What the operator types while on the phone. Field names are those of ``NewAppeal`` so the
    pipeline's validation errors land next to the right field."""

    citizen_phone = forms.CharField(label=_("来电号码"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"type": "tel", "accesskey": "p",
                                                                  "autocomplete": "off", "autofocus": True}))
    citizen_name = forms.CharField(label=_("诉求人"), max_length=60, required=False)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    confidential = forms.BooleanField(label=_("保密"), required=False, help_text=_("举报件自动保密"))
    channel = forms.ChoiceField(label=_("渠道"), initial=DEFAULT_CHANNEL)
    appeal_type = forms.ChoiceField(label=_("诉求类型"), choices=AppealType.choices, initial=AppealType.CONSULT)
    category = forms.CharField(label=_("分类"), widget=forms.HiddenInput(attrs={"data-draft-keep": ""}),
                               error_messages={"required": _("请选择分类")})
    title = forms.CharField(label=_("标题"), max_length=200, required=False,
                            help_text=_("留空则取诉求内容前 30 字"))
    content = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 4, "accesskey": "c"}),
                              error_messages={"required": _("请填写诉求内容")})
    address = forms.CharField(label=_("地址"), max_length=300, required=False,
                              widget=forms.TextInput(attrs={"accesskey": "a", "autocomplete": "off",
                                                            "data-after-category": ""}))
    county = forms.ChoiceField(label=_("县市区"), required=False)
    town = forms.ChoiceField(label=_("乡镇街道"), required=False)
    urgent = forms.BooleanField(label=_("紧急"), required=False, help_text=_("涉及生命财产安全，当日办理"))
    answer_text = forms.CharField(label=_("直接答复内容"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "accesskey": "r"}),
                                  help_text=_("咨询类当场答复的，填写答复后点“直接办结”"))
    mode = forms.ChoiceField(choices=[(MODE_DISPATCH, MODE_DISPATCH), (MODE_ANSWER, MODE_ANSWER)],
                             initial=MODE_DISPATCH, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, urls: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.JISHIBAN["MAX_CONTENT_LENGTH"]
        content = self.fields["content"]
        content.max_length = limit
        content.validators.append(MaxLengthValidator(limit))
        content.widget.attrs["maxlength"] = str(limit)
        content.error_messages["max_length"] = _("诉求内容最多 %(limit_value)d 字，现有 %(show_value)d 字，请概括后再提交")
        content.help_text = _("最多 %(n)d 字") % {"n": limit}
        self.fields["channel"].choices = [(c.code, c.name) for c in Channel.objects.filter(is_active=True)]
        counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort", "code"))
        self.fields["county"].choices = [("", _("— 县市区 —"))] + [(r.code, r.name) for r in counties]
        county_code = (self.data.get("county") if self.is_bound else self.initial.get("county")) or ""
        self.town_regions = list(Region.objects.filter(level=RegionLevel.TOWN, parent__code=county_code)
                                 .order_by("sort", "code")) if county_code else []
        self.fields["town"].choices = [("", _("— 乡镇街道 —"))] + [(r.code, r.name) for r in self.town_regions]
        self.fields["content"].max_length = settings.JISHIBAN["MAX_CONTENT_LENGTH"]
        urls = urls or {}
        if "caller" in urls:
            self.fields["citizen_phone"].widget.attrs.update(
                _htmx(urls["caller"], "keyup changed delay:400ms, change", "#caller-box"))
        if "assist" in urls:
            # Duplicates and category suggestions come back together (suggestions out of band).
            self.fields["content"].widget.attrs.update(
                _htmx(urls["assist"], "keyup changed delay:700ms, change", "#dup-box"))
        if "locate" in urls:
            self.fields["address"].widget.attrs.update(
                _htmx(urls["locate"], "keyup changed delay:600ms, change", "#region-box"))
        if "towns" in urls:
            self.fields["county"].widget.attrs.update(
                {"hx-post": urls["towns"], "hx-trigger": "change", "hx-target": "#region-box",
                 "hx-include": "#intake-form"})
        if "label" in urls:
            self.fields["category"].widget.attrs["data-label-url"] = urls["label"]

    def clean_citizen_phone(self):
        phone = (self.cleaned_data.get("citizen_phone") or "").strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("电话号码格式不正确"))
        return phone

    def clean_category(self):
        code = (self.cleaned_data.get("category") or "").strip()
        category = CATEGORIES.get(code)  # code, name or path, as every interface takes them
        if category is None:
            raise forms.ValidationError(_("未知分类 %(code)s，请重新选择") % {"code": code})
        if category.children.filter(is_active=True).exists():
            raise forms.ValidationError(_("请选择到最末一级分类（%(name)s 下还有细类）") % {"name": category.name})
        self.category_obj = category
        return category.code

    def clean(self):
        data = super().clean()
        mode = data.get("mode") or MODE_DISPATCH
        data["mode"] = mode
        if mode == MODE_ANSWER and not (data.get("answer_text") or "").strip():
            self.add_error("answer_text", _("直接办结须填写答复内容"))
        if not data.get("anonymous") and "citizen_phone" not in self.errors and not data.get("citizen_phone"):
            self.add_error("citizen_phone", _("请填写来电号码（无号码请勾选匿名）"))
        return data

    @property
    def chosen_category(self):
        """The category chosen (valid or not yet validated), for showing its name again."""
        code = self.data.get("category") if self.is_bound else self.initial.get("category")
        if not code:
            return None
        return getattr(self, "category_obj", None) or Category.objects.filter(code=code).first()
