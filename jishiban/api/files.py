"""Downloads: attachments of visible appeals, and appeal exports for authorised users."""

from __future__ import annotations

import tempfile
from typing import Literal

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from jishiban.appeals.models import Appeal
from jishiban.intake.exports import ExportRequest, export_appeals
from jishiban.intake.models import Attachment, ExportVia

from .auth import API_AUTH
from .errors import READ_ERRORS, WRITE_ERRORS
from .params import Day, Id
from .selectors import listable_files

router = Router(auth=API_AUTH, tags=["files"])


@router.get("/attachments/{attachment_id}", response={200: None, **READ_ERRORS}, url_name="attachment_download",
            summary="下载附件")
def download_attachment(request, attachment_id: Id):
    """The file, only for users who may see its appeal (404 otherwise)."""
    attachment = listable_files(request.auth, Attachment.objects.filter(pk=attachment_id)).first()
    if attachment is None or not Appeal.objects.visible_to(request.auth).filter(pk=attachment.appeal_id).exists():
        raise Http404(_("附件不存在或无权查看"))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ExportFilters(Schema):
    org: str | None = Field(None, description="单位代码（主办或协办）；服务中心为其辖区")
    date_from: Day = Field(..., alias="from", description="受理日期起")
    date_to: Day = Field(..., alias="to", description="受理日期止（含当天）")
    personal_data: bool = Field(False, description="完整电话及未脱敏的文字（仅限有权查看的件，逐件留痕）")


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/exports/appeals.{fmt}", response={200: None, **WRITE_ERRORS}, url_name="appeal_export",
            summary="导出诉求数据（CSV/XLSX）")
def export(request, fmt: Literal["csv", "xlsx"], filters: Query[ExportFilters]):
    """For roles in ``JISHIBAN_EXPORT_ROLES``; rows the caller may see; logged in ExportLog."""
    req = ExportRequest(org=filters.org, date_from=filters.date_from, date_to=filters.date_to, format=fmt,
                        personal_data=filters.personal_data)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # closed by FileResponse
    export_appeals(request.auth, req, spool, via=ExportVia.API)
    spool.seek(0)
    name = f"appeals-{req.org or 'all'}-{req.date_from:%Y%m%d}-{req.date_to:%Y%m%d}.{fmt}"
    response = FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response
