"""``manage.py address resolve "text"`` / ``address resolve --csv FILE --text-column C --json``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.smart.geocode.resolver import AddressResolver
from jishiban.smart.tabular import read_rows

FIELDS = ("county_code", "county_name", "town_code", "town_name", "community_name", "confidence", "evidence")


class Command(BaseCommand):
    help = _("把地址文字解析到区县、乡镇街道（济宁）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("resolve", help=_("解析一段文字或 CSV 文件的一列"))
        p.add_argument("text", nargs="?", help=_("要解析的文字"))
        p.add_argument("--csv", dest="csv_path", help=_("CSV 文件（UTF-8 或 GB18030）"))
        p.add_argument("--text-column", help=_("CSV 中的地址/文字列"))
        p.add_argument("--json", action="store_true", help=_("每行输出一个 JSON 对象（默认也是 JSON）"))

    def handle(self, *args, **opts):
        resolver = AddressResolver()
        if opts.get("csv_path"):
            column = opts.get("text_column")
            if not column:
                raise CommandError(_("使用 --csv 时必须给出 --text-column"))
            try:
                header, rows = read_rows(opts["csv_path"])
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc))
            if column not in header:
                raise CommandError(_("CSV 中没有列 %(c)s（已有：%(h)s）") % {"c": column, "h": "、".join(header)})
            for index, row in enumerate(rows):
                out = {"index": index, **self._fields(resolver, row.get(column, ""))}
                self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if not opts.get("text"):
            raise CommandError(_("请给出要解析的文字，或使用 --csv"))
        self.stdout.write(json.dumps(self._fields(resolver, opts["text"]), ensure_ascii=False))

    @staticmethod
    def _fields(resolver: AddressResolver, text: str) -> dict:
        d = resolver.resolve(text).to_dict()
        return {k: d[k] for k in FIELDS}
