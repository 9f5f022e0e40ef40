"""The REST API ``/api/v1/`` (django-ninja); OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``.

``api`` is the NinjaAPI instance. Routers of other apps are mounted when their module exists:
``jishiban.supervision.api.router`` under ``/supervision/``, ``jishiban.smart.api.router`` and
``jishiban.routing.api.router`` at the root. They should use ``jishiban.api.auth.API_AUTH``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

from django.urls import path
from ninja import NinjaAPI

from . import actions, appeals, files, reference
from .auth import API_AUTH
from .errors import document_errors, install

logger = logging.getLogger("jishiban.api")


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
api.add_router("/", actions.router)
api.add_router("/", reference.router)
api.add_router("/", files.router)

OPTIONAL_ROUTERS = (("jishiban.supervision.api", "/supervision/"), ("jishiban.smart.api", "/"),
                    ("jishiban.routing.api", "/"))


def mount_optional(target: NinjaAPI, modules=OPTIONAL_ROUTERS) -> list[str]:
    """Add the ``router`` of each module that exists; returns the modules mounted."""
    mounted = []
    for module_name, prefix in modules:
        try:
            found = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            continue
        router = getattr(importlib.import_module(module_name), "router", None)
        if router is None:
            logger.warning("%s has no `router`; not mounted", module_name)
            continue
        target.add_router(prefix, router)
        mounted.append(module_name)
    return mounted


mount_optional(api)

urlpatterns = [path("", api.urls)]
