"""Callbacks (回访), the citizen's link, public replies, promises (分步解决) and extensions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionNotAllowed, AppealValidationError
from jishiban.appeals.models import Appeal, Satisfaction
from jishiban.appeals.privacy import citizen_display, mask_public
from jishiban.sla.notices import warn as calendar_notice

from .. import access, links, selectors
from ..forms import (
    AttemptForm,
    CallbackFilterForm,
    DecisionForm,
    DeskVerdictForm,
    ExtensionDecisionForm,
    NoteForm,
    PeriodForm,
    PublicReplyForm,
    VerdictForm,
)
from ..models import CallbackStatus, FollowUpStatus, Kind
from ..notifications import reachable
from ..services import callbacks as callback_services
from ..services import followups as follow_up_services
from ..services import public_replies as public_reply_services
from .common import back, form_errors, gate, labelled, origin, page, perform


def _callback_viewer(user) -> bool:
    return access.may_call_back(user) or access.may_read(user)


def callback_filter(request):
    """The callback list's filter from the query string: ``(form, ListFilter or None, query)``
    where ``query`` repeats the filter for links (paging, the tabs, 逐件回访)."""
    form = CallbackFilterForm(request.GET or None)
    filters = form.list_filter() if form.is_bound else None
    query = urlencode({k: request.GET[k] for k in ("q", "county") if request.GET.get(k)})
    return form, filters, query


@gate("callbacks")
def callback_list(request):
    state = request.GET.get("state", "pending")
    state = state if state in selectors.CALLBACK_STATES else "pending"
    form, filters, query = callback_filter(request)
    now = timezone.now()
    counts = selectors.callback_counts(request.user, filters=filters, now=now)
    # Pending tasks carry a plain HTML verdict form each (bound Django forms per row would
    # dominate the page time); an invalid verdict comes back on the task's page.
    return render(request, "supervision/callbacks/list.html", {
        "tasks": page(request, selectors.callback_tasks(request.user, state=state, filters=filters, now=now)),
        "state": state, "counts": counts, "can_call": access.may_call_back(request.user), "now": now,
        "filter_form": form, "query": query, "pager_query": f"state={state}&" + (f"{query}&" if query else ""),
        "satisfaction_choices": Satisfaction.choices, "nav_active": "callbacks", "area": "callbacks",
    })


def _task(request, pk):
    task = (selectors.callback_tasks(request.user, state="all").filter(pk=pk)
            .select_related("appeal__citizen_user").first())
    if task is None:
        raise Http404
    return task


@gate(_callback_viewer)
def callback_detail(request, pk):
    task = _task(request, pk)
    user = request.user
    pending = task.status == CallbackStatus.PENDING and task.appeal.status == "replied"
    return render(request, "supervision/callbacks/detail.html", {
        "task": task, "appeal": task.appeal, "citizen": citizen_display(user, task.appeal),
        "attempts": task.attempts.select_related("by"), "can_call": pending and access.may_call_back(user),
        "can_decide": task.needs_decision and task.appeal.status == "callback_done"
        and access.may_manage_appeal(user, task.appeal),
        "verdict_form": DeskVerdictForm(initial={"expected_version": task.appeal.version}),
        "attempt_form": AttemptForm(),
        "decision_form": DecisionForm(initial={"expected_version": task.appeal.version}),
        "nav_active": "supervision",
    })


@require_POST
@gate(lambda u: access.may_call_back(u) or access.may_manage(u))
def callback_action(request, pk, action):
    task = _task(request, pk)
    user = request.user
    here = redirect("supervision:callback_detail", pk=task.pk)
    if action == "result":
        form = DeskVerdictForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return here
        perform(request, callback_services.record_result, task, by=user, success=_("已记录回访结果"),
                **form.cleaned_data)
    elif action == "attempt":
        form = AttemptForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return here
        ok, task = perform(request, callback_services.record_attempt, task, by=user, **form.cleaned_data)
        if ok and task.status == CallbackStatus.UNREACHABLE:
            from django.contrib import messages

            messages.warning(request, _("多次未接通，已按无法回访办结"))
    elif action == "link":
        ok, _url = perform(request, callback_services.send_link, task, by=user, success=_("已发送评价链接"))
        if ok and not reachable(Kind.CALLBACK_LINK, phone=True):
            from django.contrib import messages

            messages.warning(request, _("尚未配置短信通道，链接只能在群众的账号内看到；请改为电话回访"))
    elif action == "decide":
        form = DecisionForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return here
        data = form.cleaned_data
        ok, task = perform(request, callback_services.decide, task, by=user, decision=data["decision"],
                           reason=data["reason"], level=data["level"] or None, deadline_days=data["deadline_days"],
                           expected_version=data["expected_version"], success=_("已处理"))
        if ok and task.decision == "reopen":
            appeal = Appeal.objects.get(pk=task.appeal_id)
            calendar_notice(request, appeal.dispatched_at, appeal.sign_deadline, appeal.reply_deadline)
    else:
        raise Http404
    return back(request, here.url)


def public_callback(request, token):
    """The citizen's rating page, reached from the SMS link; no login."""
    try:
        task = callback_services.task_for_token(token)
    except callback_services.LinkInvalid as exc:
        return render(request, "supervision/callbacks/public.html", {"error": str(exc)}, status=404)
    appeal = task.appeal
    form = VerdictForm(request.POST or None)
    done = task.status != CallbackStatus.PENDING
    error, thanks = "", False
    if request.method == "POST" and not done:
        if form.is_valid():
            try:
                callback_services.submit_link(token, origin=origin(request), **form.cleaned_data)
                done = thanks = True
            except AppealValidationError as exc:
                error = labelled(exc.errors, form)
            except ActionNotAllowed as exc:
                error, done = exc.message, True
    return render(request, "supervision/callbacks/public.html", {
        "appeal_number": appeal.number, "title": mask_public(appeal.title, appeal), "reply": mask_public(appeal.result_text, appeal),
        "form": form, "done": done, "error": error, "thanks": thanks,
    })


