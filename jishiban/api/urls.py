"""The REST API ``/api/v1/`` (django-ninja); OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``.

``api`` is the NinjaAPI instance. The routers of other apps are mounted here:
``jishiban.supervision.api.router`` under ``/supervision/``, ``jishiban.smart.api.router`` and
``jishiban.routing.api.router`` at the root. They use ``jishiban.api.auth.API_AUTH`` and raise
the errors ``jishiban.api.errors`` answers.
"""

from __future__ import annotations

from django.urls import path
from ninja import NinjaAPI

from jishiban.analytics import api as analytics_api
from jishiban.calls import api as calls_api
from jishiban.grid import api as grid_api
from jishiban.knowledge import api as knowledge_api
from jishiban.routing import api as routing_api
from jishiban.smart import api as smart_api
from jishiban.supervision import api as supervision_api

from . import appeal_actions, appeals, files, reference
from .auth import API_AUTH
from .errors import document_errors, install


class DocumentedAPI(NinjaAPI):
    """The API whose OpenAPI document lists, for every operation, the errors it can answer."""

    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


api = DocumentedAPI(
    title="济时办 API",
    version="1",
    description=(
        "诉求受理、查询与办理接口（一口收集、一网通办）。认证：`Authorization: Bearer <token>`"
        "（`jishiban token create USERNAME` 生成），或工作台登录会话（POST 等须带 CSRF 令牌）。"
        "错误统一为 `{code, detail}`：401 未认证，403 无权操作，404 不存在或无权查看，"
        "409 版本冲突（conflict，含 current_version 与最近操作人）或当前状态不允许（action_not_allowed），"
        "422 字段错误（errors：字段 → 信息）。"
    ),
    auth=API_AUTH,
    urls_namespace="api-v1",
)
install(api)
api.add_router("/", appeals.router)
api.add_router("/", appeal_actions.router)
api.add_router("/", reference.router)
api.add_router("/", files.router)
api.add_router("/", analytics_api.router)

api.add_router("/supervision/", supervision_api.router)
api.add_router("/", smart_api.router)
api.add_router("/", routing_api.router)
api.add_router("/", calls_api.router)
api.add_router("/", knowledge_api.router)
api.add_router("/", grid_api.router)

urlpatterns = [path("", api.urls)]
