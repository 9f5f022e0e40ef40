"""``GET /api/v1/knowledge/search`` and ``GET /api/v1/knowledge/figures``.

Mounted by ``jishiban.api.urls`` at the API root with the API's authentication; the search is
the call desk's (``selectors.search``), the figures those of the knowledge figures page.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from jishiban.accounts.policy import may_read_knowledge, may_read_knowledge_figures
from jishiban.api.auth import API_AUTH
from jishiban.api.errors import READ_ERRORS
from jishiban.appeals.errors import ActionForbidden
from jishiban.taxonomy.lookup import CATEGORIES

from . import selectors

router = Router(auth=API_AUTH, tags=["knowledge"])


class HitOut(Schema):
    id: int
    title: str
    kind: str
    body: str
    version: int
    owner_unit: str = Field(..., description="维护单位代码")
    review_due: dt.date
    freshness: str = Field(..., description="fresh 现行有效 / due_soon 即将复核 / overdue 复核逾期")
    score: float
    matched: list[str]


class FigureOut(Schema):
    unit: str
    unit_code: str
    entries: int
    fresh: int
    due_soon: int
    overdue: int
    fresh_rate: float | None
    edits: int = Field(..., description="近30天修改次数")
    uses: int = Field(..., description="近30天引用次数")


@router.get("/knowledge/search", response={200: list[HitOut], **READ_ERRORS}, summary="知识库检索")
def search(request, q: str = "", category: str = ""):
    if not may_read_knowledge(request.auth):
        raise ActionForbidden(_("无权查看知识库"))
    hits = selectors.search(q[:4000], category=CATEGORIES.get(category) if category else None)
    return [{"id": h.entry.pk, "title": h.entry.title, "kind": h.entry.kind, "body": h.entry.body,
             "version": h.entry.version, "owner_unit": h.entry.owner_unit.code, "review_due": h.entry.review_due,
             "freshness": h.freshness.state, "score": h.score, "matched": h.matched} for h in hits]


@router.get("/knowledge/figures", response={200: list[FigureOut], **READ_ERRORS}, summary="知识库更新与使用统计")
def figures(request):
    if not may_read_knowledge_figures(request.auth):
        raise ActionForbidden(_("无权查看知识库统计"))
    return selectors.figures(request.auth)
