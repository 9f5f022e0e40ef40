"""CSV and XLSX export of an appeal list, masked as the user sees it, and logged."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.privacy import citizen_display
from jishiban.core.spreadsheets import local_minute, safe_cell, write_xlsx

DEFAULT_LIMIT = 50000


# Who may export is the role policy's (``JISHIBAN_EXPORT_ROLES``).
may_export = policy.may_export


def export_limit() -> int:
    return int(getattr(settings, "JISHIBAN_WEB_EXPORT_LIMIT", DEFAULT_LIMIT))


def headers() -> list[str]:
    return [_("编号"), _("受理时间"), _("渠道"), _("诉求类型"), _("标题"), _("诉求人"), _("联系电话"), _("县市区"),
            _("乡镇街道"), _("分类"), _("状态"), _("主办单位"), _("答复时限"), _("答复时间"), _("满意度")]


def row_values(user, appeal) -> list[str]:
    shown = citizen_display(user, appeal)
    return [
        appeal.number, local_minute(appeal.received_at), appeal.channel.name, str(appeal.get_appeal_type_display()),
        appeal.title, str(shown["name"] or ""), shown["phone"] or "",
        appeal.county.name if appeal.county_id else "", appeal.town.name if appeal.town_id else "",
        " / ".join(appeal.category.path_names) if appeal.category_id else "", str(appeal.get_status_display()),
        appeal.lead_unit.name if appeal.lead_unit_id else "", local_minute(appeal.reply_deadline), local_minute(appeal.replied_at),
        str(appeal.get_satisfaction_display()) if appeal.satisfaction else "",
    ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(user, rows):
    """Lines of a UTF-8 CSV (with BOM so spreadsheet programs read Chinese correctly)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers())
    for appeal in rows:
        yield writer.writerow([safe_cell(v) for v in row_values(user, appeal)])


def xlsx_bytes(user, rows) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, _("诉求件"), headers(), (row_values(user, appeal) for appeal in rows))
    return out.getvalue()


def log_export(user, *, filters: dict, fmt: str, row_count: int) -> None:
    from jishiban.intake.models import ExportLog, ExportVia

    ExportLog.objects.create(user=user, via=ExportVia.WEB, filters=filters, format=fmt, row_count=row_count,
                             personal_data=False)
