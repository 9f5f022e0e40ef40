"""``{% unit_picker form appeal suggestions %}``: the dispatch picker (search by name, short name,
pinyin or county; suggested units on top; lead unit and co-handlers as removable chips).

The chips carry the form's inputs (``lead_unit``, ``co_units``); typing asks
``web:unit_options`` (htmx) for the list; ``web/workbench.js`` does the keyboard and chips.
"""

from __future__ import annotations

import json

from django import template

from jishiban.organisations.models import Organisation
from jishiban.organisations.selectors import county_of

register = template.Library()


def _ids(value) -> list[int]:
    values = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in values:
        v = getattr(v, "pk", v)
        if isinstance(v, int) or (isinstance(v, str) and v.isdigit() and len(v) < 12):
            out.append(int(v))
    return out


def option(unit, suggestion: dict | None = None) -> dict:
    """One entry of the picker's list (``web/dispatch/_unit_options.html``)."""
    co = [{"id": u.pk, "name": u.name} for u in (suggestion or {}).get("co", [])]
    return {"unit": unit, "county": county_of(unit), "s": suggestion,
            "co_json": json.dumps(co, ensure_ascii=False) if co else ""}


def _fallback(choices: list, name: str, values, *, multiple: bool) -> str:
    """The plain select the picker falls back on without JavaScript (inside ``<noscript>``)."""
    from ..forms.widgets import FastSelect, FastSelectMultiple

    widget = FastSelectMultiple(choices=choices) if multiple else FastSelect(choices=[("", "—"), *choices])
    return widget.render(name, values, {"id": f"id_{name}_plain", "class": "picker-plain"})


@register.inclusion_tag("web/dispatch/_unit_picker.html", takes_context=True)
def unit_picker(context, form, appeal=None, suggestions=None, single=False):
    lead_ids = _ids(form["lead_unit"].value())
    co_ids = [] if single else _ids(form["co_units"].value() or [])
    wanted = lead_ids + co_ids
    for s in suggestions or []:
        wanted.append(s["lead"].pk)
    units = Organisation.objects.select_related("region__parent").in_bulk(wanted) if wanted else {}
    options = [option(units.get(s["lead"].pk, s["lead"]), s) for s in suggestions or []]
    errors = list(form["lead_unit"].errors) + ([] if single else list(form["co_units"].errors))
    pid = f"picker-{appeal.pk}" if appeal is not None else "picker-bulk"
    from jishiban.accounts.policy import dispatch_units

    from ..forms.widgets import unit_choices

    plain = unit_choices(dispatch_units(context["request"].user))  # one list for both selects
    return {
        "plain_lead": _fallback(plain, "lead_unit", [str(i) for i in lead_ids], multiple=False),
        "plain_co": "" if single else _fallback(plain, "co_units", [str(i) for i in co_ids], multiple=True),
        "pid": pid, "appeal": appeal, "single": single, "choices": options, "query": "",
        "lead": units.get(lead_ids[0]) if lead_ids else None,
        "co": [units[i] for i in co_ids if i in units and (not lead_ids or i != lead_ids[0])],
        "errors": errors,
    }
