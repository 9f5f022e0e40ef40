"""``GET /api/v1/appeals/{number}/suggestions``: smart help's stored view of one appeal.

Mounted by ``jishiban.api.urls`` at the API root with the API's authentication.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema

from jishiban.api.auth import API_AUTH
from jishiban.api.errors import READ_ERRORS
from jishiban.api.schemas import ErrorOut

from . import selectors

router = Router(auth=API_AUTH, tags=["smart"])


class TermOut(Schema):
    term: str
    weight: float


class CategorySuggestionOut(Schema):
    code: str | None = Field(None, description="分类代码；模型标签对应不到分类时为空")
    name: str
    path: str = Field(..., description="分类路径，如 城乡建设 / 物业管理 / 物业收费")
    label: str = Field(..., description="模型的原始标签")
    confidence: float = Field(..., description="概率（0–1）")
    because: list[TermOut] = Field(..., description="推动该分类的词语及权重")
    explanation: str


class RegionRef(Schema):
    id: int
    code: str
    name: str


class CommunityOut(Schema):
    code: str | None = None
    name: str


class RegionSuggestionOut(Schema):
    county: RegionRef | None = None
    town: RegionRef | None = None
    community: CommunityOut | None = None
    grid: RegionRef | None = None
    confidence: float = 0.0
    evidence: list[str] = Field(default_factory=list, description="识别依据")
    source: str = Field("", description="address（地址）、text（诉求内容）或 grid（坐标所在网格）")


class UnitRef(Schema):
    id: int | None = None
    code: str
    name: str


class UnitSuggestionOut(Schema):
    lead_unit: UnitRef
    co_units: list[UnitRef] = Field(default_factory=list)
    score: float
    source: str = Field(..., description="catalogue、meeting、learned 或 domain")
    source_label: str = ""
    explanation: str
    basis: str | None = Field(None, description="诉求尚无分类/区县时，所依据的建议")
    rule_id: int | None = None
    decision_id: int | None = None


class SignalsOut(Schema):
    lexical: float
    topic: float
    semantic: float | None = None
    places: list[str] = Field(default_factory=list)
    same_caller: bool
    same_address: bool
    days_apart: float | None = None


class DuplicateOut(Schema):
    appeal_id: int
    number: str
    title: str
    status: str
    received_at: datetime
    score: float
    relation: str = Field(..., description="duplicate（重复件，可并单）、repeat（重复诉求：同一事项在重复件时间窗之外再次反映）或 related（同一地点、不同事项）")
    reason: str
    signals: SignalsOut


class RepeatOut(Schema):
    count: int = Field(..., description="此前同一事项的诉求件数")
    by_caller: list[str] = Field(..., description="同一来电人的诉求件编号（仅含可查看的）")
    by_address: list[str]
    reason: str
    threshold: int
    window_days: float


class RiskOut(Schema):
    code: str
    label: str
    evidence: str
    terms: list[str]


class UnavailableOut(Schema):
    part: str = Field(..., description="categories、region、units、duplicates、risks、apply 或 job")
    reason: str


class SmartSuggestionsOut(Schema):
    appeal: str
    status: str = Field(..., description="ready、pending（尚未计算）或 failed（任务失败）")
    computed_at: datetime | None
    categories: list[CategorySuggestionOut] = Field(..., description="前 3 个分类建议")
    needs_choice: bool = Field(..., description="最高概率低于阈值（或无模型）：须由话务员选择分类")
    region: RegionSuggestionOut | None
    units: list[UnitSuggestionOut]
    duplicates: list[DuplicateOut] = Field(..., description="疑似重复/相关的诉求件（仅含可查看的）")
    hidden_duplicates: int = Field(..., description="无权查看而未列出的候选数")
    repeat: RepeatOut | None
    risks: list[RiskOut]
    applied: dict = Field(..., description="已自动写入诉求件的内容（区域、标签、紧急）")
    model_version: int | None
    semantic: bool = Field(..., description="查重是否已含语义比对")
    unavailable_reasons: list[str] = Field(..., description="没有建议的原因，如“尚未训练分类模型”")
    unavailable: list[UnavailableOut]


@router.get("/appeals/{number}/suggestions", response={200: SmartSuggestionsOut, 403: ErrorOut, **READ_ERRORS},
            url_name="appeal_suggestions", summary="智能建议（分类、区域、承办单位、重复件、风险）")
def appeal_suggestions(request, number: str):
    """Category, region, unit, duplicate, repeat and risk suggestions of one appeal, each with
    its explanation, and the reasons for what is missing. 404 for appeals the caller may not
    see; 403 for citizens. Evidence is masked for users who may not see the citizen's identity."""
    appeal = selectors.visible_appeal(request.auth, number)
    return selectors.suggestion_for(request.auth, appeal)
