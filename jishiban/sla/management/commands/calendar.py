"""``calendar due|import|check``: deadlines and holiday data from the command line.

jishiban calendar due 2026-09-30T10:00 2d      → 2026-10-09T17:30:00+08:00
jishiban calendar import data/holiday-cn/2027.json
jishiban calendar check 2027                    → exits 1 while 2027 has no holiday data
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.sla.clock import parse_duration
from jishiban.sla.models import CalendarYear, Holiday
from jishiban.sla.services import HolidayImportError, get_calendar, import_holiday_cn


class Command(BaseCommand):
    help = gettext_lazy("工作日历：计算办理时限、导入 holiday-cn 节假日数据、检查某年是否已有数据。")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{due,import,check}")

        due_parser = actions.add_parser("due", help=_("打印从 START 起算 DURATION 的截止时间（ISO 8601）"))
        due_parser.add_argument("start", help=_("起算时间，如 2026-09-30T10:00（无时区时按 TIME_ZONE）"))
        due_parser.add_argument("duration", help=_("时限，如 2d（工作日）、4h（工作小时）、30m（工作分钟）"))

        import_parser = actions.add_parser("import", help=_("导入 holiday-cn 格式的 JSON 文件"))
        import_parser.add_argument("files", nargs="+", metavar="FILE")

        check_parser = actions.add_parser(
            "check", help=_("检查某年是否已有法定节假日数据，没有则以非零状态退出")
        )
        check_parser.add_argument("year", help=_("四位年份，如 2027"))

    def handle(self, *args, action: str, **options) -> None:
        if action == "due":
            self._due(options["start"], options["duration"])
        elif action == "import":
            self._import(options["files"])
        else:
            self._check(options["year"])

    def _due(self, start_text: str, duration_text: str) -> None:
        start = _parse_start(start_text)
        try:
            duration = parse_duration(duration_text)
        except ValueError as exc:
            raise CommandError(
                _(
                    "时限 %(value)r 无法识别：应为非负整数加单位 d（工作日）、h（工作小时）或 m（工作分钟），"
                    "如 2d、4h、30m。（%(error)s）"
                )
                % {"value": duration_text, "error": exc}
            )
        calendar = get_calendar()
        deadline = calendar.add(start, duration)
        self.stdout.write(deadline.isoformat())
        local_start = start.astimezone(calendar.tz)
        uncovered = [y for y in range(local_start.year, deadline.year + 1) if y not in calendar.covered_years]
        if uncovered:
            self.stderr.write(
                _("注意：%(years)s 年没有法定节假日数据，这段时间只按周末计算。")
                % {"years": "、".join(str(y) for y in uncovered)}
            )

    def _import(self, files: list[str]) -> None:
        try:
            summary = import_holiday_cn(*files)
        except HolidayImportError as exc:
            raise CommandError(_("导入失败，未写入任何数据：%(error)s") % {"error": exc})
        self.stdout.write(str(summary))

    def _check(self, year_text: str) -> None:
        if not year_text.isdigit() or len(year_text) != 4:
            raise CommandError(_("年份 %(value)r 不是四位数字，如 2027。") % {"value": year_text})
        year = int(year_text)
        row = CalendarYear.objects.filter(year=year).first()
        if row is None:
            raise CommandError(
                _(
                    "%(year)d 年没有法定节假日数据，该年的时限只按周末计算。请导入国务院放假通知（calendar import）。"
                )
                % {"year": year}
            )
        days = Holiday.objects.filter(date__year=year)
        self.stdout.write(
            _("%(year)d 年已有法定节假日数据（来源：%(source)s）：放假 %(off)d 天，调休上班 %(work)d 天。")
            % {
                "year": year,
                "source": row.source or _("未注明"),
                "off": days.filter(is_off_day=True).count(),
                "work": days.filter(is_off_day=False).count(),
            }
        )


def _parse_start(text: str) -> datetime:
    """ISO 8601 date-time; without an offset it is read in settings.TIME_ZONE."""
    try:
        start = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            _("起算时间 %(value)r 不是 ISO 8601 格式，应形如 2026-09-30T10:00 或 2026-09-30T10:00+08:00。")
            % {"value": text}
        )
    if timezone.is_naive(start):
        start = timezone.make_aware(start, timezone.get_default_timezone())
    return start
