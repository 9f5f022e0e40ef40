"""Data sharing (提供群众诉求信息): appeals of a unit and a period as CSV or XLSX.

Rows start from ``Appeal.objects.visible_to(user)``; citizen data is shown as
``privacy.citizen_display`` gives it (phone and ID always masked). Full phone and ID numbers
come only with ``personal_data=True``, only for rows where the user may see the citizen, and
each such row is logged by ``privacy.reveal``. Every export leaves an ``ExportLog`` row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import citizen_display, masked_citizen, may_see_identity, reveal
from jishiban.core.spreadsheets import local_minute, safe_cell, write_xlsx
from jishiban.organisations.models import Organisation
from jishiban.regions.models import RegionLevel

from .models import ExportLog

FORMATS = ("csv", "xlsx")
MAX_DAYS = 366


# Who may export is the role policy's (``JISHIBAN_EXPORT_ROLES``).
may_export = policy.may_export


@dataclass
class ExportRequest:
    org: str | None
    date_from: date
    date_to: date
    format: str = "csv"
    personal_data: bool = False


def _columns() -> list[str]:
    return [_("编号"), _("渠道"), _("渠道编号"), _("受理时间"), _("标题"), _("诉求内容"), _("诉求类型"), _("分类"),
            _("县市区"), _("地址"), _("诉求人"), _("联系电话"), _("状态"), _("主办单位"), _("派单时间"),
            _("答复时限"), _("答复时间"), _("办结时间"), _("办理结果"), _("答复内容"), _("满意度")]


def check_request(req: ExportRequest) -> Organisation | None:
    errors: dict[str, list[str]] = {}
    if req.format not in FORMATS:
        errors["format"] = [_("格式须为 csv 或 xlsx")]
    if req.date_to < req.date_from:
        errors["to"] = [_("结束日期不能早于开始日期")]
    elif (req.date_to - req.date_from).days >= MAX_DAYS:
        errors["to"] = [_("一次最多导出 %(n)d 天") % {"n": MAX_DAYS}]
    org = None
    if req.org:
        org = Organisation.objects.select_related("region").filter(code=req.org).first()
        if org is None:
            errors["org"] = [_("未知单位代码 %(c)s") % {"c": req.org}]
    if errors:
        raise AppealValidationError(errors)
    return org


def _scope(qs, org: Organisation | None):
    """A unit's appeals (lead or co-handler); a county centre's county; the city centre: all."""
    if org is None:
        return qs
    if org.is_centre:
        if org.region.level == RegionLevel.COUNTY:
            return qs.filter(county_id=org.region_id)
        return qs
    co = Appeal.co_units.through.objects.filter(organisation_id=org.pk).values("appeal_id")
    return qs.filter(Q(lead_unit_id=org.pk) | Q(pk__in=co))


def select(user, req: ExportRequest, org: Organisation | None):
    base = Appeal.objects.all() if user is None else Appeal.objects.visible_to(user)
    start = timezone.make_aware(datetime.combine(req.date_from, time.min))
    end = timezone.make_aware(datetime.combine(req.date_to + timedelta(days=1), time.min))
    return (_scope(base, org).filter(received_at__gte=start, received_at__lt=end)
            .select_related("channel", "category", "county", "lead_unit").order_by("received_at", "id"))


def _citizen(user, appeal: Appeal, personal: bool) -> tuple[str, str]:
    if user is None:
        # Command line without --as: shown as to someone who may not see the citizen.
        shown = masked_citizen(appeal)
        return str(shown["name"]), shown["phone"]
    shown = citizen_display(user, appeal)
    if personal and not appeal.anonymous and appeal.citizen_phone and may_see_identity(user, appeal):
        return shown["name"], reveal(user, appeal, "citizen_phone")
    return str(shown["name"]), shown["phone"]


def rows(user, qs, personal: bool):
    for a in qs.iterator(chunk_size=2000):
        name, phone = _citizen(user, a, personal)
        yield [a.number, a.channel.name, a.external_id or "", local_minute(a.received_at), a.title, a.content,
               str(a.get_appeal_type_display()), a.category.name if a.category else "",
               a.county.name if a.county else "", a.address, name, phone, str(a.get_status_display()),
               a.lead_unit.name if a.lead_unit else "", local_minute(a.dispatched_at), local_minute(a.reply_deadline),
               local_minute(a.replied_at), local_minute(a.closed_at), str(a.get_result_type_display()) if a.result_type else "",
               a.result_text, str(a.get_satisfaction_display()) if a.satisfaction else ""]


def write(stream, fmt: str, data) -> int:
    """Write header and rows to the binary ``stream``; returns the number of data rows."""
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(_columns())
        for row in data:
            writer.writerow([safe_cell(v) for v in row])
            count += 1
        text.flush()
        text.detach()
        return count
    return write_xlsx(stream, _("诉求件"), _columns(), data)


def export_appeals(user, req: ExportRequest, stream, *, via: str) -> ExportLog:
    """Write the export to ``stream`` and log it. ``user=None`` is the command line without
    ``--as`` (every appeal, identities masked). Raises ``ActionForbidden`` for roles that may
    not export and ``AppealValidationError`` for a bad request."""
    if user is not None and not may_export(user):
        raise ActionForbidden(_("您的角色不能导出诉求数据"))
    if user is None and req.personal_data:
        raise AppealValidationError({"personal_data": [_("导出完整个人信息须指定导出人（--as）")]})
    org = check_request(req)
    count = write(stream, req.format, rows(user, select(user, req, org), req.personal_data))
    return ExportLog.objects.create(
        user=user, via=via, format=req.format, row_count=count, personal_data=req.personal_data,
        filters={"org": req.org, "from": req.date_from.isoformat(), "to": req.date_to.isoformat()},
    )
