"""``jishiban report daily|weekly|monthly|health … --format html|docx|xlsx|json --out FILE``

    jishiban report daily --date 2026-11-30 --format docx --out day.docx
    jishiban report weekly --date 2026-11-23 --format xlsx --out week.xlsx     (the week from that day)
    jishiban report monthly --month 2026-11 --format docx --out bulletin.docx
    jishiban report health --month 2026-11 --county 370811 --format json --out -
    jishiban report health --month 2026-11 --unit city-water --format docx --out water.docx
    jishiban report topic --from 2026-01-01 --to 2026-03-31 --category 02 --format docx --out water.docx
    jishiban report topic --heating-season 2021 --category 0205 --format json --out -
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.analytics import documents, reports, services
from jishiban.analytics.borrowed import FigureScope
from jishiban.core.params import ParameterError, day
from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region


class Command(BaseCommand):
    help = _("生成日统计、周分析、月通报、体检报告")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily", "weekly", "monthly", "health", "topic"])
        parser.add_argument("--from", dest="start", default="")
        parser.add_argument("--to", dest="end", default="")
        parser.add_argument("--heating-season", type=int, default=None, help=_("采暖季起始年份（11-15 至次年 03-15）"))
        parser.add_argument("--category", default="", help=_("分类代码（含下级）"))
        parser.add_argument("--channel", default="", help=_("渠道代码"))
        parser.add_argument("--title", default="", help=_("专题名称"))
        parser.add_argument("--preset", choices=sorted(reports.TOPIC_PRESETS), default=None,
                            help=_("专题预设：heating 采暖、utilities 水电气暖、epidemic 疫情、telecom 通信、prepaid 预付卡"))
        parser.add_argument("--keywords", default="", help=_("关键词，以逗号分隔（标题或内容含任一即计入）"))
        parser.add_argument("--date", default="")
        parser.add_argument("--month", default="")
        parser.add_argument("--county", default="", help=_("县市区代码，如 370811"))
        parser.add_argument("--unit", default="", help=_("单位代码，如 city-water"))
        parser.add_argument("--format", choices=documents.FORMATS, default="docx")
        parser.add_argument("--out", required=True, help=_("输出文件；- 为标准输出"))

    def handle(self, *args, **o):
        everything = FigureScope("everything")
        kind = o["kind"]
        try:
            if kind == "topic":
                report = self._topic(o)
            elif kind in ("daily", "weekly"):
                d = day(o["date"], "--date")
                if d is None:
                    raise CommandError(_("请用 --date 指定日期，如 2026-11-30"))
                report = reports.daily(everything, d) if kind == "daily" else reports.weekly(everything, d)
            else:
                if not o["month"]:
                    raise CommandError(_("请用 --month 指定月份，如 2026-11"))
                if kind == "monthly":
                    report = reports.monthly(everything, o["month"])
                else:
                    report = reports.health(everything, o["month"], **self._subject(o))
        except ParameterError as exc:
            raise CommandError(f"{exc.name} {exc.reason}")
        except services.AssessError as exc:
            raise CommandError(str(exc))
        data = documents.render(report, o["format"])
        if o["out"] == "-":
            sys.stdout.buffer.write(data)
            return
        Path(o["out"]).write_bytes(data)
        self.stdout.write(_("已生成 %(file)s（%(n)d 字节）") % {"file": o["out"], "n": len(data)})

    def _topic(self, o):
        from jishiban.analytics.selectors import Filter
        from jishiban.channels.models import Channel
        from jishiban.taxonomy.models import Category

        if o["heating_season"] is not None:
            if not 2000 <= o["heating_season"] <= 2100:
                raise CommandError(_("--heating-season 须为年份，如 2021"))
            start, end = reports.heating_season(o["heating_season"])
        else:
            start, end = day(o["start"], "--from"), day(o["end"], "--to")
            if start is None or end is None:
                raise CommandError(_("专题报告须指定 --from 与 --to，或 --heating-season"))
            if end < start:
                raise CommandError(_("--to 不能早于 --from"))
        ids = {}
        for name, model, code in (("category", Category, o["category"]), ("channel", Channel, o["channel"]),
                                  ("county", Region, o["county"]), ("unit", Organisation, o["unit"])):
            if code:
                ids[name] = model.objects.filter(code=code).values_list("pk", flat=True).first()
                if ids[name] is None:
                    raise CommandError(_("没有代码为 %(c)s 的%(what)s") % {"c": code, "what": name})
        preset = reports.TOPIC_PRESETS.get(o["preset"] or "", {})
        words = tuple(w.strip() for w in (o["keywords"] or "").replace("，", ",").split(",") if w.strip())
        words = words or preset.get("keywords", ())
        default = preset.get("title") or (_("采暖季专题") if o["heating_season"] is not None else _("专题报告"))
        return reports.topic(FigureScope("everything"), start, end, Filter(**ids, keywords=words),
                             title=o["title"] or default)

    def _subject(self, o) -> dict:
        if bool(o["county"]) == bool(o["unit"]):
            raise CommandError(_("体检报告须且只须指定 --county 或 --unit 之一"))
        if o["county"]:
            region = Region.objects.counties().filter(code=o["county"]).first()
            if region is None:
                raise CommandError(_("没有代码为 %(c)s 的县市区") % {"c": o["county"]})
            return {"county": region.pk}
        unit = Organisation.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(_("没有代码为 %(c)s 的单位") % {"c": o["unit"]})
        return {"unit": unit.pk}
