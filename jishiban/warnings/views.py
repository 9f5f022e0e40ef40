"""The warning list and one warning's page, where each lifecycle step is a button for those who
may manage warnings (``policy.may_manage_warnings``); a hot event's page merges its appeals."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.accounts import policy
from jishiban.appeals.models import Appeal
from jishiban.appeals.workflow import GONE
from jishiban.core.views import gate
from jishiban.organisations.models import Organisation
from jishiban.supervision.views.common import perform

from . import selectors, services
from .models import ACTION_LABELS, WarningKind, WarningState


def _moved(event) -> str:
    if not event.from_state or event.from_state == event.to_state:
        return ""
    return f"{WarningState(event.from_state).label}→{WarningState(event.to_state).label}"


@gate("warnings")
def warning_list(request):
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "open")
    if state not in ("open", "closed", "all"):
        state = "open"
    rows = selectors.warning_list(request.user, kind=kind, state=state)[:200]
    return render(request, "warnings/list.html", {
        "rows": rows, "kind": kind, "state": state, "kinds": WarningKind.choices,
        "counts": selectors.open_counts(request.user), "nav_active": "warnings"})


def _warning(request, pk):
    w = selectors.get_warning(request.user, pk)
    if w is None:
        raise Http404
    return w


def _context(request, w) -> dict:
    user = request.user
    manage = policy.may_manage_warnings(user) and w.state != WarningState.CLOSED
    candidates = get_user_model().objects.filter(is_active=True, role__in=policy.WARNING_MANAGE).order_by("username")
    supervisors = ([u for u in candidates[:200] if policy.may_manage_warnings(u) and selectors.sees(u, w)][:50]
                   if manage else [])
    units = Organisation.objects.exclude(kind="centre").order_by("level", "code")[:300] if manage else []
    return {
        "w": w, "events": [(e, ACTION_LABELS.get(e.action, ""), _moved(e)) for e in w.events.select_related("actor")],
        "appeals": selectors.appeals_of(user, w), "manage": manage,
        "steps": [s for s, states in services.STEPS.items() if w.state in states],
        "supervisors": supervisors, "units": units,
        "may_merge": w.kind == WarningKind.EVENT and policy.may_take(user, "merge"), "nav_active": "warnings"}


@gate("warnings")
def warning_detail(request, pk):
    return render(request, "warnings/detail.html", _context(request, _warning(request, pk)))


@require_POST
@gate("warnings")
def warning_step(request, pk, step):
    w = _warning(request, pk)
    user = request.user
    here = redirect("warnings:detail", pk=w.pk)
    if step == "merge":
        return _merge(request, w, here)
    if step not in services.STEPS:
        raise Http404
    if not policy.may_manage_warnings(user):
        raise PermissionDenied
    if step == "acknowledge":
        perform(request, services.acknowledge, w, by=user, success=_("已确认预警"))
    elif step == "assign":
        assignee = unit = None
        who = request.POST.get("assignee", "")
        if who.isdigit():
            assignee = get_user_model().objects.filter(pk=int(who), is_active=True).first()
        code = request.POST.get("unit", "")
        if code:
            unit = Organisation.objects.filter(code=code).first()
        perform(request, services.assign, w, by=user, assignee=assignee, unit=unit,
                note=request.POST.get("note", "")[:300], success=_("已指派"))
    elif step == "link":
        perform(request, services.link_order, w, by=user, success=_("已生成督办单"))
    else:
        perform(request, services.close, w, by=user, note=request.POST.get("note", ""), success=_("预警已关闭"))
    if request.headers.get("HX-Request"):  # the step's button swaps the panel in place
        return render(request, "warnings/_panel.html", {**_context(request, _warning(request, pk)), "partial": True})
    return here


def _merge(request, w, here):
    if not policy.may_take(request.user, "merge"):
        raise PermissionDenied
    visible = Appeal.objects.visible_to(request.user).filter(pk__in=w.appeals.values("pk"))
    into = visible.filter(number=request.POST.get("into", "")).first()
    picked = list(visible.filter(number__in=request.POST.getlist("appeal")).exclude(status__in=GONE))
    if into is None or not [a for a in picked if a.pk != into.pk]:
        from django.contrib import messages

        messages.error(request, _("请选择主件和要并入的诉求件"))
        return here
    perform(request, services.merge_event_appeals, w, by=request.user, into=into, appeals=picked,
            success=_("已并单"))
    return here
