"""``jishiban warnings …``: the early-warning scan.

    jishiban warnings scan                          one live scan (also scheduled every few minutes)
    jishiban warnings replay --from D --to D --json replay the stored appeals hour by hour; one
                                                    JSON line per warning it would have raised
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.core.params import ParameterError, day


class Command(BaseCommand):
    help = _("预警：实时扫描与历史回放")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("scan", help=_("扫描一次：异常激增、热点事件、风险与重复诉求"))
        r = sub.add_parser("replay", help=_("按小时回放存量诉求，列出当时会发出的预警"))
        r.add_argument("--from", dest="start", required=True)
        r.add_argument("--to", dest="end", required=True)
        r.add_argument("--json", action="store_true", help=_("每条预警输出一行 JSON"))

    def handle(self, *args, **o):
        if o["action"] == "scan":
            from jishiban.warnings.scan import run

            started = time.monotonic()
            r = run()
            self.stdout.write(_("扫描完成：新预警 %(r)d 条，更新 %(u)d 条，结束 %(e)d 条，用时 %(s).1f 秒") % {
                "r": r.raised, "u": r.updated, "e": r.ended, "s": time.monotonic() - started})
            return
        try:
            start, end = day(o["start"], "--from"), day(o["end"], "--to")
        except ParameterError as exc:
            raise CommandError(f"{exc.name} {exc.reason}")
        if start is None or end is None:
            raise CommandError(_("请填写 --from 与 --to 日期"))
        if end < start:
            raise CommandError(_("--to 不能早于 --from"))
        from jishiban.warnings.replay import replay

        started = time.monotonic()

        def progress(step, steps, moment):
            if step % 24 == 0 or step == steps:
                spent = time.monotonic() - started
                eta = spent / step * (steps - step)
                sys.stderr.write(_("回放 %(d)s：%(i)d/%(n)d 小时，预计还需 %(eta).0f 秒") % {
                    "d": moment.strftime("%Y-%m-%d %H:%M"), "i": step, "n": steps, "eta": eta} + "\n")

        n = 0
        for line in replay(start, end, progress=progress):
            n += 1
            if o["json"]:
                self.stdout.write(json.dumps({k: v for k, v in line.items() if k != "why"}, ensure_ascii=False))
            else:
                self.stdout.write(f"{line['raised_at']} {line['kind']} {line['category'] or '-'} "
                                  f"{line['county'] or '-'} {line['observed']:g}/{line['expected']:g} {line.get('why', '')}")
        sys.stderr.write(_("回放结束：%(n)d 条预警") % {"n": n} + "\n")
