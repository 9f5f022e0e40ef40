"""``export appeals``: appeals of a unit and a period as CSV or XLSX (提供群众诉求信息).

jishiban export appeals --org city-water --from 2026-11-01 --to 2026-11-30 --format xlsx --as supervisor
Without ``--as`` every appeal is exported with the citizen's identity and the personal numbers in
its text masked (``intake.exporter``). Every export is logged (ExportLog, interface ``command``).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.core import params
from jishiban.intake.exports import FORMATS, ExportRequest, export_appeals
from jishiban.intake.models import ExportVia


def _date(text: str) -> date:
    try:
        found = params.day(text, "date")
    except params.ParameterError as exc:
        raise CommandError(_("日期 %(v)r：%(problem)s") % {"v": text, "problem": exc.reason})
    if found is None:
        raise CommandError(_("日期 %(v)r：%(problem)s") % {"v": text, "problem": _("须为日期，如 2026-11-27")})
    return found


class Command(BaseCommand):
    help = gettext_lazy("导出诉求数据（CSV/XLSX），按单位与受理日期筛选，个人信息脱敏，留有导出记录。")

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{appeals}")
        appeals = kinds.add_parser("appeals", help=_("导出诉求件"))
        appeals.add_argument("--org", default="", help=_("单位代码（主办或协办）；服务中心为其辖区"))
        appeals.add_argument("--from", dest="date_from", required=True, help=_("受理日期起，如 2026-11-01"))
        appeals.add_argument("--to", dest="date_to", required=True, help=_("受理日期止（含当天）"))
        appeals.add_argument("--format", choices=FORMATS, default="csv")
        appeals.add_argument("--as", dest="as_user", default="", help=_("以该用户的权限导出"))
        appeals.add_argument("--out", default="", help=_("输出文件；“-”为标准输出（仅 CSV）"))
        appeals.add_argument("--personal-data", action="store_true",
                             help=_("导出完整电话及未脱敏的文字（仅限有权查看的诉求件，逐件留痕）"))

    def handle(self, *args, kind: str, **o) -> None:
        user = None
        if o["as_user"]:
            user = get_user_model().objects.filter(username=o["as_user"]).first()
            if user is None:
                raise CommandError(_("用户 %(u)s 不存在") % {"u": o["as_user"]})
        req = ExportRequest(org=o["org"] or None, date_from=_date(o["date_from"]), date_to=_date(o["date_to"]),
                            format=o["format"], personal_data=o["personal_data"])
        out = o["out"] or f"appeals-{req.org or 'all'}-{req.date_from:%Y%m%d}-{req.date_to:%Y%m%d}.{req.format}"
        if out == "-" and req.format != "csv":
            raise CommandError(_("XLSX 不能输出到标准输出，请用 --out 指定文件"))
        try:
            if out == "-":
                log = export_appeals(user, req, sys.stdout.buffer, via=ExportVia.COMMAND)
            else:
                path = Path(out)
                tmp = path.with_name(path.name + ".part")
                try:
                    with tmp.open("wb") as stream:
                        log = export_appeals(user, req, stream, via=ExportVia.COMMAND)
                except BaseException:
                    tmp.unlink(missing_ok=True)
                    raise
                tmp.replace(path)
        except AppealValidationError as exc:
            raise CommandError(exc.message)
        except ActionForbidden as exc:
            raise CommandError(exc.message)
        self.stderr.write(_("已导出 %(n)d 件（导出记录 #%(id)d）") % {"n": log.row_count, "id": log.pk})
        if out != "-":
            self.stdout.write(str(Path(out).resolve()))
