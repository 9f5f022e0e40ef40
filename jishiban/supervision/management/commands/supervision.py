"""``jishiban supervision …``: reminder letters and the periodic jobs by hand.

    jishiban supervision letters --period 2026-11 [--unit city-water]
    jishiban supervision run cards|sweep|deliver
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.core.params import ParameterError
from jishiban.organisations.models import Organisation
from jishiban.supervision import jobs, letters
from jishiban.supervision.forms import read_period

JOBS = {"cards": jobs.cards, "sweep": jobs.sweep, "deliver": jobs.deliver}


class Command(BaseCommand):
    help = _("督查督办：生成提醒函，或手动运行定时任务")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        letter = sub.add_parser("letters", help=_("生成提醒函（.docx）"))
        letter.add_argument("--period", required=True, help=_("期间，如 2026-11、2026-Q4、2026 或 2026-08-01..2026-11-30"))
        letter.add_argument("--unit", default="", help=_("单位代码；不填则为期间内有超期、退单或不满意件的所有单位"))
        run = sub.add_parser("run", help=_("立即运行一次定时任务"))
        run.add_argument("job", choices=sorted(JOBS))

    def handle(self, *args, **options):
        if options["action"] == "run":
            result = JOBS[options["job"]]()
            self.stdout.write(" ".join(f"{k}={v}" for k, v in result.items()) or "ok")
            return
        try:
            period = read_period(options["period"])
        except ParameterError as exc:
            raise CommandError("--period: " + exc.reason)
        try:
            made = letters.generate_for_period(period, unit_code=options["unit"] or None)
        except Organisation.DoesNotExist:
            raise CommandError(_("--unit：没有代码为 %(code)s 的单位") % {"code": options["unit"]})
        for letter in made:
            self.stdout.write(_("%(unit)s %(period)s 第%(rev)d版：%(file)s（超期 %(overdue)s，退单 %(returned)s，不满意 %(unhappy)s）")
                              % {"unit": letter.unit.code, "period": letter.period, "rev": letter.revision,
                                 "file": letter.file.name, "overdue": letter.figures["overdue"],
                                 "returned": letter.figures["returned"], "unhappy": letter.figures["dissatisfied"]})
        self.stdout.write(_("共生成 %(n)d 份提醒函") % {"n": len(made)})
