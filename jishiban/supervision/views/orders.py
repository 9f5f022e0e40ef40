"""The supervision home, orders (督办单) and the figures page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals import services as appeal_services
from jishiban.appeals.models import Appeal, Status
from jishiban.appeals.permissions import available_actions
from jishiban.sla.notices import warn as calendar_notice

from .. import access, selectors
from ..forms import OrderForm, PeriodForm, ReasonForm, TextForm, VisitForm
from ..models import Level, OrderStatus, Reason, RuleLevel
from ..rules import order_actions_from, parse_period
from ..services import orders as order_services
from .common import back, form_errors, gate, page, perform


def _this_month():
    return parse_period(timezone.localdate().strftime("%Y-%m"))


@gate("supervision")
def index(request):
    user = request.user
    context = {"nav_active": "supervision", "rules": [], "can_manage": access.may_manage(user), "can_read": access.may_read(user),
               "is_unit": access.is_unit_staff(user), "can_call": access.may_call_back(user),
               "can_contest": access.may_contest(user)}
    if access.may_read(user) or access.is_unit_staff(user):
        context["active_orders"] = selectors.orders(user, status="active")[:20]
        context["follow_ups"] = selectors.follow_ups(user, state="due")[:20]
    if access.may_read(user):
        context["figures"] = selectors.supervision_figures(user, _this_month())
        from ..triggers import rules

        context["rules"] = list(rules().values())
        context["reason_labels"] = dict(Reason.choices)
        context["level_labels"] = dict(RuleLevel.choices)
        callbacks = selectors.callback_counts(user)
        context["counts"] = {
            "decisions": callbacks["decision"],
            "disputes": access.disputes_for(user).filter(status__in=["open", "scheduled"]).count(),
            "extensions": Appeal.objects.visible_to(user).filter(status="extension_requested").count(),
        }
    if access.may_call_back(user):
        context["pending_callbacks"] = (callbacks if access.may_read(user) else selectors.callback_counts(user))[
            "pending"]
    return render(request, "supervision/index.html", context)


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def order_list(request):
    status = request.GET.get("status", "active")
    reason = request.GET.get("reason", "")
    level = request.GET.get("level", "")
    qs = selectors.orders(request.user, status=status if status in [*OrderStatus.values, "active"] else "",
                          reason=reason if reason in Reason.values else "",
                          level=level if level in Level.values else "")
    appeal = request.GET.get("appeal", "").strip()[:24]
    if appeal:
        qs = qs.filter(appeal__number=appeal)
    return render(request, "supervision/orders/list.html", {
        "orders": page(request, qs), "status": status, "reason": reason, "level": level,
        "statuses": OrderStatus.choices, "reasons": Reason.choices, "levels": Level.choices, "appeal": appeal,
        "can_manage": access.may_manage(request.user), "now": timezone.now(), "nav_active": "supervision",
    })


@gate(access.may_manage)
def order_new(request):
    form = OrderForm(request.POST or None, initial={"appeal_number": request.GET.get("appeal", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        appeal = Appeal.objects.visible_to(request.user).filter(number=data["appeal_number"].strip()).first()
        if appeal is None:
            form.add_error("appeal_number", _("没有找到编号为 %(n)s 的诉求件") % {"n": data["appeal_number"]})
        else:
            ok, result = perform(request, order_services.open_order, appeal, form=form, by=request.user,
                                 reason=data["reason"], level=data["level"] or None,
                                 deadline_days=data["deadline_days"], requirement=data["requirement"],
                                 instruction=data["instruction"], instructed_by=data["instructed_by"])
            if ok:
                order, created = result
                from django.contrib import messages

                if created:
                    messages.success(request, _("已生成督办单 #%(id)s") % {"id": order.pk})
                    calendar_notice(request, order.created_at, order.deadline)
                else:
                    messages.info(request, _("该诉求件已有同类督办单 #%(id)s 在办") % {"id": order.pk})
                return redirect("supervision:order_detail", pk=order.pk)
    return render(request, "supervision/orders/new.html", {"form": form, "nav_active": "supervision"})


def _order(request, pk):
    order = access.orders_for(request.user).select_related(
        "appeal", "appeal__lead_unit", "target_unit", "responsible_unit", "created_by").filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


@gate(lambda u: access.may_read(u) or access.is_unit_staff(u))
def order_detail(request, pk):
    order = _order(request, pk)
    user = request.user
    manage = access.may_manage_order(user, order)
    possible = order_actions_from(order.status)
    appeal_actions = [a for a in available_actions(user, order.appeal) if a in ("reopen", "close")] \
        if manage and order.appeal_id else []
    return render(request, "supervision/orders/detail.html", {
        "order": order, "events": order.events.select_related("actor"), "visits": order.visits.all(),
        "can_respond": "respond" in possible and access.may_respond(user, order),
        "can_manage": manage and order.status != OrderStatus.CLOSED, "possible": possible,
        "appeal_actions": appeal_actions, "text_form": TextForm(), "reason_form": ReasonForm(),
        "withdrawn_reason": _withdrawn_close(order, manage, possible),
        "visit_form": VisitForm(initial={"date": timezone.localdate()}), "now": timezone.now(),
        "nav_active": "supervision",
    })


def _withdrawn_close(order, manage: bool, possible) -> str:
    """The prefilled reason of 关闭督办 when the citizen has withdrawn the appeal of an order still
    open (a person's order: automatic ones closed with the withdrawal), else ""."""
    from ..notices import WITHDRAWN_REASON

    if manage and order.status != OrderStatus.CLOSED and "close" in possible and order.appeal.status == Status.WITHDRAWN:
        return str(WITHDRAWN_REASON)
    return ""


@require_POST
@gate(lambda u: access.may_manage(u) or access.is_unit_staff(u))
def order_action(request, pk, action):
    order = _order(request, pk)
    user = request.user
    here = redirect("supervision:order_detail", pk=order.pk)
    if action == "respond":
        form = TextForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return here
        perform(request, order_services.respond, order, by=user, text=form.cleaned_data["text"],
                success=_("已反馈督办单"))
    elif action in ("reject", "escalate", "close"):
        form = ReasonForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        if action == "reject":
            perform(request, order_services.reject_response, order, by=user, reason=reason, form=form,
                    deadline_days=form.cleaned_data.get("deadline_days"), success=_("已退回重新办理"))
        elif action == "escalate":
            perform(request, order_services.escalate, order, by=user, reason=reason, success=_("已升级督办"))
        else:
            perform(request, order_services.close_order, order, by=user, reason=reason, success=_("督办单已办结"))
    elif action == "visit":
        form = VisitForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return here
        perform(request, order_services.add_visit, order, by=user, success=_("已记录现场督办"), **form.cleaned_data)
    elif action in ("reopen-appeal", "close-appeal"):
        if order.appeal_id is None or not access.may_manage_appeal(user, order.appeal):
            raise Http404
        reason = request.POST.get("reason", "")
        if action == "reopen-appeal":
            perform(request, appeal_services.reopen, order.appeal, by=user, reason=reason, success=_("已交原单位重办"))
        else:
            perform(request, appeal_services.close, order.appeal, by=user, reason=reason, success=_("诉求件已办结"))
    else:
        raise Http404
    return back(request, here.url)


@gate(access.may_read)
def figures(request):
    form = PeriodForm({"period": request.GET.get("period") or timezone.localdate().strftime("%Y-%m")})
    context = {"form": form, "nav_active": "supervision"}
    if form.is_valid():
        period = form.cleaned_data["period"]
        result = selectors.supervision_figures(request.user, period)
        labels = dict(Reason.choices)
        context.update(figures=result, callbacks=selectors.callback_figures(request.user, period),
                       reply_rates=selectors.reply_rates(request.user, period), period=period,
                       reason_rows=[(labels.get(k, k), n) for k, n in result.by_reason.items()])
    return render(request, "supervision/figures.html", context, status=200 if form.is_valid() else 400)
