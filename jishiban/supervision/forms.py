"""Input forms of the supervision pages. They only parse input; rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.appeals.models import Satisfaction
from jishiban.core import params
from jishiban.core.forms import PlainForm
from jishiban.organisations.models import Organisation, OrgKind

from .models import FAILED_OUTCOMES, Decision, Level, Outcome, Reason
from .rules import Period, PeriodError, parse_period


def units():
    return Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE).order_by("level", "code")


PERIOD_ERROR = _("期间 %(value)s 格式不正确，请填写 2026-11、2026-Q4、2026 或 2026-08-01..2026-11-30")


def read_period(text: str) -> Period:
    """``parse_period`` within the dates any query may name (``core.params``); raises
    ``ParameterError`` with the message to show (the form, the API and the command alike)."""
    try:
        period = parse_period(text)
    except PeriodError:
        raise params.ParameterError("period", PERIOD_ERROR % {"value": (text or "")[:30]})
    params.check_day(period.start, "period")
    params.check_day(period.end, "period")
    return period


class PeriodForm(PlainForm, forms.Form):
    period = forms.CharField(label=_("期间"), max_length=30, help_text=_("如 2026-11、2026-Q4、2026 或 2026-08-01..2026-11-30"))

    def clean_period(self):
        try:
            return read_period(self.cleaned_data["period"])
        except params.ParameterError as exc:
            raise forms.ValidationError(exc.reason)


class OrderForm(PlainForm, forms.Form):
    appeal_number = forms.CharField(label=_("诉求件编号"), max_length=24)
    reason = forms.ChoiceField(label=_("督办类型"), choices=[(Reason.KEY, Reason.KEY.label),
                                                           (Reason.LEADER, Reason.LEADER.label)])
    level = forms.ChoiceField(label=_("督办级别"), choices=[("", _("按规则"))] + list(Level.choices), required=False)
    deadline_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=1, max_value=60, required=False)
    requirement = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    instruction = forms.CharField(label=_("领导批示"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    instructed_by = forms.CharField(label=_("批示领导"), max_length=60, required=False)


class TextForm(PlainForm, forms.Form):
    text = forms.CharField(label=_("办理情况"), widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(PlainForm, forms.Form):
    reason = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deadline_days = forms.IntegerField(label=_("新的办理时限（工作日）"), min_value=1, max_value=60, required=False)


class VisitForm(PlainForm, forms.Form):
    date = params.DayField(label=_("督办日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=200)
    participants = forms.CharField(label=_("参加人员"), widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("发现问题"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("督办结果"), widget=forms.Textarea(attrs={"rows": 3}))


SOLVED_CHOICES = [("yes", _("已解决")), ("no", _("未解决"))]


class VerdictForm(PlainForm, forms.Form):
    solved = forms.ChoiceField(label=_("问题是否解决"), choices=SOLVED_CHOICES, widget=forms.RadioSelect)
    satisfaction = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=1000)

    def clean_solved(self):
        return self.cleaned_data["solved"] == "yes"


class DeskVerdictForm(VerdictForm):
    """The centre's phone verdict: the version the page showed, and whether to close at once."""
    close_after = forms.BooleanField(label=_("满意且已解决的，回访后直接办结"), required=False, initial=True)
    expected_version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, min_value=0)


class AttemptForm(PlainForm, forms.Form):
    outcome = forms.ChoiceField(label=_("未接通原因"), choices=[(o.value, o.label) for o in Outcome
                                                           if o in FAILED_OUTCOMES])
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class DecisionForm(PlainForm, forms.Form):
    decision = forms.ChoiceField(label=_("处理方式"), choices=[c for c in Decision.choices if c[0]],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("处理说明"), widget=forms.Textarea(attrs={"rows": 3}))
    level = forms.ChoiceField(label=_("督办级别"), choices=[("", _("按规则"))] + list(Level.choices), required=False)
    deadline_days = forms.IntegerField(label=_("督办时限（工作日）"), min_value=1, max_value=60, required=False)
    expected_version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, min_value=0)


class PublicReplyForm(PlainForm, forms.Form):
    text = forms.CharField(label=_("公开答复内容"), widget=forms.Textarea(attrs={"rows": 6}))


class NoteForm(PlainForm, forms.Form):
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecisionForm(PlainForm, forms.Form):
    approve = forms.ChoiceField(label=_("审批意见"), choices=[("yes", _("同意延期")), ("no", _("不同意"))],
                                widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # The appeal's version the page showed: a decision on a changed appeal is refused (conflict).
    expected_version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, min_value=0)


class ContestForm(PlainForm, forms.Form):
    appeal_number = forms.CharField(label=_("诉求件编号"), max_length=24)
    note = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(PlainForm, forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100, initial=_("月度攻坚会商"))
    date = params.DayField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=200)
    disputes = forms.MultipleChoiceField(label=_("会商争议"), widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("其他参会单位"), queryset=Organisation.objects.none(),
                                           required=False)

    def __init__(self, *args, disputes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disputes"].choices = [(d.pk, f"#{d.pk} {d.appeal.number} {d.appeal.title[:30]}") for d in disputes]
        self.fields["units"].queryset = units()


class DisputeDecisionForm(PlainForm, forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("主办单位"), queryset=Organisation.objects.none())
    co_units = forms.ModelMultipleChoiceField(label=_("协办单位"), queryset=Organisation.objects.none(),
                                              required=False)
    legal_basis = forms.CharField(label=_("法规依据"), widget=forms.Textarea(attrs={"rows": 3}))
    keywords = forms.CharField(label=_("关键词（以逗号分隔，可空）"), max_length=200, required=False)
    whole_city = forms.BooleanField(label=_("全市适用（否则仅本县市区）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units()
        self.fields["co_units"].queryset = units()


class MinutesForm(PlainForm, forms.Form):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 8}))


class LetterForm(PeriodForm):
    unit = forms.ModelChoiceField(label=_("单位（不选则为所有需提醒的单位）"), queryset=Organisation.objects.none(),
                                  required=False)

    def __init__(self, *args, unit_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = unit_queryset if unit_queryset is not None else units()


class CallbackFilterForm(PlainForm, forms.Form):
    """The callback list's filter: a few fields of the one list filter (``appeals.filters``)."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("编号、电话、标题或内容")}))
    county = forms.ChoiceField(label=_("县市区"), required=False)

    def __init__(self, *args, **kwargs):
        from jishiban.regions.models import Region, RegionLevel

        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", _("全部"))] + [
            (r.code, r.name) for r in Region.objects.filter(level=RegionLevel.COUNTY).order_by("sort", "code")]

    def list_filter(self):
        """The cleaned fields as a ``ListFilter`` (None when nothing is asked for or the form is invalid)."""
        from jishiban.appeals.filters import ListFilter

        if not self.is_valid():
            return None
        data = self.cleaned_data
        if not (data["q"].strip() or data["county"]):
            return None
        return ListFilter(text=data["q"].strip(), region=data["county"])
