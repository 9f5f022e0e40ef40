"""Small form helpers shared by the workbench forms."""

from __future__ import annotations

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from jishiban.core.forms import FilePicker
from jishiban.organisations.models import Organisation, OrgKind


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FilePicker(multiple=True))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


YES_NO = [("yes", _("是")), ("no", _("否"))]


def unit_choices(within) -> list:
    """Handling units of the filter ``within`` grouped for a select: city units first, then each
    county's (a town's unit under its county) — the unit picker's list without JavaScript. Plain
    values, not model instances: the list has hundreds of units."""
    units = (Organisation.objects.filter(within, is_active=True).exclude(kind=OrgKind.CENTRE)
             .order_by("level", "region__sort", "region__code", "kind", "code")
             .values_list("pk", "name", "level", "region_id", "region__name", "region__parent__name"))
    groups: dict[str, list] = {}
    city = str(_("市级单位"))
    for pk, name, level, region_id, region_name, parent_name in units:
        if level == "city" or not region_id:
            label = city
        else:
            label = parent_name if level == "town" else region_name
        groups.setdefault(label, []).append((pk, name))
    return list(groups.items())


def _units():
    return Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE)


class UnitChoiceField(forms.ModelChoiceField):
    """A handling unit (the dispatch forms choose it with the unit picker)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _units())
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _units())
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", FastSelectMultiple)
        super().__init__(*args, **kwargs)


class FastSelect(forms.Select):
    """A select rendered in Python: the same HTML as ``forms.Select`` without a template per
    option, for the long lists (units, categories) that pages render many options of."""

    def render(self, name, value, attrs=None, renderer=None):
        values = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None}
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        parts = [format_html("<select{}>", flatatt(final))]
        for group, options in _grouped(self.choices):
            if group is not None:
                parts.append(f'<optgroup label="{_escape(group)}">')
            for option_value, label in options:
                option_value = "" if option_value is None else str(getattr(option_value, "value", option_value))
                selected = " selected" if option_value in values else ""
                # html.escape, as Django's escape does, without its per-call lazy-string wrapper:
                # these selects have hundreds of options.
                parts.append(f'<option value="{_escape(option_value)}"{selected}>{_escape(label)}</option>')
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False


def _escape(text) -> str:
    return html.escape(str(text), quote=True)


def _grouped(choices):
    """``[(group or None, [(value, label)])]`` from flat or grouped Django choices."""
    out, flat = [], []
    for value, label in choices:
        if isinstance(label, list | tuple):
            if flat:
                out.append((None, flat))
                flat = []
            out.append((value, list(label)))
        else:
            flat.append((value, label))
    if flat:
        out.append((None, flat))
    return out


class PickedUnit(forms.HiddenInput):
    """A unit chosen in the dispatch picker: ``{% unit_picker %}`` renders the chips and their
    inputs itself, so the field renders nothing of its own."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""


class PickedUnits(forms.MultipleHiddenInput):
    """Co-handlers chosen in the dispatch picker (see ``PickedUnit``)."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""
