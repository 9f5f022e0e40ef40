"""Analyst and leader pages: figures by period and group, the appeals behind any number, the
monthly ranking, report downloads. Gated by the page table (``web.navigation``); every figure
is read within ``borrowed.figure_scope`` and every list through ``visible_appeals``."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.core.params import ParameterError, day
from jishiban.core.views import gate

from . import borrowed, documents, metrics, reports, selectors, services
from .forms import PeriodForm
from .selectors import Filter

PAGE = "analytics"
CARDS = ("intake", "dispatched", "answered", "response_rate", "on_time_rate", "solved_rate", "satisfaction_rate",
         "return_rate", "reopen_rate", "extension_rate", "repeat_rate", "first_contact_rate", "avg_sign_hours",
         "avg_reply_hours", "supervised_solved_rate")
TABLE = ("intake", "response_rate", "on_time_rate", "solved_rate", "satisfaction_rate", "return_rate")


def _link(counter: str, start: date, end: date, flt: Filter, **extra) -> str:
    q = {"counter": counter, "start": start.isoformat(), "end": end.isoformat(),
         **{k: v for k, v in flt.__dict__.items() if v not in (None, "")}, **extra}
    return reverse("analytics:appeals") + "?" + urlencode(q)


def _cell(v: metrics.Value, start, end, flt: Filter) -> dict:
    m = metrics.BY_NAME[v.metric]
    num_counter = m.numerator[0][0]
    return {"name": m.name, "label": m.label, "text": reports.show(v), "unit": m.unit,
            "numerator": v.as_dict()["numerator"], "denominator": v.denominator,
            "num_link": _link(num_counter, start, end, flt),
            "den_link": _link(m.denominator, start, end, flt) if m.denominator else ""}


@gate(PAGE)
def figures(request):
    form = PeriodForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    start, end = form.period()
    flt = form.filter() if request.GET and valid else Filter()
    group = (form.cleaned_data.get("group") if request.GET and valid else "") or "county"
    scope = borrowed.figure_scope(request.user)
    totals = selectors.totals(scope, start, end, flt)
    values = metrics.evaluate_all(totals, None, CARDS)
    grouped = selectors.totals(scope, start, end, flt, group=group)
    names = reports._names(group, grouped) if group != "appeal_type" else {}
    rows = []
    for key, t in sorted(grouped.items(), key=lambda kv: -kv[1].get("received", 0)):
        sub = Filter(**{**flt.__dict__, group: key})
        rows.append({"name": names.get(key, key or _("未指定")),
                     "cells": [_cell(v, start, end, sub) for v in metrics.evaluate_all(t, None, TABLE).values()]})
    chart = {"labels": [r["name"] for r in rows[:20]],
             "values": [r["cells"][0]["numerator"] or 0 for r in rows[:20]], "name": _("受理量")}
    return render(request, "analytics/figures.html", {
        "form": form, "start": start, "end": end, "cards": [_cell(values[n], start, end, flt) for n in CARDS],
        "rows": rows, "headers": [metrics.BY_NAME[n].label for n in TABLE], "chart": chart,
        "snapshot": selectors.snapshot(request.user, timezone.now()), "scope": scope, "nav_active": PAGE})


@gate(PAGE)
def appeals(request):
    counter = request.GET.get("counter", "")
    try:
        start, end = day(request.GET.get("start"), "start"), day(request.GET.get("end"), "end")
    except ParameterError as exc:
        return render(request, "analytics/appeals.html", {"error": exc.reason, "nav_active": PAGE}, status=400)
    if counter not in metrics.COUNTERS or start is None or end is None or end < start:
        return render(request, "analytics/appeals.html", {"error": _("请从统计页面上的数字进入"), "nav_active": PAGE},
                      status=400)
    ints = {}
    for name in ("county", "town", "category", "channel", "unit"):
        raw = request.GET.get(name, "")
        if raw and not raw.isdigit():
            return render(request, "analytics/appeals.html", {"error": _("筛选条件有误"), "nav_active": PAGE},
                          status=400)
        ints[name] = int(raw) if raw else None
    flt = Filter(**ints, appeal_type=request.GET.get("appeal_type") or None)
    qs, total = selectors.appeals_behind(request.user, counter, start, end, flt)
    rows = list(qs.select_related("county", "lead_unit")[:200])
    return render(request, "analytics/appeals.html", {
        "counter": counter, "counter_label": metrics.COUNTERS[counter], "start": start, "end": end,
        "appeals": rows, "total": total, "nav_active": PAGE})


@gate(policy.may_see_rankings)
def ranking(request):
    month = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    level = request.GET.get("level") or "county"
    try:
        rows = services.assess(month, level)
    except services.AssessError as exc:
        return render(request, "analytics/ranking.html", {"error": str(exc), "month": month, "level": level,
                                                          "nav_active": PAGE}, status=400)
    chart = {"labels": [r["unit"] for r in rows], "values": [r["score"] for r in rows], "name": _("得分")}
    return render(request, "analytics/ranking.html", {
        "rows": rows, "month": month, "level": level, "chart": chart,
        "metric_labels": {m.name: m.label for m in metrics.METRICS},
        "interviews": services.interview_list(month, level), "nav_active": PAGE})


@gate(PAGE)
def report(request):
    """The report form, and with ``kind`` the report itself (HTML on the page, or a download)."""
    kind, fmt = request.GET.get("kind", ""), request.GET.get("format", "html")
    context = {"kinds": [("daily", _("日统计")), ("weekly", _("周分析")), ("monthly", _("月通报")),
                         ("health", _("体检报告")), ("topic", _("专题报告"))], "formats": documents.FORMATS, "nav_active": PAGE,
               "values": request.GET}
    if not kind:
        return render(request, "analytics/reports.html", context)
    try:
        built = _build(request, kind)
    except (ParameterError, services.AssessError, ValueError) as exc:
        context["error"] = getattr(exc, "reason", None) or str(exc)
        return render(request, "analytics/reports.html", context, status=400)
    if fmt not in documents.FORMATS:
        context["error"] = _("格式须为 %(f)s 之一") % {"f": "、".join(documents.FORMATS)}
        return render(request, "analytics/reports.html", context, status=400)
    if fmt == "html":
        return render(request, "analytics/reports.html", {**context, "report": built})
    response = HttpResponse(documents.render(built, fmt), content_type=documents.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{kind}-{built.subtitle[:10]}.{fmt}"'.encode(
        "ascii", "ignore").decode()
    return response


@gate(PAGE)
def kept(request):
    """The reports the schedule made and kept, those the reader may see."""
    rows = selectors.kept_reports(request.user)
    return render(request, "analytics/kept.html", {"rows": rows[:300], "nav_active": PAGE})


@gate(PAGE)
def kept_download(request, pk):
    row = selectors.kept_reports(request.user).filter(pk=pk).first()
    if row is None or not row.file:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=f"{row.title}.{row.fmt}",
                        content_type=documents.CONTENT_TYPES[row.fmt])


def _build(request, kind):
    scope = borrowed.figure_scope(request.user)
    g = request.GET
    if kind in ("daily", "weekly"):
        d = day(g.get("date"), "date")
        if d is None:
            raise ValueError(_("请填写日期"))
        return reports.daily(scope, d, user=request.user) if kind == "daily" else reports.weekly(scope, d)
    month = g.get("month") or ""
    if kind == "monthly":
        return reports.monthly(scope, month)
    if kind == "health":
        from jishiban.organisations.models import Organisation
        from jishiban.regions.models import Region

        county = Region.objects.counties().filter(code=g.get("county") or "-").first()
        unit = Organisation.objects.filter(code=g.get("unit") or "-").first()
        if bool(county) == bool(unit):
            raise ValueError(_("体检报告须指定一个县市区或一个单位"))
        if (scope.kind == "county" and (not county or county.pk != scope.id)) or \
                (scope.kind == "unit" and (not unit or unit.pk != scope.id)):
            raise PermissionDenied
        return reports.health(scope, month, county=county.pk if county else None, unit=unit.pk if unit else None)
    if kind == "topic":
        from jishiban.taxonomy.models import Category

        start, end = day(g.get("start"), "start"), day(g.get("end"), "end")
        if start is None or end is None or end < start:
            raise ValueError(_("专题报告须填写起止日期，且截止不早于起始"))
        category = Category.objects.filter(code=g.get("category") or "-").values_list("pk", flat=True).first()
        if g.get("category") and category is None:
            raise ValueError(_("没有代码为 %(c)s 的分类") % {"c": g.get("category")})
        return reports.topic(scope, start, end, Filter(category=category), title=_("专题报告"))
    raise ValueError(_("未知的报告类型"))
