"""``GET /api/v1/figures``: every metric for a period, optionally grouped; ``GET /api/v1/rankings``:
the monthly ranking. The same figures as the pages (``selectors``), in the caller's scope."""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jishiban.accounts import policy
from jishiban.accounts.policy import may_open
from jishiban.api.auth import API_AUTH
from jishiban.api.errors import READ_ERRORS
from jishiban.api.params import Id
from jishiban.api.schemas import ErrorOut
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.core import params
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region

from . import borrowed, documents, metrics, reports, selectors, services
from .selectors import GROUPS, Filter

router = Router(auth=API_AUTH, tags=["analytics"])
ERRORS = {**READ_ERRORS, 403: ErrorOut}


class ValueOut(Schema):
    numerator: float | None
    denominator: int | None = Field(None, description="分母；计数类指标为空")
    value: float | None = Field(None, description="值：件数、百分比或工作小时；分母为 0 时为空")


class GroupOut(Schema):
    key: int | str | None
    name: str
    metrics: dict[str, ValueOut]


class FiguresOut(Schema):
    start: date
    end: date
    scope: str = Field(..., description="everything / county / unit：调用者可见的范围")
    metrics: dict[str, ValueOut]
    groups: list[GroupOut] = []


class FiguresQuery(Schema):
    start: str = Field(..., description="起始日期，如 2026-11-01")
    end: str = Field(..., description="截止日期（含）")
    group: str = Field("", description="分组：" + "、".join(GROUPS))
    county: str = Field("", description="县市区代码")
    unit: str = Field("", description="单位代码")


def _gate(request):
    if not may_open(request.user, "analytics") or borrowed.figure_scope(request.user).nothing:
        raise ActionForbidden(_("您无权查看统计数据"))


def _plain(values) -> dict:
    return {k: v.as_dict() for k, v in values.items()}


@router.get("/figures", response={200: FiguresOut, **ERRORS}, url_name="figures", summary="指标（期间、分组）")
def figures(request, q: Query[FiguresQuery]):
    _gate(request)
    errors = {}
    try:
        start = params.day(q.start, "start")
    except params.ParameterError as exc:
        errors["start"], start = [exc.reason], None
    try:
        end = params.day(q.end, "end")
    except params.ParameterError as exc:
        errors["end"], end = [exc.reason], None
    if start and end and end < start:
        errors["end"] = [_("截止日期不能早于起始日期")]
    if q.group and q.group not in GROUPS:
        errors["group"] = [_("分组须为 %(g)s 之一") % {"g": "、".join(GROUPS)}]
    county = Region.objects.filter(code=q.county).values_list("pk", flat=True).first() if q.county else None
    unit = Organisation.objects.filter(code=q.unit).values_list("pk", flat=True).first() if q.unit else None
    if q.county and county is None:
        errors["county"] = [_("没有代码为 %(c)s 的县市区") % {"c": q.county}]
    if q.unit and unit is None:
        errors["unit"] = [_("没有代码为 %(c)s 的单位") % {"c": q.unit}]
    if errors or start is None or end is None:
        raise AppealValidationError(errors or {"start": [_("请填写日期")]})
    scope = borrowed.figure_scope(request.user)
    flt = Filter(county=county, unit=unit)
    out = {"start": start, "end": end, "scope": scope.kind,
           "metrics": _plain(metrics.evaluate_all(selectors.totals(scope, start, end, flt))), "groups": []}
    if q.group:
        grouped = selectors.totals(scope, start, end, flt, group=q.group)
        names = reports._names(q.group, grouped)
        out["groups"] = [{"key": k if not hasattr(k, "isoformat") else k.isoformat(),
                          "name": str(names.get(k, k if k not in (None, 0, "") else "未指定")),
                          "metrics": _plain(metrics.evaluate_all(t))} for k, t in grouped.items()]
    return out


class RankingRowOut(Schema):
    unit: str
    code: str
    rank: int
    score: float
    grade: str
    previous_rank: int | None
    metrics: dict[str, ValueOut]


@router.get("/rankings", response={200: list[RankingRowOut], **ERRORS}, url_name="rankings",
            summary="月度考核排名")
def rankings(request, month: str, level: str = "county"):
    _gate(request)
    if not policy.may_see_rankings(request.user):  # the same capability as the ranking page
        raise ActionForbidden(_("排名仅供中心与领导查看"))
    try:
        return services.assess(month, level)
    except services.AssessError as exc:
        raise AppealValidationError({"month" if "月" in str(exc) else "level": [str(exc)]})


class KeptReportOut(Schema):
    id: int
    kind: str = Field(..., description="daily / weekly / monthly / health")
    period: str
    format: str = Field(..., alias="fmt")
    scope: str = Field(..., alias="scope_kind", description="everything（全市）/ county / unit")
    title: str
    created_at: datetime


@router.get("/reports/kept", response={200: list[KeptReportOut], **ERRORS}, url_name="kept_reports",
            summary="定期报告（调用者可见范围内）")
def kept_reports(request, kind: str = ""):
    _gate(request)
    rows = selectors.kept_reports(request.user)
    return list(rows.filter(kind=kind)[:300] if kind else rows[:300])


@router.get("/reports/kept/{pk}/file", response={200: None, **ERRORS}, url_name="kept_report_file",
            summary="下载定期报告")
def kept_report_file(request, pk: Id):
    _gate(request)
    row = selectors.kept_reports(request.user).filter(pk=pk).first()
    if row is None or not row.file:
        raise Http404(_("报告不存在或无权查看"))
    with row.file.open("rb") as f:
        response = HttpResponse(f.read(), content_type=documents.CONTENT_TYPES[row.fmt])
    response["Content-Disposition"] = f'attachment; filename="{row.kind}-{row.period}.{row.fmt}"'
    return response