# --- public replies -----------------------------------------------------------------------------------

@gate(_callback_viewer)
def public_reply_list(request):
    form = PeriodForm({"period": request.GET.get("period") or timezone.localdate().strftime("%Y-%m")})
    rates = selectors.reply_rates(request.user, form.cleaned_data["period"]) if form.is_valid() else []
    status = request.GET.get("status", "draft")
    return render(request, "supervision/public_replies.html", {
        "replies": page(request, selectors.public_replies(request.user, status=status if status in
                                                          ("draft", "published", "withheld") else "")),
        "status": status, "form": form, "rates": rates, "can_edit": access.may_call_back(request.user),
        "nav_active": "supervision",
    }, status=200 if form.is_valid() else 400)


@gate(access.may_call_back)
def public_reply_edit(request, pk):
    reply = selectors.public_replies(request.user).filter(pk=pk).first()
    if reply is None:
        raise Http404
    if request.method == "POST" and request.POST.get("withhold"):
        perform(request, public_reply_services.withhold, reply, by=request.user, success=_("已不予公开"))
        return redirect("supervision:public_replies")
    form = PublicReplyForm(request.POST or None, initial={"text": reply.text})
    if request.method == "POST" and not request.POST.get("withhold") and form.is_valid():
        ok, reply = perform(request, public_reply_services.edit, reply, by=request.user, form=form,
                            text=form.cleaned_data["text"], success=_("已保存（已自动脱敏）"))
        if ok and request.POST.get("publish"):
            perform(request, public_reply_services.publish, reply, by=request.user, success=_("已公开答复"))
        if ok:
            return redirect("supervision:public_replies")
    return render(request, "supervision/public_reply_edit.html", {"reply": reply, "form": form,
                                                                  "nav_active": "supervision"})


# --- promises (分步解决) ------------------------------------------------------------------------------------

@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def follow_up_list(request):
    state = request.GET.get("state", "open")
    return render(request, "supervision/follow_ups.html", {
        "items": page(request, selectors.follow_ups(request.user, state=state if state in ("open", "due", "all")
                                                    else "open")),
        "state": state, "is_unit": access.is_unit_staff(request.user), "can_manage": access.may_manage(request.user),
        "form": NoteForm(), "statuses": FollowUpStatus, "nav_active": "supervision",
    })


@require_POST
@gate(lambda u: access.may_manage(u) or access.is_unit_staff(u))
def follow_up_action(request, pk, action):
    follow_up = access.follow_ups_for(request.user).filter(pk=pk).select_related("appeal").first()
    if follow_up is None:
        raise Http404
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if action == "fulfil":
        perform(request, follow_up_services.fulfil, follow_up, by=request.user, note=note, success=_("已填报兑现情况"))
    elif action == "confirm":
        perform(request, follow_up_services.confirm, follow_up, by=request.user, success=_("已确认兑现"))
    elif action == "reject":
        perform(request, follow_up_services.reject, follow_up, by=request.user, note=note, success=_("已退回"))
    else:
        raise Http404
    return back(request, links.page("follow_ups"))


# --- extensions (延期审批) -------------------------------------------------------------------------------------

@gate("extensions")
def extension_list(request):
    return render(request, "supervision/extensions.html", {
        "rows": selectors.extension_requests(request.user), "form": ExtensionDecisionForm(), "nav_active": "extensions",
        "area": "extensions",
    })


@require_POST
@gate(access.may_manage)
def extension_decide(request, pk):
    appeal = Appeal.objects.visible_to(request.user).filter(pk=pk).first()
    if appeal is None:
        raise Http404
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        approve = form.cleaned_data["approve"] == "yes"
        ok, updated = perform(request, appeal_services.decide_extension, appeal, by=request.user, approve=approve,
                              reason=form.cleaned_data["reason"],
                              expected_version=form.cleaned_data["expected_version"],
                              success=_("已同意延期") if approve else _("已不同意延期"))
        if ok and approve:
            calendar_notice(request, timezone.now(), updated.reply_deadline)
    return redirect("supervision:extensions")

