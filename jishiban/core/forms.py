"""What every form shows in plain Chinese: an empty choice that says what it means instead of
Django's "---------", and length and choice errors that say what to do.

Use ``PlainForm`` as the first base of a form (``class F(PlainForm, forms.Form)``), or call
``plain(form)`` at the end of a form's ``__init__``.
"""

from __future__ import annotations

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

DASH = BLANK_CHOICE_DASH[0][1]

MESSAGES = {
    "required": _("此项必填"),
    "max_length": _("最多 %(limit_value)d 个字，现有 %(show_value)d 个字，请删减后再提交"),
    "min_length": _("至少 %(limit_value)d 个字，现有 %(show_value)d 个字"),
    "invalid_choice": _("所选的值不在可选范围内，请重新选择"),
    "invalid_pk_value": _("所选的值不在可选范围内，请重新选择"),
}


def plain(form) -> None:
    """Rewrite ``form``'s empty choices and the messages above (a field's own messages stay)."""
    for field in form.fields.values():
        for code, message in MESSAGES.items():
            if code in ("max_length", "min_length"):
                # These come from the field's validators; a field's own message for them wins.
                if getattr(field, code, None) is not None and code not in field.error_messages:
                    field.error_messages[code] = message
            elif code in field.error_messages and _is_django_default(field, code):
                field.error_messages[code] = message
        if isinstance(field, forms.ModelMultipleChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DASH:
                field.empty_label = _("请选择") if field.required else _("（不选）")
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(label == DASH for _value, label in choices):
                field.choices = [(v, (_("请选择") if field.required else _("（不选）")) if label == DASH else label)
                                 for v, label in choices]


def _is_django_default(field, code: str) -> bool:
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return str(field.error_messages.get(code)) == str(defaults.get(code))


class PlainForm:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain(self)


class FilePicker(forms.FileInput):
    """Every file input of the project: the browser's input with a 选择文件 button and the chosen
    file names in the page's language (``core/widgets/file_picker.html``, made live by
    ``core/file_picker.js``, styled by ``core/file_picker.css``; without JavaScript the browser's
    own input is shown). ``multiple=True`` takes several files."""

    template_name = "core/widgets/file_picker.html"

    def __init__(self, attrs=None, *, multiple: bool = False):
        self.allow_multiple_selected = multiple
        attrs = dict(attrs or {})
        if multiple:
            attrs.setdefault("multiple", True)
        super().__init__(attrs)
