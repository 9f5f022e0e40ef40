"""The catalogue pages under ``/routing/``: list, detail, create, edit, (de)activate, the
learned statistics and "try an appeal". Supervisors and administrators edit; dispatchers read;
everyone else gets 403. Writes go through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.core.pages import apply_errors
from jishiban.core.views import gate

from . import access, selectors
from .forms import FilterForm, RuleForm, TryForm
from .models import LearnedRoute
from .services import rules as rule_services
from .services import suggest_units

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(request, **extra) -> dict:
    return {"nav_active": "routing", "can_edit": access.may_edit(request.user), **extra}


@gate("routing")
def rule_list(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.rules_for(request.user, state=filters.get("state") or "active", origin=filters.get("origin", ""),
                             category=filters.get("category"), county=filters.get("county"), q=filters.get("q", ""))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "routing/list.html", _context(
        request, rules=_page(request, qs), form=form, query=query.urlencode() + "&" if query else ""))


@gate(access.may_view)
def rule_detail(request, pk: int):
    rule = selectors.rule_for(request.user, pk)
    if rule is None:
        raise Http404
    meeting = rule.meeting or (rule.decision.meeting if rule.decision_id else None)
    return render(request, "routing/detail.html", _context(request, rule=rule, meeting=meeting,
                                                           origin_note=selectors.origin_note(rule)))


def _save(request, form, rule=None):
    """Run the service for a valid form; errors go back onto the fields. Returns the rule or None."""
    try:
        if rule is None:
            return rule_services.create_rule(by=request.user, **form.service_data())
        return rule_services.update_rule(rule, by=request.user, **form.service_data())
    except ActionForbidden:
        raise PermissionDenied
    except AppealValidationError as exc:
        apply_errors(form, exc.errors)
    return None


@gate(access.may_edit)
def rule_new(request):
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = _save(request, form)
        if rule is not None:
            messages.success(request, _("已新建规则 #%(id)s") % {"id": rule.pk})
            return redirect("routing:rule_detail", rule.pk)
    return render(request, "routing/form.html", _context(request, form=form, rule=None))


@gate(access.may_edit)
def rule_edit(request, pk: int):
    rule = selectors.rule_for(request.user, pk)
    if rule is None:
        raise Http404
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, rule)
        if saved is not None:
            messages.success(request, _("已保存规则 #%(id)s") % {"id": saved.pk})
            return redirect("routing:rule_detail", saved.pk)
    return render(request, "routing/form.html", _context(request, form=form, rule=rule))


@require_POST
@gate(access.may_edit)
def rule_active(request, pk: int):
    rule = selectors.rule_for(request.user, pk)
    if rule is None:
        raise Http404
    active = request.POST.get("active") == "1"
    rule_services.set_active(rule, by=request.user, active=active)
    messages.success(request, (_("已启用规则 #%(id)s") if active else _("已停用规则 #%(id)s")) % {"id": rule.pk})
    return redirect("routing:rule_detail", rule.pk)


@gate(access.may_view)
def learned(request):
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = LearnedRoute.objects.select_related("category", "county", "unit").filter(kept__gt=0)
    if filters.get("county") is not None:
        qs = qs.filter(county=filters["county"])
    if filters.get("category") is not None:
        qs = qs.filter(category=filters["category"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "routing/learned.html", _context(
        request, rows=_page(request, qs.order_by("category__code", "county__code", "-kept")), form=form,
        refreshed=LearnedRoute.objects.order_by("-refreshed_at").values_list("refreshed_at", flat=True).first(),
        query=query.urlencode() + "&" if query else ""))


@gate(access.may_view)
def try_appeal(request):
    form = TryForm(request.GET or None)
    appeal = suggestions = None
    if form.is_valid():
        number = form.cleaned_data["number"].strip()
        appeal = (Appeal.objects.visible_to(request.user)
                  .select_related("category__parent__parent", "county", "town", "channel")
                  .filter(number=number).first())
        if appeal is None:
            form.add_error("number", _("没有找到编号为 %(n)s 的诉求件") % {"n": number})
        else:
            suggestions = suggest_units(appeal)
    return render(request, "routing/try.html", _context(request, form=form, appeal=appeal, suggestions=suggestions))
