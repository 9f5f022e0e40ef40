"""``jishiban stats …``: the daily count tables.

    jishiban stats fill [--batch N]              take in new events (resumable; safe to kill)
    jishiban stats rebuild --from D --to D       recompute those days from raw rows
    jishiban stats check --month YYYY-MM         recompute from raw rows; exit 1 on any difference
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.analytics import rollup, services
from jishiban.core.params import ParameterError, day


class Command(BaseCommand):
    help = _("统计日表：增量填充、重算、核对")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        f = sub.add_parser("fill", help=_("把新事件计入日表（可中断，重跑从断点继续）"))
        f.add_argument("--batch", type=int, default=20000)
        r = sub.add_parser("rebuild", help=_("按原始记录重算若干天"))
        r.add_argument("--from", dest="start", required=True)
        r.add_argument("--to", dest="end", required=True)
        c = sub.add_parser("check", help=_("按原始记录核对一个月，有差异时以非零状态退出"))
        c.add_argument("--month", required=True)

    def handle(self, *args, **o):
        action = o["action"]
        if action == "fill":
            if o["batch"] < 1:
                raise CommandError(_("--batch 须为正整数"))
            started = time.monotonic()
            try:
                r = rollup.fill(batch=o["batch"], after_batch=lambda r: self.stdout.write(
                    _("已计入 %(e)d 条事件、%(a)d 件诉求") % {"e": r.events, "a": r.appeals}))
            except rollup.FillBusy:
                raise CommandError(_("另一个统计填充正在运行，请稍后再试"))
            self.stdout.write(_("完成：%(e)d 条事件，%(o)d 张督办单，%(a)d 件诉求，%(rows)d 行日表变化，用时 %(s).1f 秒")
                              % {"e": r.events, "o": r.orders, "a": r.appeals, "rows": r.rows_changed,
                                 "s": time.monotonic() - started})
            return
        if action == "rebuild":
            try:
                start, end = day(o["start"], "--from"), day(o["end"], "--to")
            except ParameterError as exc:
                raise CommandError(f"{exc.name} {exc.reason}")
            if start is None or end is None:
                raise CommandError(_("请填写 --from 与 --to 日期"))
            if end < start:
                raise CommandError(_("--to 不能早于 --from"))
            n = rollup.rebuild(start, end)
            self.stdout.write(_("已重算 %(a)s 至 %(b)s：%(n)d 行") % {"a": start, "b": end, "n": n})
            return
        try:
            start, end = services.month_bounds(o["month"])
        except services.AssessError as exc:
            raise CommandError(f"--month {exc}")
        pending = rollup.pending_events()
        if pending:
            self.stderr.write(_("尚有 %(n)d 条事件未计入日表，请先运行 jishiban stats fill") % {"n": pending})
            sys.exit(2)
        diffs = rollup.check(start, end)
        for key, table, raw in diffs[:50]:
            self.stdout.write(f"{' '.join(map(str, key))}: {_('日表')} {table} ≠ {_('原始记录')} {raw}")
        if diffs:
            self.stderr.write(_("%(m)s 有 %(n)d 处差异") % {"m": o["month"], "n": len(diffs)})
            sys.exit(1)
        self.stdout.write(_("%(m)s 日表与原始记录一致") % {"m": o["month"]})
