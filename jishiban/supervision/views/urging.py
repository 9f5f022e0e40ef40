"""催办, 督办 and 领导批示 posted from the appeal page (the section of ``templatetags.appeal_supervision``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts.policy import may_instruct, may_urge
from jishiban.appeals.models import Appeal
from jishiban.sla.notices import warn as calendar_notice

from .. import links
from ..services import urging
from .common import back, gate, perform


def _appeal(request, pk):
    appeal = Appeal.objects.visible_to(request.user).select_related("lead_unit").filter(pk=pk).first()
    if appeal is None:
        raise Http404
    return appeal


@require_POST
@gate(may_urge)
def urge(request, pk: int):
    appeal = _appeal(request, pk)
    perform(request, urging.urge, appeal, by=request.user, text=request.POST.get("text", ""),
            success=_("已催办 %(u)s") % {"u": appeal.lead_unit.name if appeal.lead_unit else ""})
    return back(request, links.appeal(appeal) + "#supervision")


@require_POST
@gate(may_urge)
def supervise(request, pk: int):
    appeal = _appeal(request, pk)
    ok, result = perform(request, urging.supervise, appeal, by=request.user,
                         requirement=request.POST.get("requirement", ""),
                         deadline_days=request.POST.get("deadline_days") or None)
    if ok and not result[1]:
        messages.info(request, _("该诉求件已有进行中的重点督办单 #%(id)s") % {"id": result[0].pk})
    elif ok:
        messages.success(request, _("已督办，督办单 #%(id)s，已通知承办单位") % {"id": result[0].pk})
        calendar_notice(request, result[0].created_at, result[0].deadline)
    return back(request, links.appeal(appeal) + "#supervision")


@require_POST
@gate(may_instruct)
def instruct(request, pk: int):
    appeal = _appeal(request, pk)
    ok, result = perform(request, urging.instruct, appeal, by=request.user, text=request.POST.get("instruction", ""),
                         leader=request.POST.get("instructed_by", ""),
                         deadline_days=request.POST.get("deadline_days") or None)
    if ok:
        messages.success(request, _("领导批示已转为督办单 #%(id)s，已通知承办单位") % {"id": result[0].pk})
        calendar_notice(request, result[0].created_at, result[0].deadline)
    return back(request, links.appeal(appeal) + "#supervision")


@require_POST
@gate(may_instruct)
def instruct_report(request):
    """领导批示 on a report page: one order per unit named, then back to the report."""
    from jishiban.core.params import MAX_ID, ParameterError, integer
    from jishiban.organisations.models import Organisation

    from ..services import report_instructions

    url = request.POST.get("report_url", "")
    back_to = url if url.startswith(report_instructions.REPORT_PATH) else "/analytics/reports/"
    try:
        ids = [integer(v, "units", minimum=1, maximum=MAX_ID) for v in request.POST.getlist("units")]
    except ParameterError:
        ids = None
    units = list(Organisation.objects.filter(pk__in=ids)) if ids else []
    if ids is None or (ids and len(units) != len(set(ids))):
        messages.error(request, _("批示涉及的单位：所选单位不存在"))
        return redirect(back_to + "#report-instruction")
    ok, created = perform(request, report_instructions.instruct_on_report, by=request.user,
                          report_title=request.POST.get("report_title", ""), report_url=url, units=units,
                          text=request.POST.get("instruction", ""), leader=request.POST.get("instructed_by", ""),
                          deadline_days=request.POST.get("deadline_days") or None)
    if ok:
        messages.success(request, _("领导批示已转为督办单 %(ids)s，已通知 %(units)s") % {
            "ids": "、".join(f"#{o.pk}" for o in created), "units": "、".join(o.target_unit.name for o in created)})
        calendar_notice(request, created[0].created_at, created[0].deadline)
    return redirect(back_to + "#report-instruction")
