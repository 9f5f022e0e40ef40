"""``jishiban routing …``: the dispatch catalogue from the command line.

    jishiban routing suggest JN2026112700001 [--limit 3]   → suggestions with their explanations
    jishiban routing seed [--data jining]                  → the first catalogue (idempotent)
    jishiban routing learn                                 → rebuild the learned statistics
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.appeals.models import Appeal
from jishiban.routing.services import learn, seed_catalogue, suggest_units


class Command(BaseCommand):
    help = gettext_lazy("派单目录：为诉求件给出承办单位建议、初始化目录、从历史派单学习")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{suggest,seed,learn}")
        suggest = sub.add_parser("suggest", help=_("显示诉求件的派单建议及理由"))
        suggest.add_argument("number", help=_("诉求件编号"))
        suggest.add_argument("--limit", type=int, default=3, help=_("最多几条建议（默认 3）"))
        seed = sub.add_parser("seed", help=_("按职能领域与初始规则生成派单目录（可重复运行）"))
        seed.add_argument("--data", default="jining", help=_("routing/data 下的初始规则文件名（默认 jining）"))
        sub.add_parser("learn", help=_("重新统计历史派单的签收情况"))

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action}")(**options)

    def _suggest(self, number: str, limit: int, **_options):
        if limit < 1:
            raise CommandError(_("--limit 须为正整数"))
        appeal = (Appeal.objects.select_related("category__parent__parent", "county", "town", "channel")
                  .filter(number=number.strip()).first())
        if appeal is None:
            raise CommandError(_("没有编号为 %(n)s 的诉求件") % {"n": number})
        where = " ".join(str(r) for r in (appeal.county, appeal.town) if r is not None) or _("未定区域")
        category = " / ".join(appeal.category.path_names) if appeal.category_id else _("未分类")
        self.stdout.write(f"{appeal.number} {appeal.title}\n  {category} · {where}")
        suggestions = suggest_units(appeal, limit=limit)
        if not suggestions:
            self.stdout.write(_("暂无派单建议：目录、会商决定、历史派单和职能领域都没有适用的单位，请人工选择。"))
            return
        for i, s in enumerate(suggestions, 1):
            co = "、".join(u.name for u in s.co_units)
            line = _("%(i)d. 主办 %(lead)s（%(code)s）") % {"i": i, "lead": s.lead_unit.name, "code": s.lead_unit.code}
            if co:
                line += _("，协办 %(co)s") % {"co": co}
            line += f"  [{s.source_label} {s.score:.2f}]"
            self.stdout.write(line)
            self.stdout.write(f"   {s.explanation}")

    def _seed(self, data: str, **_options):
        result = seed_catalogue(data)
        self.stdout.write(_("派单目录：新建 %(created)d 条规则，已有 %(existing)d 条保持不变，会商决定补建 %(decisions)d 条")
                          % result)

    def _learn(self, **_options):
        result = learn()
        self.stdout.write(_("历史派单：统计 %(dispatches)d 次派单，写入 %(rows)d 行，用时 %(seconds)s 秒") % result)
