"""``jishiban cockpit refresh [--from D --to D]``: recompute the cockpit's day summary (by default
the window it shows) from the daily tables; run after ``jishiban stats fill``."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jishiban.core.params import ParameterError, day

from ... import services


class Command(BaseCommand):
    help = "重新计算驾驶舱日汇总（默认：上月初至今日）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")

    def handle(self, *args, **opts):
        start, end = services.window(timezone.localdate())
        try:
            start = day(opts["start"], "from") or start
            end = day(opts["end"], "to") or end
        except ParameterError as exc:
            raise CommandError(exc.reason)
        if end < start:
            raise CommandError("--to 不能早于 --from")
        n = services.refresh(start, end)
        self.stdout.write(f"{start} — {end}: {n} 行")
