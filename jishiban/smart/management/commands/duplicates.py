"""``manage.py duplicates scan FILE --id-column C --text-columns A,B [--time-column T] [--user-column U] --json``."""

from __future__ import annotations

import json
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.smart.dedupe.index import DuplicateIndex
from jishiban.smart.dedupe.scan import Record, scan_pairs
from jishiban.smart.tabular import parse_time, read_rows, split_columns


class Command(BaseCommand):
    help = _("在一批诉求中查找重复件（与受理时的查重逻辑相同）")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("scan", help=_("扫描 CSV，输出疑似重复的诉求对"))
        p.add_argument("file", help=_("CSV 文件"))
        p.add_argument("--id-column", required=True)
        p.add_argument("--text-columns", required=True, help=_("文字列，逗号分隔"))
        p.add_argument("--time-column", help=_("时间列（有则按时间窗口比对）"))
        p.add_argument("--user-column", help=_("来电人/用户列"))
        p.add_argument("--address-column", help=_("地址列"))
        p.add_argument("--window-days", type=float, default=None,
                       help=_("重复件时间窗口（天），默认同线上设置 DUPLICATE_WINDOW_DAYS"))
        p.add_argument("--repeat-window-days", type=float, default=None,
                       help=_("重复诉求时间窗口（天）：更早的同一事项标为 repeat，默认同重复诉求规则 JISHIBAN_REPEAT_WINDOW_DAYS"))
        p.add_argument("--no-semantic", action="store_true", help=_("不用语义相似度（线上默认使用）"))
        p.add_argument("--semantic", action="store_true", help=_("使用语义相似度（默认已使用，保留以兼容）"))
        p.add_argument("--related", action="store_true", help=_("也输出“相关但不同事项”"))
        p.add_argument("--json", action="store_true", help=_("每行一个 JSON 对象（默认也是）"))

    def handle(self, *args, **opts):
        try:
            header, rows = read_rows(opts["file"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc))
        text_cols = split_columns(opts["text_columns"])
        wanted = [opts["id_column"], *text_cols] + [opts[k] for k in ("time_column", "user_column", "address_column") if opts.get(k)]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise CommandError(_("CSV 中没有列：%s") % "、".join(missing))
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        records = []
        for n, row in enumerate(rows):
            try:
                at = parse_time(row.get(opts["time_column"], ""), tz) if opts.get("time_column") else None
            except ValueError as exc:
                raise CommandError(_("第 %(n)d 行时间无法识别：%(v)s") % {"n": n + 2, "v": exc})
            records.append(Record(
                id=row[opts["id_column"]],
                text="。".join(row.get(c, "") for c in text_cols if row.get(c, "")),
                at=at,
                caller=row.get(opts["user_column"]) if opts.get("user_column") else None,
                address=row.get(opts["address_column"]) if opts.get("address_column") else None,
            ))
        from jishiban.smart import conf

        window = opts["window_days"] if opts["window_days"] is not None else float(conf.get("DUPLICATE_WINDOW_DAYS"))
        repeat_window = (opts["repeat_window_days"] if opts["repeat_window_days"] is not None
                         else conf.repeat_window_days())
        if window <= 0 or repeat_window <= 0:
            raise CommandError(_("时间窗口必须大于 0 天"))
        encoder = None
        if not opts["no_semantic"]:
            from jishiban.smart.dedupe.semantic import E5Encoder

            encoder = E5Encoder()
            self.stderr.write(_("计算语义向量（约每条 40–150 毫秒）…"))
        timed = bool(opts.get("time_column"))
        index = DuplicateIndex(window_days=window if timed else None, repeat_window_days=repeat_window if timed else None,
                               encoder=encoder, semantic_window=max(len(records), 1))
        n_pairs = 0
        for pair in scan_pairs(records, index, include_related=opts["related"],
                               encode_batch=encoder.encode if encoder else None,
                               progress=lambda i, total: self.stderr.write(f"{i}/{total}")):
            n_pairs += 1
            self.stdout.write(json.dumps({"id_a": pair.id_a, "id_b": pair.id_b, "score": pair.score,
                                          "reason": pair.reason, "relation": pair.relation}, ensure_ascii=False))
        self.stderr.write(_("共 %(n)d 条记录，%(p)d 对疑似重复") % {"n": len(records), "p": n_pairs})
