"""The dispatch desk (派单): new and returned appeals, suggestions, bulk dispatch."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts.policy import may_open
from jishiban.appeals.filters import count_capped
from jishiban.appeals.permissions import available_actions
from jishiban.appeals.selectors import with_returning_unit
from jishiban.core import params
from jishiban.core.params import ParameterError
from jishiban.core.views import gate
from jishiban.sla.notices import warn as calendar_notice

from .. import smart_bridge
from ..forms.action_forms import BulkDispatchForm
from ..selectors.desk import QUEUES, dispatch_queue, next_in_queue, queue_for, visible
from ..services import bulk_dispatch

log = logging.getLogger("jishiban.web")

TABS = QUEUES


def _queue_url(tab: str) -> str:
    return reverse("web:dispatch") + "?tab=" + (tab if tab in TABS else "received")


def dispatched_message(appeal) -> str:
    """"已派至 …" with the appeal's number as a link back to it (the message is HTML-safe)."""
    unit = appeal.lead_unit.name
    co = "、".join(u.name for u in appeal.co_units.all())
    link = format_html('<a href="{}" class="msg-link">{}</a>', reverse("web:appeal_detail", args=[appeal.pk]),
                       appeal.number)
    if co:
        return format_html(_("{number} 已派至 {unit}（协办：{co}）"), number=link, unit=unit, co=co)
    return format_html(_("{number} 已派至 {unit}"), number=link, unit=unit)


def after_dispatch(request, appeal, *, was: str) -> str:
    """Where the desk goes once ``appeal`` (in ``was`` before) is dispatched from its page: the
    next appeal of the queue it waited in (``selectors.desk.next_in_queue``), the queue itself
    when that is empty; an appeal that waited in no queue (a re-dispatch before sign-off) or a
    user without the dispatch page stays on the appeal."""
    tab = queue_for(was)
    if tab is None or not may_open(request.user, "dispatch"):
        return reverse("web:appeal_detail", args=[appeal.pk])
    following = next_in_queue(request.user, QUEUES[tab], appeal)
    if following is None:
        return _queue_url(tab)
    return reverse("web:appeal_detail", args=[following.pk])


@gate("dispatch")
def queue(request):
    tab = request.GET.get("tab", "received")
    if tab not in TABS:
        tab = "received"
    rows = dispatch_queue(request.user, TABS[tab])
    rows = list(rows)
    advisor = smart_bridge.DispatchAdvisor(user=request.user)
    advisor.prepare(rows)
    items = []
    with_returning_unit([(getattr(a, "returns", None) or [None])[0] for a in rows])
    for appeal in rows:
        actions = available_actions(request.user, appeal)
        items.append({"appeal": appeal, "suggestion": advisor.suggest(appeal), "actions": actions,
                      "last_return": (getattr(appeal, "returns", None) or [None])[0]})
    counts = {key: count_capped(visible(request.user).filter(status=status)) for key, status in TABS.items()}
    return render(request, "web/dispatch/queue.html", {
        "tab": tab, "items": items, "counts": counts, "bulk_form": BulkDispatchForm(), "nav_active": "dispatch",
        "now": timezone.now(),
    })


def _pick(value: str) -> tuple[int, int]:
    """A ticked box's ``<id>:<version>``."""
    pk, _sep, version = value.partition(":")
    return (params.integer(pk, "pick", minimum=1, maximum=params.MAX_ID),
            params.integer(version, "pick", minimum=1, maximum=params.MAX_SMALL))


@require_POST
@gate("dispatch")
def bulk(request):
    """Dispatch the ticked appeals to one unit, or each to its suggested unit."""
    form = BulkDispatchForm(request.POST)
    tab = request.POST.get("tab", "received")
    try:
        picks = [_pick(value) for value in request.POST.getlist("pick")]
    except ParameterError as exc:
        # Only a hand-made request sends such a value: nothing is dispatched.
        return HttpResponseBadRequest(_("所选诉求件有误（%(problem)s），未派单") % {"problem": exc},
                                      content_type="text/plain; charset=utf-8")
    if not picks:
        messages.error(request, _("请先勾选要派单的诉求件"))
        return redirect(_queue_url(tab))
    use_suggestions = request.POST.get("use") == "suggested"
    if not form.is_valid() or (not use_suggestions and form.cleaned_data.get("lead_unit") is None):
        messages.error(request, _("派往单位：请选择承办单位，或点“按建议派单”"))
        return redirect(_queue_url(tab))
    unit = None if use_suggestions else form.cleaned_data["lead_unit"]
    result = bulk_dispatch(picks, by=request.user, unit=unit, advisor=smart_bridge.DispatchAdvisor(user=request.user))
    if result.done:
        messages.success(request, _("已派单 %(n)d 件：%(numbers)s") % {
            "n": len(result.done), "numbers": "、".join(a.number for a in result.done)})
        calendar_notice(request, timezone.now(), *{d for a in result.done for d in (a.sign_deadline, a.reply_deadline)
                                                   if d is not None})
    for number, message in result.failed:
        messages.error(request, _("%(number)s 未派单：%(message)s") % {"number": number, "message": message})
    return redirect(_queue_url(tab))


@gate("dispatch")
def unit_options(request):
    """The unit picker's list as the user types (htmx): the appeal's suggested units matching
    the words on top, then the units found (``routing.picker.choices``: only units the user may
    dispatch to). An appeal the user cannot see is ignored, not revealed."""
    from jishiban.routing.picker import choices

    from ..templatetags.picker import option

    query = (request.GET.get("q") or "").strip()[:40]
    appeal = None
    try:
        pk = params.integer(request.GET.get("appeal") or None, "appeal", minimum=1, maximum=params.MAX_ID)
    except ParameterError:
        pk = None
    if pk:
        appeal = (visible(request.user).select_related("category__parent__parent", "county", "town", "channel")
                  .filter(pk=pk).first())
    try:
        found = choices(request.user, query, appeal=appeal)
    except Exception as exc:  # suggestions never block the search itself
        log.warning("unit picker suggestions failed: %s", exc)
        found = choices(request.user, query)
    return render(request, "web/dispatch/_unit_options.html", {
        "choices": [option(c.unit, smart_bridge.suggestion_dict(c.suggestion) if c.suggestion else None)
                    for c in found],
        "query": query, "single": request.GET.get("single") == "1"})
