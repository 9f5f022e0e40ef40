"""Names of metrics and deductions as a reader sees them (响应率, 超时答复 …), not their keys."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from jishiban.analytics import metrics

register = template.Library()

DEDUCTION_LABELS = {
    "late_replies": gettext_lazy("超时答复（件）"),
    "returned": gettext_lazy("退单（次）"),
    "returned_unjustified": gettext_lazy("退单经审核驳回（次）"),
    "reopened": gettext_lazy("重办（次）"),
    "supervised": gettext_lazy("被督办（件）"),
}
# The labels of ``metrics.METRICS`` (a pure module, Chinese only), marked here for the translation
# catalogue; ``_label`` translates them as shown. A test checks that every metric's label is here.
METRIC_LABELS = (
    gettext_noop("受理量"),
    gettext_noop("有效受理量"),
    gettext_noop("转办量"),
    gettext_noop("直接办结量"),
    gettext_noop("一次办结率"),
    gettext_noop("响应率"),
    gettext_noop("按时办结率"),
    gettext_noop("解决率"),
    gettext_noop("满意率"),
    gettext_noop("退单率"),
    gettext_noop("重办率"),
    gettext_noop("延期率"),
    gettext_noop("督办解决率"),
    gettext_noop("重复诉求率"),
    gettext_noop("平均签收用时"),
    gettext_noop("平均答复用时"),
    gettext_noop("督办量"),
    gettext_noop("退单量"),
    gettext_noop("退单驳回量"),
    gettext_noop("撤回量"),
    gettext_noop("网格事件上报量"),
    gettext_noop("网格事件有效率"),
    gettext_noop("就地解决率"),
    gettext_noop("网格上报量"),
    gettext_noop("按时核查率"),
    gettext_noop("返工量"),
    gettext_noop("每千人诉求量"),
    gettext_noop("网格重复诉求率"),
    gettext_noop("未诉先办走访完成率"),
)
_THRESHOLD = re.compile(r"^(?P<name>\w+)<(?P<below>[\d.]+)$")


def _label(name: str) -> str:
    if name.endswith("*marked"):
        return _("%(what)s加倍（领导批示、媒体关注件）") % {"what": _label(name[:-len("*marked")])}
    for m in metrics.METRICS:
        if m.name == name:
            return _(m.label)
    return str(DEDUCTION_LABELS.get(name) or name)


@register.filter
def metric_label(key: str) -> str:
    """``response_rate`` → 响应率; ``on_time_rate<95`` → 按时办结率低于 95%; ``returned`` → 退单（次）."""
    found = _THRESHOLD.match(key or "")
    if found:
        return _("%(metric)s低于 %(below)s%%") % {"metric": _label(found["name"]), "below": found["below"]}
    return _label(key)
