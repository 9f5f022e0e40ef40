"""Forms of the worker pages (Chinese labels; the services decide what is valid)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from jishiban.core.forms import FilePicker

from . import codes
from .models import EventKind, TaskKind


class PhotoField(forms.FileField):
    widget = FilePicker({"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}, multiple=True)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotoField, self).clean(f, initial) for f in files]


class ReportForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    kind = forms.ChoiceField(label=_("事件类型"), choices=[("", "—")] + list(EventKind.choices))
    subject = forms.ChoiceField(label=_("小类"), required=False,
                                choices=[("", "—")] + [(k, v) for k, v in codes.INFO_SUBJECTS + codes.URBAN_CLASSES])
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(label=_("情况描述"), widget=forms.Textarea(attrs={"rows": 4}))
    parties = forms.CharField(label=_("当事人（调解）"), required=False)
    agreement = forms.CharField(label=_("调解协议（调解）"), required=False)
    follow_up = forms.DateField(label=_("回访日期（调解）"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    lat = forms.CharField(label=_("纬度"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lon = forms.CharField(label=_("经度"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    photos = PhotoField(label=_("现场照片"), required=False)

    def details(self) -> dict:
        d = self.cleaned_data
        out = {k: d[k] for k in ("parties", "agreement") if d.get(k)}
        if d.get("follow_up"):
            out["follow_up"] = d["follow_up"].isoformat()
        return out


class ResultForm(forms.Form):
    result = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotoField(label=_("现场照片"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("核查结论"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                    choices=[("yes", _("已解决，核查通过")), ("no", _("未解决，返工"))])
    note = forms.CharField(label=_("核查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotoField(label=_("核查照片"), required=False)


class TaskForm(forms.Form):
    result = forms.CharField(label=_("发现与处置"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotoField(label=_("照片"), required=False)


class AssignForm(forms.Form):
    kind = forms.ChoiceField(label=_("交网格员"), choices=[(TaskKind.VERIFY_APPEAL, TaskKind.VERIFY_APPEAL.label),
                                                          (TaskKind.HELP_APPEAL, TaskKind.HELP_APPEAL.label)])
    reason = forms.CharField(label=_("要求"), required=False, max_length=500)


def photo_bytes(files) -> list[tuple[bytes, str]]:
    return [(f.read(), f.content_type or "") for f in files or []]
