"""Responsibility disputes, meetings (会商) and the dispatch decisions they produce."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal

from .. import access
from ..forms import ContestForm, DisputeDecisionForm, MeetingForm, MinutesForm, NoteForm
from ..models import OPEN_DISPUTE, DispatchDecision, DisputeStatus, MeetingStatus
from ..services import disputes as dispute_services
from .common import form_errors, gate, page, perform


def _viewer(user) -> bool:
    return access.may_read(user) or access.may_contest(user)


@gate(_viewer)
def dispute_list(request):
    state = request.GET.get("state", "open")
    qs = access.disputes_for(request.user).select_related("appeal", "meeting", "raised_by").prefetch_related("units")
    qs = qs.filter(status__in=OPEN_DISPUTE) if state == "open" else qs
    return render(request, "supervision/disputes/list.html", {
        "disputes": page(request, qs), "state": state, "can_manage": access.may_manage(request.user),
        "can_contest": access.may_contest(request.user), "withdraw_form": NoteForm(), "nav_active": "supervision",
    })


@gate(access.may_contest)
def dispute_contest(request):
    form = ContestForm(request.POST or None, initial={"appeal_number": request.GET.get("appeal", "")})
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["appeal_number"].strip()
        appeal = Appeal.objects.visible_to(request.user).filter(number=number).first()
        if appeal is None:
            form.add_error("appeal_number", _("没有找到编号为 %(n)s 的诉求件") % {"n": number})
        else:
            ok, result = perform(request, dispute_services.contest_return, appeal, by=request.user, form=form,
                                 note=form.cleaned_data["note"])
            if ok:
                dispute, created = result
                messages.success(request, _("已列入职责争议清单（#%(id)s）") % {"id": dispute.pk} if created
                                 else _("该诉求件已在争议清单中（#%(id)s）") % {"id": dispute.pk})
                return redirect("supervision:disputes")
    return render(request, "supervision/disputes/contest.html", {"form": form, "nav_active": "supervision"})


@require_POST
@gate(access.may_manage)
def dispute_withdraw(request, pk):
    dispute = access.disputes_for(request.user).filter(pk=pk).first()
    if dispute is None:
        raise Http404
    perform(request, dispute_services.withdraw, dispute, by=request.user, reason=request.POST.get("note", ""),
            success=_("已撤销争议"))
    return redirect("supervision:disputes")


@gate(access.may_read)
def meeting_list(request):
    open_disputes = list(access.disputes_for(request.user).filter(status=DisputeStatus.OPEN).select_related("appeal"))
    form = MeetingForm(request.POST or None, disputes=open_disputes)
    if request.method == "POST":
        if not access.may_manage(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            ok, meeting = perform(request, dispute_services.schedule_meeting, by=request.user, form=form,
                                  date=data["date"], place=data["place"], title=data["title"],
                                  unit_ids=[u.pk for u in data["units"]], dispute_ids=data["disputes"],
                                  success=_("已安排会商"))
            if ok:
                return redirect("supervision:meeting_detail", pk=meeting.pk)
    return render(request, "supervision/meetings/list.html", {
        "meetings": page(request, access.meetings_for(request.user).prefetch_related("units")), "form": form,
        "can_manage": access.may_manage(request.user), "has_open": bool(open_disputes), "nav_active": "supervision",
    })


def _meeting(request, pk):
    meeting = access.meetings_for(request.user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


@gate(access.may_read)
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    manage = access.may_manage(request.user)
    disputes = list(meeting.disputes.select_related("appeal", "appeal__category", "appeal__county")
                    .prefetch_related("units"))
    decisions = {d.dispute_id: d for d in meeting.decisions.select_related("lead_unit").prefetch_related("co_units")}
    items = [{"dispute": d, "decision": decisions.get(d.pk),
              "form": DisputeDecisionForm(prefix=f"d{d.pk}", initial={"lead_unit": d.appeal.lead_unit_id})}
             for d in disputes]
    return render(request, "supervision/meetings/detail.html", {
        "meeting": meeting, "items": items, "can_manage": manage, "minutes_form": MinutesForm(
            initial={"minutes": meeting.minutes}), "held": meeting.status == MeetingStatus.HELD,
        "nav_active": "supervision",
    })


@require_POST
@gate(access.may_manage)
def meeting_decide(request, pk, dispute_pk):
    meeting = _meeting(request, pk)
    dispute = meeting.disputes.filter(pk=dispute_pk).select_related("appeal").first()
    if dispute is None:
        raise Http404
    form = DisputeDecisionForm(request.POST, prefix=f"d{dispute.pk}")
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        perform(request, dispute_services.decide, meeting, dispute, by=request.user, lead_unit=data["lead_unit"],
                co_units=list(data["co_units"]), legal_basis=data["legal_basis"], keywords=data["keywords"],
                county=None if data["whole_city"] else dispute.appeal.county, success=_("已记录会商决定并重新派单"))
    return redirect("supervision:meeting_detail", pk=meeting.pk)


@require_POST
@gate(access.may_manage)
def meeting_minutes(request, pk):
    meeting = _meeting(request, pk)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        perform(request, dispute_services.record_minutes, meeting, by=request.user,
                minutes=form.cleaned_data["minutes"], success=_("已保存会议纪要"))
    return redirect("supervision:meeting_detail", pk=meeting.pk)


@gate(_viewer)
def decision_list(request):
    qs = (DispatchDecision.objects.select_related("category", "county", "lead_unit", "meeting")
          .prefetch_related("co_units"))
    one = request.GET.get("id", "")
    if one.isdigit() and len(one) < 12:  # one decision, as a dispatch suggestion links it
        qs = qs.filter(pk=int(one))
    elif request.GET.get("all") != "1":
        qs = qs.filter(is_active=True)
    return render(request, "supervision/decisions.html", {
        "decisions": page(request, qs), "show_all": request.GET.get("all") == "1",
        "can_deactivate": policy.may_deactivate_decisions(request.user), "nav_active": "supervision",
    })


@require_POST
@gate(access.may_manage)
def decision_deactivate(request, pk):
    decision = DispatchDecision.objects.filter(pk=pk).first()
    if decision is None:
        raise Http404
    perform(request, dispute_services.deactivate_decision, decision, by=request.user, success=_("已停用"))
    return redirect("supervision:decisions")
