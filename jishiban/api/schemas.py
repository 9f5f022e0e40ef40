"""Typed request and response bodies of the REST API (they make the OpenAPI schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, field_validator, model_validator
from pydantic_core import PydanticCustomError

from jishiban.intake.pipeline import control_character

from .params import Latitude, Longitude, Moment

# --- Errors ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str = Field(..., description="机器可读的错误代码，如 forbidden、not_found、action_not_allowed")
    detail: str = Field(..., description="给人看的说明（中文）")


class ValidationErrorOut(ErrorOut):
    errors: dict[str, list[str]] = Field(..., description="字段名 → 错误信息列表")


class ConflictOut(ErrorOut):
    current_version: int | None = Field(None, description="诉求件当前版本（版本冲突时）")
    last_action: str = Field("", description="最近一次操作")
    last_actor: str = Field("", description="最近一次操作人")


# --- Creating an appeal ------------------------------------------------------------------------


class InBody(Schema):
    """The base of every request body of the API.

    Only a JSON object is an object: ninja's ``Schema`` reads attributes of anything, so
    ``"citizen": "x"`` would otherwise become an empty citizen. And no text may carry what no
    column can store — NUL (PostgreSQL refuses it), lone surrogates (no UTF-8 for them), the
    other characters XML cannot carry (the public feeds): a reply or a reason is stored and
    published like an appeal's content, so every field refuses them, as intake does."""

    @model_validator(mode="before")
    @classmethod
    def _objects_only(cls, value: Any):
        raw = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(raw, dict | BaseModel):
            raise PydanticCustomError("model_type", "须为对象")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value):
        problem = control_character(value)
        if problem:
            raise PydanticCustomError("control_character", problem)
        return value


class CitizenIn(InBody):
    name: str = ""
    phone: str = ""
    id_number: str = ""
    email: str = Field("", description="电子邮箱（校验格式）")
    anonymous: bool = False
    confidential: bool | None = None


class LocationIn(InBody):
    address: str = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    county: str | None = Field(None, description="县市区：区划代码、名称或简称，如 370827、鱼台县、鱼台")
    town: str | None = Field(None, description="乡镇街道：区划代码或名称，如 370827001、谷亭街道")
    grid: str | None = Field(None, description="网格代码")


class AttachmentIn(InBody):
    name: str = Field(..., description="原文件名，如 现场.jpg")
    content_type: str = ""
    data_base64: str = Field(..., description="文件内容（Base64）")


class AppealIn(InBody):
    channel: str | None = Field(None, description="渠道代码或名称；令牌限定了渠道时可省略")
    external_id: str | None = Field(None, description="渠道自己的编号；同一渠道同一编号只受理一次")
    title: str = ""
    content: str
    received_at: Moment | None = None
    citizen: CitizenIn = Field(default_factory=CitizenIn)
    location: LocationIn = Field(default_factory=LocationIn)
    category: str | None = Field(None, description="分类：代码、名称或路径，如 020101、停水、供水/停水")
    appeal_type: str = Field("consult", description="consult/help/complaint/report/suggestion/praise/other，或中文名称（投诉）")
    urgent: bool = False
    tags: list[str] = Field(default_factory=list, description="标签（最多 20 个，每个最多 40 字；内部标签须有相应权限）")
    extras: dict = Field(default_factory=dict, description="渠道自己的数据（JSON 对象，最多 16 KB）")
    attachments: list[AttachmentIn] = Field(default_factory=list)


# --- Reading appeals ------------------------------------------------------------------------------


class Ref(Schema):
    code: str
    name: str


class CitizenOut(Schema):
    name: str
    phone: str = Field(..., description="始终脱敏")
    id_number: str = Field(..., description="始终脱敏")
    hidden: bool = Field(..., description="身份信息对当前用户不可见")


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str
    created_at: datetime
    event: int | None = Field(None, description="随哪条办理记录提交（答复、延期申请、办理意见）；受理时的附件为空")


class AppealSummary(Schema):
    number: str
    title: str
    status: str
    status_display: str
    channel: Ref
    external_id: str | None
    county: Ref | None
    category: Ref | None
    lead_unit: Ref | None
    appeal_type: str
    urgent: bool
    card: str
    overdue: bool
    received_at: datetime
    reply_deadline: datetime | None
    citizen: CitizenOut


class AppealOut(AppealSummary):
    content: str
    address: str
    lat: float | None
    lon: float | None
    town: Ref | None
    grid: Ref | None
    co_units: list[Ref]
    tags: list[str]
    dispatched_at: datetime | None
    accepted_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    sign_deadline: datetime | None
    return_deadline: datetime | None
    result_type: str
    result_text: str
    promise: str
    follow_up_date: date | None
    satisfaction: str
    solved: bool | None
    return_count: int
    reopen_count: int
    parent: str | None = Field(None, description="并入的诉求件编号")
    version: int = Field(..., description="乐观锁版本；操作时作为 expected_version 提交")
    available_actions: list[str] = Field(..., description="当前用户现在可执行的操作")
    attachments: list[AttachmentOut]
    created_at: datetime
    updated_at: datetime


class AppealPage(Schema):
    items: list[AppealSummary]
    page: int
    page_size: int
    total: int = Field(..., description="符合条件的件数；超过 total_cap 时为 total_cap")
    total_exact: bool = Field(..., description="total 是否精确（超过上限时只数到上限）")


class EventOut(Schema):
    id: int
    action: str
    from_status: str
    to_status: str
    actor: str
    actor_unit: Ref | None
    reason: str
    payload: dict
    at: datetime
    attachments: list[AttachmentOut] = Field(default_factory=list, description="随本条记录提交的附件")


# --- Reference data ---------------------------------------------------------------------------


class ChannelOut(Schema):
    code: str
    name: str
    kind: str
    public_reply: bool
    wants_results: bool


class DeadlineOut(Schema):
    own: str = Field(description="本分类自设的时限（空：未设）")
    effective: str = Field(description="实际适用的时限：本级、上级分类或系统默认")
    source: str = Field(description="适用时限的来源：分类代码，或 default（系统默认）")


class CategoryOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    urgent: bool
    sign_deadline: DeadlineOut
    reply_deadline: DeadlineOut
    yellow_before: DeadlineOut


class OrganisationOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    region: str
    parent: str | None
    domain: str


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
