"""``demo load [--appeals N] [--seed S] [--if-empty]``: the 济宁市 demo data (demo mode only).

JISHIBAN_DEMO=1 jishiban demo load --if-empty     → what ``make run`` does on an empty database
JISHIBAN_DEMO=1 jishiban demo ranking             → publish last month's county and unit rankings
                                                    (after ``stats fill``; kept when already published)
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.appeals.models import Appeal
from jishiban.demo.loader import DemoDisabled, Summary, load_demo


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


class Command(BaseCommand):
    help = gettext_lazy("演示数据：加载济宁市的区划、单位、演示账号和一年的诉求件（仅演示模式 JISHIBAN_DEMO=1）。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,ranking}")
        actions.add_parser("ranking", help=_("发布上月的县市区和部门单位考核排名（已发布则保留）"))
        load = actions.add_parser("load", help=_("加载演示数据"))
        load.add_argument("--appeals", type=int, default=20000, help=_("诉求件数量（默认 20000）"))
        load.add_argument("--seed", type=int, default=12345, help=_("随机种子，相同种子得到相同数据"))
        load.add_argument("--if-empty", action="store_true", help=_("已有诉求件时不加载（make run 用）"))

    def handle(self, *args, action: str, **options) -> None:
        if not settings.DEMO:
            raise CommandError(_("演示数据只能在演示模式下加载（设置环境变量 JISHIBAN_DEMO=1）：演示账号使用公开的默认密码。"))
        if action == "ranking":
            return self._ranking()
        if options["appeals"] < 0:
            raise CommandError(_("--appeals 不能为负数"))
        existing = Appeal.objects.count()
        if options["if_empty"] and existing:
            self.stdout.write(_("数据库中已有 %(n)d 件诉求，跳过演示数据加载（--if-empty）。") % {"n": existing})
            return
        self.stderr.write(_("准备演示数据：区划、分类、单位、网格和演示账号，生成 %(n)d 件诉求的办理过程……")
                          % {"n": options["appeals"]})
        try:
            summary = load_demo(options["appeals"], seed=options["seed"], progress=self._progress)
        except DemoDisabled:
            raise CommandError(_("演示数据只能在演示模式下加载（JISHIBAN_DEMO=1）。"))
        self._report(summary)
        self._dispatch_catalogue()

    def _ranking(self) -> None:
        """The demo's cockpit and ranking pages show a published ranking: last month's, as the
        centre publishes it after the month (``analytics.services.publish``)."""
        from django.utils import timezone

        from jishiban.analytics import services
        from jishiban.analytics.models import Ranking

        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        for level in ("county", "unit"):
            if Ranking.objects.filter(month=month, level=level).exists():
                self.stdout.write(_("%(m)s 的考核排名已发布（%(l)s），保留。") % {"m": month, "l": level})
                continue
            try:
                ranking = services.publish(month, level)
            except services.AssessError as exc:
                raise CommandError(str(exc))
            self.stdout.write(_("已发布 %(m)s 的考核排名（%(l)s，%(n)d 个单位）。") % {
                "m": month, "l": level, "n": len(ranking.rows)})

    def _dispatch_catalogue(self) -> None:
        """Seed the dispatch catalogue and learn from the demo's dispatch history."""
        from jishiban.routing.services.learning import learn
        from jishiban.routing.services.seeding import seed_catalogue

        seeded, learned = seed_catalogue(), learn()
        self.stdout.write(_("派单目录：%(seeded)s；历史派单学习：%(learned)s") % {"seeded": seeded, "learned": learned})
        self._classifier()

    def _classifier(self) -> None:
        """Train the first category model from the demo history, so new appeals get suggestions."""
        from jishiban.smart.training import TrainingError, history_dataset, train_version

        self.stderr.write(_("训练诉求分类模型……"))
        try:
            outcome = train_version(history_dataset(), trigger="demo", progress=self.stderr.write)
        except TrainingError as exc:
            self.stdout.write(_("未训练分类模型：%(why)s") % {"why": exc})
            return
        self.stdout.write(_("分类模型第 %(n)d 版（留出集 macro-F1 %(f1)s）：%(reason)s") % {
            "n": outcome.version.number, "f1": outcome.evaluation.get("macro_f1"), "reason": outcome.reason})

    def _progress(self, done: int, total: int, elapsed: float) -> None:
        eta = elapsed / done * (total - done) if done else 0
        line = _("写入诉求件 %(done)d/%(total)d（%(pct)d%%），已用 %(elapsed)s，预计剩余 %(eta)s") % {
            "done": done, "total": total, "pct": 100 * done // max(total, 1),
            "elapsed": _clock(elapsed), "eta": _clock(eta)}
        if self.stderr.isatty():
            self.stderr.write("\r" + line, ending="\n" if done >= total else "")
        else:
            self.stderr.write(line)
        self.stderr.flush()

    def _report(self, summary: Summary) -> None:
        self.stdout.write(_("已加载 %(a)d 件诉求、%(e)d 条办理记录，用时 %(s).1f 秒。") % {
            "a": summary.appeals, "e": summary.events, "s": summary.seconds})
        states = "、".join(f"{Appeal(status=s).get_status_display()} {n}" for s, n in summary.statuses.most_common())
        self.stdout.write(_("状态分布：%(states)s") % {"states": states})
        self.stdout.write(_("红牌 %(red)d 件，黄牌 %(yellow)d 件。") % {
            "red": summary.cards.get("red", 0), "yellow": summary.cards.get("yellow", 0)})
        rows = [(_("用户名"), _("角色"), _("单位/区域"), _("姓名")), *summary.accounts]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write(_("演示账号（密码均为 %(pw)s）：") % {"pw": settings.DEMO_PASSWORD})
        for row in rows:
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
        self.stdout.write(_("另有 %(units)d 个承办单位账号（unit-<单位代码>，如 unit-370812-water）和 %(grids)d 个网格员账号"
                            "（grid-<网格代码>），密码相同。") % {"units": summary.unit_accounts,
                                                              "grids": max(summary.grid_workers - 1, 0)})


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
