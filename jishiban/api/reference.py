"""Reference data for channel and department systems: channels, categories, units, regions."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from jishiban.channels.models import Channel
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category

from .auth import API_AUTH
from .errors import READ_ERRORS
from .params import Moment
from .schemas import CategoryOut, ChannelOut, OrganisationOut, RegionOut

router = Router(auth=API_AUTH, tags=["reference"])


def _renamed(rows, **names) -> list[dict]:
    """``values()`` rows with ``parent__code`` etc. renamed to the schema's field names."""
    result = []
    for row in rows:
        for new, old in names.items():
            row[new] = row.pop(old)
        result.append(row)
    return result


@router.get("/channels", response={200: list[ChannelOut], **READ_ERRORS}, url_name="channels", summary="受理渠道")
def channels(request):
    return list(Channel.objects.filter(is_active=True).order_by("sort", "code")
                .values("code", "name", "kind", "public_reply", "wants_results"))


@router.get("/categories", response={200: list[CategoryOut], **READ_ERRORS}, url_name="categories",
            summary="诉求分类（三级）")
def categories(request):
    """Each category with its own deadlines and those it applies, inherited up the tree or the
    settings' defaults (the same order as ``appeals.deadlines.policy_for``; a channel's override
    and the urgent flag are the appeal's, not the category's). Durations: ``Nd`` working days,
    ``Nh``/``Nm`` working time."""
    from django.conf import settings

    every = {row["id"]: row for row in Category.objects.values(
        "id", "code", "name", "level", "parent_id", "parent__code", "urgent", "sort", "is_active",
        *DEADLINE_FIELDS)}
    defaults = {field: settings.JISHIBAN[key] for field, key in DEADLINE_FIELDS.items()}
    out = []
    for row in sorted((r for r in every.values() if r["is_active"]), key=lambda r: (r["level"], r["sort"], r["code"])):
        item = {"code": row["code"], "name": row["name"], "level": row["level"], "parent": row["parent__code"],
                "urgent": row["urgent"]}
        for field in DEADLINE_FIELDS:
            node, value, source = row, "", "default"
            while node is not None:
                if node[field]:
                    value, source = node[field], node["code"]
                    break
                node = every.get(node["parent_id"])
            item[field] = {"own": row[field], "effective": value or defaults[field], "source": source}
        out.append(item)
    return out


# Category field → the settings key of its default (``settings.JISHIBAN``).
DEADLINE_FIELDS = {"sign_deadline": "SIGN_DEADLINE", "reply_deadline": "REPLY_DEADLINE",
                   "yellow_before": "YELLOW_BEFORE"}


@router.get("/organisations", response={200: list[OrganisationOut], **READ_ERRORS}, url_name="organisations",
            summary="机构与承办单位")
def organisations(request):
    rows = Organisation.objects.filter(is_active=True).order_by("level", "kind", "code").values(
        "code", "name", "short_name", "kind", "level", "region__code", "parent__code", "domain")
    return _renamed(rows, region="region__code", parent="parent__code")


class RegionFilters(Schema):
    level: int | None = Field(None, ge=1, le=5, description="1 市 2 县市区 3 乡镇街道 4 社区村 5 网格")
    parent: str | None = Field(None, description="上级区划代码")


@router.get("/regions", response={200: list[RegionOut], **READ_ERRORS}, url_name="regions", summary="区划")
def regions(request, filters: Query[RegionFilters]):
    qs = Region.objects.order_by("level", "sort", "code")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent)
    return _renamed(qs.values("code", "name", "level", "parent__code"), parent="parent__code")


class WorkingTimeOut(Schema):
    start: datetime
    duration: str
    end: datetime
    covered: bool = Field(description="所涉年份的法定节假日是否已导入（否：仅按周末计算）")


@router.get("/working-time", response={200: WorkingTimeOut, **READ_ERRORS}, url_name="working_time",
            summary="工作时间推算：T 之后 N 个工作日/工作小时")
def working_time(request, start: Moment, duration: str):
    """``start`` plus ``duration`` (``3d`` working days ending at close of business, ``4h`` /
    ``30m`` working time) on the centre's calendar, holidays and make-up days of the year included."""
    from jishiban.sla.clock import parse_duration
    from jishiban.sla.services import get_calendar

    try:
        parsed = parse_duration(duration.strip())
    except ValueError:
        return Status(422, {"code": "validation_error", "detail": "时长格式应为 3d（工作日）、4h 或 30m（工作时间）",
                     "errors": {"duration": ["时长格式应为 3d（工作日）、4h 或 30m（工作时间）"]}})
    calendar = get_calendar()
    end = calendar.add(start, parsed)
    years = {start.year, end.year}
    return {"start": start, "duration": str(parsed), "end": end, "covered": years <= set(calendar.covered_years)}
