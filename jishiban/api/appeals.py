"""``/appeals``: create through the intake pipeline, list, read, history."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.channels.lookup import CHANNELS
from jishiban.intake.attachments import IncomingFile, max_bytes
from jishiban.intake.pipeline import Citizen, Location, Submission, submit

from . import selectors
from .auth import API_AUTH
from .errors import READ_ERRORS, WRITE_ERRORS, IdempotencyError
from .idempotency import run_once
from .params import DayOrMoment, Limit, PageNumber
from .schemas import AppealIn, AppealOut, AppealPage, EventOut

router = Router(auth=API_AUTH, tags=["appeals"])

def decode_attachments(payload) -> list[IncomingFile]:
    """The base64 files of a body with ``attachments`` (an appeal, a reply, an extension request)."""
    files, errors = [], []
    limit = max_bytes()
    for n, item in enumerate(payload.attachments, start=1):
        if len(item.data_base64) > (limit // 3 + 1) * 4 + 4:
            errors.append(_("%(name)s：文件过大（最大 %(mb).1f MB）") % {"name": item.name, "mb": limit / 1048576})
            continue
        try:
            data = base64.b64decode(item.data_base64, validate=True)
        except (binascii.Error, ValueError):
            errors.append(_("第 %(n)d 个附件的 data_base64 不是有效的 Base64") % {"n": n})
            continue
        files.append(IncomingFile(name=item.name, content=data, content_type=item.content_type))
    if errors:
        raise AppealValidationError({"attachments": errors})
    return files


def to_submission(user, payload: AppealIn) -> Submission:
    """The submission ``user`` hands in, with what they may set checked against the role policy
    (``policy.submission_rights``: their role and the channel their token is bound to)."""
    token = getattr(user, "api_token", None)
    requested = payload.channel
    if requested:  # a channel named by code or by name counts as its code
        found = CHANNELS.get(requested)
        requested = found.code if found is not None else requested
    rights = policy.submission_rights(user, token.channel.code if token is not None and token.channel_id else None)
    refusal = rights.refusal(channel=requested, urgent=payload.urgent, tags=payload.tags)
    if refusal:
        raise ActionForbidden(refusal)
    channel = requested or rights.default_channel
    if not channel:
        raise AppealValidationError({"channel": [_("请填写渠道代码")]})
    c, loc = payload.citizen, payload.location
    return Submission(
        channel=channel, content=payload.content, title=payload.title, external_id=payload.external_id,
        received_at=payload.received_at,
        citizen=Citizen(name=c.name, phone=c.phone, id_number=c.id_number, email=c.email, anonymous=c.anonymous,
                        confidential=c.confidential, user=user if policy.is_citizen(user) else None),
        location=Location(address=loc.address, lat=loc.lat, lon=loc.lon, county=loc.county, town=loc.town,
                          grid=loc.grid),
        category=payload.category, appeal_type=payload.appeal_type, urgent=payload.urgent, tags=payload.tags,
        extras=payload.extras, attachments=decode_attachments(payload),
    )


@router.post("/appeals", response={200: AppealOut, 201: AppealOut, **WRITE_ERRORS}, url_name="appeal_create",
             summary="受理诉求（一口收集）")
def create_appeal(request, payload: AppealIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                       description="重试时带同一个键，只受理一次")):
    """Hand an appeal to the intake pipeline. 201 when it was created; 200 when it was already
    there (same ``Idempotency-Key`` and body, the same ``external_id`` of the channel, or the
    same payload without an external id within 24 hours)."""
    user = request.auth
    if not policy.may_submit_by_api(user):
        raise ActionForbidden(_("您的角色不能通过接口提交诉求"))

    def create(within=None):
        result = submit(to_submission(user, payload), by=user, within=within)
        return result.appeal, result.created

    if idempotency_key is not None:
        appeal, created = run_once(user, idempotency_key, payload.dict(), create)
    else:
        appeal, created = create()
    if not created and appeal.created_by_id != user.pk and not selectors.visible(user).filter(pk=appeal.pk).exists():
        # Someone else handed in the same channel id: do not show their appeal to this caller.
        raise IdempotencyError(409, "duplicate", _("该渠道编号（或相同内容）已被受理，不能重复提交"))
    if not created:
        appeal = Appeal.objects.select_related(*selectors.LIST_RELATED, "town", "grid", "parent").get(pk=appeal.pk)
    # A new appeal comes back from the pipeline with its channel, category and regions attached.
    return Status(201 if created else 200,
                  selectors.detail(user, appeal, new=created and not payload.attachments))


class AppealFilters(Schema):
    status: str | None = Field(None, description="状态，可逗号分隔多个，如 dispatched,accepted；open 表示全部在办状态")
    channel: str | None = Field(None, description="渠道代码")
    county: str | None = Field(None, description="区划代码（县市区、乡镇街道或网格，含下级）")
    category: str | None = Field(None, description="分类代码（含下级分类）")
    handler: str | None = Field(None, description="主办单位代码")
    overdue: bool | None = Field(None, description="true：办理中且已超答复时限")
    received_from: DayOrMoment | None = Field(None, description="受理时间起（含）")
    received_to: DayOrMoment | None = Field(None, description="受理时间止（日期则含当天）")
    text: str | None = Field(None, description="编号（前缀）、来电号码（仅限可查看诉求人身份的角色，不含其无权查看的保密件）或标题、内容、地址包含的文字")
    page: PageNumber = 1
    page_size: Limit(100) = 20


@router.get("/appeals", response={200: AppealPage, **READ_ERRORS}, url_name="appeal_list", summary="诉求件列表")
def list_appeals(request, filters: Query[AppealFilters]):
    """Appeals the caller may see, newest first. ``total`` counts at most
    ``JISHIBAN_API_COUNT_CAP`` (10,000) rows so the count stays cheap."""
    user, now = request.auth, timezone.now()
    data = filters.dict()
    page, size = data.pop("page"), data.pop("page_size")
    qs = selectors.filter_appeals(selectors.visible(user), user=user, now=now, **data)
    cap = int(getattr(settings, "JISHIBAN_API_COUNT_CAP", 10_000))
    total, exact = selectors.capped_count(qs, cap)
    start = (page - 1) * size
    rows = qs.select_related(*selectors.LIST_RELATED).order_by("-received_at", "-id")[start:start + size]
    return {"items": [selectors.summary(user, a, now) for a in rows], "page": page, "page_size": size,
            "total": total, "total_exact": exact}


@router.get("/appeals/{number}", response={200: AppealOut, **READ_ERRORS}, url_name="appeal_detail",
            summary="诉求件详情")
def get_appeal(request, number: str):
    """Citizen data masked (``privacy.citizen_display``); ``version`` and ``available_actions``
    tell a client what it can do next."""
    return selectors.detail(request.auth, selectors.get_visible(request.auth, number))


@router.get("/appeals/{number}/events", response={200: list[EventOut], **READ_ERRORS}, url_name="appeal_events",
            summary="办理记录")
def get_events(request, number: str):
    return selectors.events(request.auth, selectors.get_visible(request.auth, number, related=()))
