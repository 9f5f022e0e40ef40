"""The one appeal exporter: columns, masking, files and log of every export of appeals.

The data-sharing export (command line and API, ``exports.export_appeals``) and the workbench's
list export (``web/export.py``) write these columns, masked for their reader:

- the citizen as ``privacy.citizen_display`` shows them to the reader (phone and ID masked);
- free text (title, content, address, reply, promise) through ``privacy.mask_public``: phone,
  ID, bank-card and plate numbers and the citizen's name masked;
- both in full only when the reader asked for personal data (``personal``) and may see this
  appeal's citizen (``privacy.may_see_identity``; never for anonymous appeals): the full phone
  is then a logged ``privacy.reveal``.

Cells go through ``core.spreadsheets`` (formula guard, characters XML cannot carry), so any
stored text, whatever intake let through, can be written. Every export leaves an ``ExportLog``.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from jishiban.appeals.privacy import citizen_display, mask_public, masked_citizen, may_see_identity, reveal
from jishiban.core.spreadsheets import local_minute, safe_cell, write_xlsx

from .models import ExportLog

# What a row reads besides the appeal (select these with the appeals).
RELATED = ("channel", "category__parent__parent", "county", "town", "lead_unit")


def columns() -> list[str]:
    return [_("编号"), _("渠道"), _("渠道编号"), _("受理时间"), _("诉求类型"), _("标题"), _("诉求内容"), _("分类"),
            _("县市区"), _("乡镇街道"), _("地址"), _("诉求人"), _("联系电话"), _("状态"), _("主办单位"), _("派单时间"),
            _("答复时限"), _("答复时间"), _("办结时间"), _("办理结果"), _("答复内容"), _("承诺事项"), _("满意度")]


def _full(user, appeal, personal: bool) -> bool:
    return bool(personal and user is not None and not appeal.anonymous and may_see_identity(user, appeal))


def _citizen(user, appeal, full: bool) -> tuple[str, str]:
    if user is None:
        # Command line without --as: shown as to someone who may not see the citizen.
        shown = masked_citizen(appeal)
        return str(shown["name"]), shown["phone"]
    shown = citizen_display(user, appeal)
    if full and appeal.citizen_phone:
        return str(shown["name"]), reveal(user, appeal, "citizen_phone")
    return str(shown["name"]), shown["phone"]


def appeal_row(user, appeal, *, personal: bool = False) -> list:
    """One appeal as the cells of ``columns()``, masked for ``user`` (see the module docstring)."""
    full = _full(user, appeal, personal)
    text = (lambda value: value or "") if full else (lambda value: mask_public(value, appeal))
    name, phone = _citizen(user, appeal, full)
    a = appeal
    return [
        a.number, a.channel.name, a.external_id or "", local_minute(a.received_at), str(a.get_appeal_type_display()),
        text(a.title), text(a.content), " / ".join(a.category.path_names) if a.category_id else "",
        a.county.name if a.county_id else "", a.town.name if a.town_id else "", text(a.address), name, phone,
        str(a.get_status_display()), a.lead_unit.name if a.lead_unit_id else "", local_minute(a.dispatched_at),
        local_minute(a.reply_deadline), local_minute(a.replied_at), local_minute(a.closed_at),
        str(a.get_result_type_display()) if a.result_type else "", text(a.result_text), text(a.promise),
        str(a.get_satisfaction_display()) if a.satisfaction else "",
    ]


def rows(user, appeals, *, personal: bool = False):
    """Rows of ``appeals`` (a queryset with ``RELATED`` selected, or any iterable of appeals)."""
    items = appeals.iterator(chunk_size=2000) if hasattr(appeals, "iterator") else appeals
    for appeal in items:
        yield appeal_row(user, appeal, personal=personal)


class _Echo:
    def write(self, value):
        return value


def csv_lines(data):
    """Lines of a UTF-8 CSV (with BOM, so spreadsheet programs read Chinese) for streaming."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns())
    for row in data:
        yield writer.writerow([safe_cell(v) for v in row])


def write(stream, fmt: str, data) -> int:
    """Header and ``data`` rows as CSV or XLSX to the binary ``stream``; returns the row count."""
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        lines = 0
        for line in csv_lines(data):
            text.write(line)
            lines += 1
        text.flush()
        text.detach()
        return lines - 1  # the header
    return write_xlsx_rows(stream, data)


def write_xlsx_rows(stream, data) -> int:
    return write_xlsx(stream, _("诉求件"), columns(), data)


def log_export(user, *, via: str, fmt: str, row_count: int, filters: dict, personal_data: bool = False) -> ExportLog:
    """The export's record: interface, reader (``None``: the command line without ``--as``),
    filter, format, rows and whether full personal data was included."""
    return ExportLog.objects.create(user=user, via=via, filters=filters, format=fmt, row_count=row_count,
                                    personal_data=personal_data)
