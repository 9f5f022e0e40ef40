"""Data sharing (提供群众诉求信息): appeals of a unit and a period as CSV or XLSX.

The command line (``export appeals``) and the API (``/api/v1/exports/appeals.{csv,xlsx}``)
call ``export_appeals``; the columns, the masking and the log are those of ``exporter``, which
the workbench's list export uses too. Rows start from ``Appeal.objects.visible_to(user)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.organisations.models import Organisation
from jishiban.regions.models import RegionLevel

from .exporter import RELATED, log_export, rows, write
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
            .select_related(*RELATED).order_by("received_at", "id"))


def export_appeals(user, req: ExportRequest, stream, *, via: str) -> ExportLog:
    """Write the data-sharing export to ``stream`` and log it. ``user=None`` is the command line
    without ``--as`` (every appeal, identities and free text masked). Raises ``ActionForbidden``
    for roles that may not export and ``AppealValidationError`` for a bad request."""
    if user is not None and not may_export(user):
        raise ActionForbidden(_("您的角色不能导出诉求数据"))
    if user is None and req.personal_data:
        raise AppealValidationError({"personal_data": [_("导出完整个人信息须指定导出人（--as）")]})
    org = check_request(req)
    count = write(stream, req.format, rows(user, select(user, req, org), personal=req.personal_data))
    return log_export(user, via=via, fmt=req.format, row_count=count, personal_data=req.personal_data,
                      filters={"org": req.org, "from": req.date_from.isoformat(), "to": req.date_to.isoformat()})
