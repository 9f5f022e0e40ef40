"""The citizen's forms. Every refusal is a Chinese message next to the field; what was typed
is kept (photos must be chosen again: browsers do not keep them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import AppealType, Satisfaction
from jishiban.core.forms import FilePicker
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

from . import conf

# What a citizen may hand in (表扬 and 其他 are for the desk); in plain words.
TYPES = [(AppealType.CONSULT, _("咨询")), (AppealType.HELP, _("求助")), (AppealType.COMPLAINT, _("投诉")),
         (AppealType.REPORT, _("举报")), (AppealType.SUGGESTION, _("建议"))]


class PhotosField(forms.FileField):
    """Any number of files (checked by ``photos.check_photos``, which names each bad one)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", FilePicker({"accept": "image/jpeg,image/png,image/webp,image/gif"}, multiple=True))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(PhotosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _counties():
    return [("", _("请选择"))] + [(r.code, r.name) for r in Region.objects.filter(level=RegionLevel.COUNTY)]


def _towns(county: str | None):
    rows = Region.objects.filter(level=RegionLevel.TOWN, parent__code=county) if county else Region.objects.none()
    return [("", _("不确定"))] + [(r.code, r.name) for r in rows]


class SubmitForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    appeal_type = forms.ChoiceField(label=_("诉求类型"), choices=TYPES, initial=AppealType.COMPLAINT,
                                    widget=forms.RadioSelect)
    content = forms.CharField(label=_("请描述您遇到的问题"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6, "data-suggest": "category"}),
                              help_text=_("时间、地点、经过，越具体越便于办理"),
                              error_messages={"required": _("请描述您遇到的问题")})
    category = forms.CharField(label=_("问题分类"), required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("照片（可选）"))
    address = forms.CharField(label=_("问题发生地址"), max_length=300,
                              widget=forms.TextInput(attrs={"data-locate": "1", "autocomplete": "street-address"}),
                              error_messages={"required": _("请填写问题发生的地址")})
    county = forms.ChoiceField(label=_("县市区"), required=False)
    town = forms.ChoiceField(label=_("乡镇街道"), required=False)
    # The point picked on the map (both or neither; ``places.coordinates``).
    lat = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-map-lat": "1"}))
    lon = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-map-lon": "1"}))
    anonymous = forms.BooleanField(label=_("匿名反映（不留姓名和电话）"), required=False)
    name = forms.CharField(label=_("姓名"), max_length=60, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    confidential = forms.BooleanField(label=_("为我的身份保密"), required=False,
                                      help_text=_("只有 12345 中心督办人员和办理单位能看到您的姓名和电话；举报件一律保密"))
    publish = forms.BooleanField(label=_("同意答复内容脱敏后公开"), required=False, initial=True)
    consent = forms.BooleanField(label=_("我已阅读并同意《个人信息保护告知》"),
                                 error_messages={"required": _("提交前请阅读并同意个人信息保护告知")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _counties()
        county = self.data.get("county") if self.is_bound else None
        self.fields["town"].choices = _towns(county)
        if not self.is_bound:
            self.initial.setdefault("confidential", False)

    def clean_category(self):
        code = (self.cleaned_data.get("category") or "").strip()
        if code and not Category.objects.filter(code=code, is_active=True).exists():
            raise forms.ValidationError(_("所选分类已不存在，请重新选择"))
        return code

    def clean(self):
        data = super().clean()
        kind = data.get("appeal_type")
        if data.get("anonymous"):
            if kind and kind not in conf.get("ANONYMOUS_TYPES"):
                self.add_error("anonymous", _("“%(kind)s”需要留下联系方式，以便办理单位联系您") % {
                    "kind": dict(TYPES).get(kind, kind)})
        else:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("请填写姓名，或选择匿名反映"))
            if not (data.get("phone") or "").strip():
                self.add_error("phone", _("请填写手机号，以便接收受理短信和办理单位联系您"))
        if kind == AppealType.REPORT:
            data["confidential"] = True  # 举报件一律保密
        from jishiban.core.params import ParameterError

        from .places import coordinates

        try:
            data["lat"], data["lon"] = coordinates(data.get("lat"), data.get("lon"))
        except ParameterError as exc:
            data["lat"] = data["lon"] = None
            self.add_error("address", _("地图位置无效（%(why)s），请重新在地图上点选或只填写地址") % {"why": exc.reason})
        return data


class FollowForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
                           error_messages={"required": _("请输入查询码")})


class SendCodeForm(forms.Form):
    number = forms.CharField(label=_("诉求编号"), max_length=24, error_messages={"required": _("请输入诉求编号")})
    phone = forms.CharField(label=_("提交时留的手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            error_messages={"required": _("请输入手机号")})


class CheckCodeForm(forms.Form):
    otp = forms.CharField(label=_("短信验证码"), max_length=6,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                          error_messages={"required": _("请输入短信验证码")})


class AddForm(forms.Form):
    text = forms.CharField(label=_("补充内容"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("补充照片（可选）"))


class RateForm(forms.Form):
    solved = forms.ChoiceField(label=_("您的问题解决了吗？"), widget=forms.RadioSelect,
                               choices=[("yes", _("已解决")), ("partly", _("部分解决")), ("no", _("未解决"))],
                               error_messages={"required": _("请选择问题是否解决")})
    satisfaction = forms.ChoiceField(label=_("您对办理结果满意吗？"), widget=forms.RadioSelect,
                                     choices=Satisfaction.choices, error_messages={"required": _("请选择满意程度")})
    comment = forms.CharField(label=_("意见和建议（可选）"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因（可选）"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("我确认撤回这件诉求，撤回后不再办理"),
                                 error_messages={"required": _("请勾选确认撤回")})


class SignInPhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            error_messages={"required": _("请输入手机号")})


class SignInCodeForm(forms.Form):
    otp = forms.CharField(label=_("短信验证码"), max_length=6,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                          error_messages={"required": _("请输入短信验证码")})


class AddressForm(forms.Form):
    label = forms.CharField(label=_("名称（如：家、单位）"), max_length=20, error_messages={"required": _("请填写名称，如：家、单位")})
    address = forms.CharField(label=_("地址"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
                              error_messages={"required": _("请填写地址")})
    county = forms.ChoiceField(label=_("县市区"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _counties()
