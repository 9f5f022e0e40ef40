"""The centre's lists (督办清单). Callbacks (回访) and extension approvals (延期审批) are supervision's pages."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jishiban.appeals import repeats
from jishiban.appeals.filters import count_capped
from jishiban.core.params import MAX_SMALL, ParameterError, integer
from jishiban.core.views import gate

from ..selectors.desk import (
    LIST_RELATED,
    OVERSIGHT_LISTS,
    oversight_queryset,
)

LIST_LABELS = {
    "overdue": _("已超期"), "due_soon": _("临期"), "returned_twice": _("退单两次以上"),
    "dissatisfied": _("不满意/未解决"), "repeat": _("重复诉求"), "risk": _("风险预警"),
}
LIST_HELP = {
    "overdue": _("办理中且已过答复时限"),
    "due_soon": _("已亮黄牌或24小时内到期"),
    "returned_twice": _("尚未办结且被退单两次及以上"),
    "dissatisfied": _("回访不满意或未解决，待决定重办、督办或说明后办结（与回访页“不满意/未解决待处理”为同一清单）"),
    # filled in with the repeat rule's window and threshold (appeals/repeats.py)
    "repeat": _("仍在办理中，且同一来电人或同一地址近%(days)d天另有%(n)d件及以上同类诉求"),
    "risk": _("未办结且带风险标签（risk:*）的诉求"),
}
COUNT_CAP = 1000
ROWS = 100


def _help(key: str) -> str:
    if key != "repeat":
        return LIST_HELP[key]
    r = repeats.rule()
    return LIST_HELP[key] % {"days": r.window_days, "n": r.threshold}


@gate("oversight")
def oversight(request):
    now = timezone.now()
    key = request.GET.get("list", "overdue")
    if key not in OVERSIGHT_LISTS:
        key = "overdue"
    memo: dict = {}
    # Repeat callers take a phone lookup per open appeal: counted only when that list is open.
    tabs = [{"key": k, "label": LIST_LABELS[k],
             "count": count_capped(oversight_queryset(request.user, k, now=now, memo=memo), COUNT_CAP)
             if k != "repeat" or key == "repeat" else None}
            for k in OVERSIGHT_LISTS]
    try:
        number = integer(request.GET.get("page") or "1", "page", minimum=1, maximum=MAX_SMALL)
    except ParameterError:
        number = 1
    start = (number - 1) * ROWS
    # One row past the page says whether there is a next page, without counting again.
    rows = list(oversight_queryset(request.user, key, now=now, memo=memo)
                .select_related(*LIST_RELATED)[start:start + ROWS + 1])
    more, rows = len(rows) > ROWS, rows[:ROWS]
    return render(request, "web/oversight/page.html", {
        "tabs": tabs, "key": key, "rows": rows, "help": _help(key), "cap": COUNT_CAP, "now": now,
        "page_number": number, "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if more else None, "first_row": start + 1 if rows else 0,
        "last_row": start + len(rows), "nav_active": "oversight",
    })
