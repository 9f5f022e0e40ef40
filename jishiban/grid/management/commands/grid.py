"""``jishiban grid …``: grid boundaries and workers.

    jishiban grid import FILE.geojson     check every grid, then write all of them (or nothing)
    jishiban grid assign GRID USERNAME [--substitute] [--part-time]
    jishiban grid rescan                  look again for 未诉先办 patterns (also the grid-visit-rescan schedule)
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.grid import services
from jishiban.grid.models import Duty, Employment, Grid


class Command(BaseCommand):
    help = _("网格：导入边界、分配网格员")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        i = sub.add_parser("import", help=_("导入网格边界（GeoJSON），校验不通过则不写入"))
        i.add_argument("file")
        a = sub.add_parser("assign", help=_("分配网格员"))
        a.add_argument("grid")
        a.add_argument("username")
        a.add_argument("--substitute", action="store_true")
        a.add_argument("--part-time", action="store_true")
        sub.add_parser("rescan", help=_("重新扫描近期诉求，生成未诉先办走访建议（不重复）"))

    def handle(self, *args, **o):
        if o["action"] == "rescan":
            from jishiban.grid.patterns import rescan

            counts = rescan()
            self.stdout.write(_("查看诉求 %(appeals)d 件，新增走访建议 %(visits)d 个") % counts)
            return
        if o["action"] == "import":
            path = Path(o["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(_("无法读取文件 %(f)s：%(e)s") % {"f": path, "e": exc.strerror}) from None
            try:
                counts = services.import_geojson(data, source=path.name)
            except services.GridError as exc:
                problems = [m for ms in exc.errors.values() for m in ms]
                for problem in problems:
                    self.stderr.write(problem)
                raise CommandError(_("%(f)s 有 %(n)d 个问题，未写入任何数据") % {"f": path.name, "n": len(problems)}) from None
            self.stdout.write(_("新增网格 %(created)d 个，更新 %(updated)d 个，新边界版本 %(boundaries)d 个，"
                                "新增社区/村 %(communities)d 个") % counts)
            return
        grid = Grid.objects.filter(region__code=o["grid"]).first()
        user = get_user_model().objects.filter(username=o["username"]).first()
        if grid is None or user is None:
            raise CommandError(_("未知网格或用户"))
        try:
            services.assign_worker(grid, user, duty=Duty.SUBSTITUTE if o["substitute"] else Duty.RESPONSIBLE,
                                   employment=Employment.PART if o["part_time"] else Employment.FULL)
        except services.GridError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(_("已分配"))
