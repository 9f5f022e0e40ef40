"""Names of metrics and deductions as a reader sees them (响应率, 超时答复 …), not their keys."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from jishiban.analytics import metrics

register = template.Library()

DEDUCTION_LABELS = {
    "late_replies": "超时答复（件）",
    "returned": "退单（次）",
    "returned_unjustified": "退单经审核驳回（次）",
    "reopened": "重办（次）",
    "supervised": "被督办（件）",
}
_THRESHOLD = re.compile(r"^(?P<name>\w+)<(?P<below>[\d.]+)$")


def _label(name: str) -> str:
    if name.endswith("*marked"):
        return _("%(what)s加倍（领导批示、媒体关注件）") % {"what": _label(name[:-len("*marked")])}
    for m in metrics.METRICS:
        if m.name == name:
            return m.label
    return DEDUCTION_LABELS.get(name) or name


@register.filter
def metric_label(key: str) -> str:
    """``response_rate`` → 响应率; ``on_time_rate<95`` → 按时办结率低于 95%; ``returned`` → 退单（次）."""
    found = _THRESHOLD.match(key or "")
    if found:
        return _("%(metric)s低于 %(below)s%%") % {"metric": _label(found["name"]), "below": found["below"]}
    return _label(key)
