"""One small form per workflow action. Field names match the keys of the services'
``AppealValidationError`` so a service's refusal shows next to the right field."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import ResultType, Satisfaction
from jishiban.core.forms import PlainForm
from jishiban.core.params import MAX_ID, MAX_SMALL, DayField

from .widgets import (
    YES_NO,
    MultipleFileField,
    PickedUnit,
    PickedUnits,
    UnitChoiceField,
    UnitMultipleChoiceField,
)


class ActionForm(PlainForm, forms.Form):
    """Every action form carries the version the user saw (optimistic lock)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_SMALL)

    def __init__(self, *args, appeal=None, user=None, **kwargs):
        self.appeal, self.user = appeal, user
        super().__init__(*args, **kwargs)
        if appeal is not None and not self.is_bound:
            self.initial.setdefault("expected_version", appeal.version)


def _reason(label, required=True, rows=2, message=None):
    return forms.CharField(label=label, required=required, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message or _("请填写%(label)s") % {"label": label}})


class AcceptForm(ActionForm):
    pass


class AnswerForm(ActionForm):
    text = _reason(_("答复内容"), rows=3)


class DispatchForm(ActionForm):
    """Lead unit and co-handlers come from the unit picker (``{% unit_picker %}``); where the
    user may dispatch to is the dispatch service's check (the role policy's ``dispatch_units``)."""

    lead_unit = UnitChoiceField(label=_("主办单位"), widget=PickedUnit, error_messages={
        "required": _("请选择主办单位"), "invalid_choice": _("所选主办单位不存在或已停用")})
    co_units = UnitMultipleChoiceField(label=_("协办单位"), widget=PickedUnits, error_messages={
        "invalid_choice": _("所选协办单位不存在或已停用"), "invalid_pk_value": _("所选协办单位不存在或已停用")})
    note = forms.CharField(label=_("派单说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    explanation = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    suggested_lead = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)

    def clean(self):
        data = super().clean()
        lead, suggested = data.get("lead_unit"), data.get("suggested_lead")
        # The suggestion's reason only holds when its unit was kept.
        if suggested and lead is not None and lead.pk != suggested:
            data["explanation"] = ""
        return data


class MergeForm(ActionForm):
    into = forms.CharField(label=_("并入诉求件编号"), max_length=24,
                           error_messages={"required": _("请填写要并入的诉求件编号")})
    reason = _reason(_("并单说明"), required=False)

    def clean_into(self):
        from jishiban.appeals.models import Appeal

        number = self.cleaned_data["into"].strip()
        target = Appeal.objects.visible_to(self.user).filter(number__iexact=number).first()
        if target is None:
            raise forms.ValidationError(_("找不到编号为 %(n)s 的诉求件") % {"n": number})
        return target


class InvalidateForm(ActionForm):
    reason = _reason(_("无效原因"))


class ReturnForm(ActionForm):
    reason = _reason(_("退单理由"))
    not_responsible = forms.BooleanField(label=_("非本单位职责"), required=False, initial=True)


class ReviewReturnForm(ActionForm):
    """退单审核: approve (back to dispatch) or reject (back to the unit, with the reason)."""

    approve = forms.ChoiceField(label=_("审核意见"), choices=[("yes", _("同意退单")), ("no", _("驳回，退回单位办理"))],
                                widget=forms.RadioSelect, error_messages={"required": _("请选择是否同意退单")})
    reason = _reason(_("审核说明"), required=False)

    def clean(self):
        data = super().clean()
        data["approve"] = data.get("approve") == "yes"
        if "approve" in self.cleaned_data and not data["approve"] and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写驳回理由"))
        return data


class ExtensionForm(ActionForm):
    new_deadline = forms.DateTimeField(
        label=_("申请延至"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("请填写新的答复时限"), "invalid": _("请填写有效的日期时间")})
    reason = _reason(_("延期理由"))
    attachments = MultipleFileField(label=_("附件"), help_text=_("说明延期原因的照片、文书等，可多选"))

    def clean_new_deadline(self):
        value = self.cleaned_data["new_deadline"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class DecideExtensionForm(ActionForm):
    approve = forms.ChoiceField(label=_("审批意见"), choices=[("yes", _("同意延期")), ("no", _("不同意"))],
                                widget=forms.RadioSelect, error_messages={"required": _("请选择是否同意")})
    reason = _reason(_("审批说明"), required=False)

    def clean(self):
        data = super().clean()
        data["approve"] = data.get("approve") == "yes"
        if "approve" in self.cleaned_data and not data["approve"] and not (data.get("reason") or "").strip():
            self.add_error("reason", _("请填写不同意延期的理由"))
        return data


class ReplyForm(ActionForm):
    result_type = forms.ChoiceField(label=_("办理结果"), choices=ResultType.choices, widget=forms.RadioSelect,
                                    error_messages={"required": _("请选择办理结果")})
    text = _reason(_("答复内容"), rows=4)
    promise = forms.CharField(label=_("承诺事项"), required=False, max_length=300,
                              help_text=_("分步解决时必填"))
    follow_up_date = DayField(label=_("跟进日期"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     error_messages={"invalid": _("请填写有效的日期")})
    attachments = MultipleFileField(label=_("附件"), help_text=_("照片、文书等，可多选"))
    include_co_parts = forms.BooleanField(label=_("将协办单位意见附在答复之后"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.appeal is None or not self.appeal.co_units.exists():
            del self.fields["include_co_parts"]


class CallbackForm(ActionForm):
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect,
                                     error_messages={"required": _("请选择满意度")})
    solved = forms.ChoiceField(label=_("问题是否解决"), choices=YES_NO, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择是否解决")})
    comment = forms.CharField(label=_("回访记录"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    close_after = forms.BooleanField(label=_("满意且已解决的，回访后直接办结"), required=False, initial=True)

    def clean_solved(self):
        return self.cleaned_data["solved"] == "yes"


class CloseForm(ActionForm):
    reason = _reason(_("办结说明"), required=False)

    def clean(self):
        data = super().clean()
        if self.appeal is not None and self.appeal.status == "replied" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("未回访直接办结须说明原因"))
        return data


class ReopenForm(ActionForm):
    reason = _reason(_("重办原因"))


class NoteForm(PlainForm, forms.Form):
    text = forms.CharField(label=_("意见内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("请填写意见内容")})
    attachments = MultipleFileField(label=_("附件"), help_text=_("照片、文书等，可多选"))


class BulkDispatchForm(PlainForm, forms.Form):
    lead_unit = UnitChoiceField(label=_("派往单位"), required=False, widget=PickedUnit)


class WithdrawForm(ActionForm):
    """The citizen asked by phone to withdraw (撤回) an appeal not yet answered."""

    reason = _reason(_("撤回原因（诉求人所述）"), required=False)
