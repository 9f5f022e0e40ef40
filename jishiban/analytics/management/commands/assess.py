"""``jishiban assess --month YYYY-MM --level county|unit [--json] [--publish] [--letters]
[--scheme-version N]``: the monthly ranking. ``--json`` prints one JSON object per unit, in rank
order, with unit, code, rank, score, grade and every metric's numerator, denominator and value."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.analytics import services
from jishiban.analytics.models import Scheme


class Command(BaseCommand):
    help = _("月度考核排名（县市区或部门单位）")

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True)
        parser.add_argument("--level", required=True)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--publish", action="store_true", help=_("发布排名（记下所用方案版本）"))
        parser.add_argument("--letters", action="store_true", help=_("为排名末位单位生成提醒函草稿（须同时 --publish）"))
        parser.add_argument("--scheme-version", type=int, default=None)

    def handle(self, *args, **o):
        scheme = None
        if o["scheme_version"] is not None:
            scheme = Scheme.objects.filter(name=services.DEFAULT_NAME, version=o["scheme_version"]).first()
            if scheme is None:
                raise CommandError(_("没有第 %(v)d 版考核方案") % {"v": o["scheme_version"]})
        if o["letters"] and not o["publish"]:
            raise CommandError(_("--letters 须与 --publish 一起使用"))
        try:
            if o["publish"]:
                ranking = services.publish(o["month"], o["level"], scheme=scheme)
                rows = ranking.rows
            else:
                rows = services.assess(o["month"], o["level"], scheme=scheme)
        except services.AssessError as exc:
            raise CommandError(str(exc))
        if o["json"]:
            for row in rows:
                self.stdout.write(json.dumps({k: row[k] for k in ("unit", "code", "rank", "score", "grade", "metrics",
                                                                 "parts", "deductions", "previous_rank")},
                                             ensure_ascii=False))
        else:
            for row in rows:
                self.stdout.write(f"{row['rank']:>3} {row['score']:>7.2f} {row['grade'] or '—':<3} {row['unit']}")
        if o["letters"]:
            made = services.draft_letters(ranking)
            self.stdout.write(_("已生成 %(n)d 份提醒函草稿") % {"n": len(made)})
