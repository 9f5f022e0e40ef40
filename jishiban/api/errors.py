"""One error shape for the whole API: ``{"code", "detail", ...}``.

| status | code                     | when                                                        |
|--------|--------------------------|-------------------------------------------------------------|
| 401    | unauthorized             | no or bad token / not logged in                             |
| 403    | forbidden                | ``ActionForbidden``; CSRF failure on a session POST          |
| 404    | not_found                | unknown appeal, or one the caller may not see               |
| 409    | conflict                 | ``ConflictError`` (stale ``expected_version``), with who acted |
| 409    | action_not_allowed       | ``ActionNotAllowed``: the action does not apply to the state |
| 409    | idempotency_in_progress  | the first request with this key has not finished            |
| 422    | validation_error         | field errors (``errors``: field → messages), ours or the schema's |
| 422    | idempotency_key_reused   | same ``Idempotency-Key`` with a different body              |
| 503    | unavailable              | the database cannot be reached (``core.errors``; ``Retry-After``) |
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError, ConflictError

from .schemas import ConflictOut, ErrorOut, ValidationErrorOut

# Response schemas per status, for the OpenAPI document of every operation.
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ValidationErrorOut}

# Where pydantic says the error is: drop the parameter container and the argument name.
_CONTAINERS = {"body", "query", "path", "header", "form", "file", "cookie"}


class IdempotencyError(Exception):
    def __init__(self, status: int, code: str, detail: str):
        self.status, self.code, self.detail = status, code, detail
        super().__init__(detail)


# Type tags pydantic puts in ``loc`` for union members (``received_from.date``); not field names.
_TYPE_TAGS = {"str", "int", "float", "bool", "date", "datetime", "time", "decimal", "list", "dict", "none",
              "bytes", "literal", "lax-or-strict", "json-or-python", "tagged-union"}


def field_name(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _CONTAINERS:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in ("payload", "filters", "data"):
            parts = parts[1:]
    parts = [p for p in parts if p not in _TYPE_TAGS and "[" not in p]
    return ".".join(parts) or "__all__"


def message(error: dict) -> str:
    """Pydantic's message in Chinese for the common cases, its own text otherwise."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    texts = {
        "missing": _("必填"),
        "int_parsing": _("须为整数"), "int_type": _("须为整数"), "float_parsing": _("须为数字"),
        "float_type": _("须为数字"), "bool_parsing": _("须为 true 或 false"), "bool_type": _("须为 true 或 false"),
        "string_type": _("须为文字"), "list_type": _("须为列表"), "dict_type": _("须为对象"),
        "model_type": _("须为对象"), "model_attributes_type": _("须为对象"), "json_invalid": _("JSON 格式错误"),
        "date_parsing": _("日期格式错误（应为 2026-11-27）"), "date_from_datetime_parsing": _("日期格式错误（应为 2026-11-27）"),
        "date_type": _("日期格式错误（应为 2026-11-27）"),
        "datetime_parsing": _("时间格式错误（应为 2026-11-27T09:30:00+08:00）"),
        "datetime_from_date_parsing": _("时间格式错误（应为 2026-11-27T09:30:00+08:00）"),
        "datetime_type": _("时间格式错误（应为 2026-11-27T09:30:00+08:00）"),
    }
    if kind in texts:
        return str(texts[kind])
    if kind == "less_than_equal":
        return _("不能大于 %(v)s") % {"v": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("不能小于 %(v)s") % {"v": ctx.get("ge")}
    if kind == "literal_error":
        return _("须为以下之一：%(v)s") % {"v": ctx.get("expected")}
    return str(error.get("msg", ""))


def schema_errors(errors: list[dict]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for error in errors:
        messages = result.setdefault(field_name(error.get("loc", ())), [])
        text = message(error)
        if text not in messages:
            messages.append(text)
    return result


def install(api) -> None:
    """Register the handlers on the NinjaAPI instance."""

    def respond(request, status: int, code: str, detail: str, **extra):
        return api.create_response(request, {"code": code, "detail": str(detail), **extra}, status=status)

    @api.exception_handler(AppealValidationError)
    def appeal_validation(request, exc):
        return respond(request, 422, "validation_error", _("提交的数据有误"), errors=exc.errors)

    @api.exception_handler(SchemaValidationError)
    def schema_validation(request, exc):
        return respond(request, 422, "validation_error", _("提交的数据有误"), errors=schema_errors(exc.errors))

    @api.exception_handler(ConflictError)
    def conflict(request, exc):
        return respond(request, 409, "conflict", exc.message, current_version=exc.current_version,
                       last_action=exc.last_action, last_actor=exc.last_actor)

    @api.exception_handler(ActionNotAllowed)
    def not_allowed(request, exc):
        return respond(request, 409, "action_not_allowed", exc.message)

    @api.exception_handler(ActionForbidden)
    def forbidden(request, exc):
        return respond(request, 403, "forbidden", exc.message)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "not_found", str(exc) or _("未找到"))

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = respond(request, 401, "unauthorized", _("请提供有效的令牌（Authorization: Bearer …）或先登录"))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(IdempotencyError)
    def idempotency(request, exc):
        # A 422 has the shape of every 422: the field (the header) and its message.
        extra = {"errors": {"Idempotency-Key": [exc.detail]}} if exc.status == 422 else {}
        return respond(request, exc.status, exc.code, exc.detail, **extra)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = {403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "error")
        message = _("CSRF 校验失败，请刷新页面后重试") if "CSRF" in str(exc) else str(exc)
        return respond(request, exc.status_code, code, message)


# What every operation may answer besides what it declares: 401 when it needs credentials, 403
# when they do not reach (a role, a token's scope, CSRF), 404 for a path naming something unknown
# or invisible, 409 for a write on a changed or unfit state, 422 for parameters or a body the
# schema or the rules refuse.
_COMMON = {
    "401": ("ErrorOut", "未认证：没有、错误、已吊销或已过期的令牌，或未登录（带 WWW-Authenticate: Bearer）"),
    "403": ("ErrorOut", "无权：角色不允许、令牌权限范围不够，或会话请求缺 CSRF 令牌"),
    "404": ("ErrorOut", "不存在或无权查看"),
    "409": ("ConflictOut", "版本冲突（conflict，含 current_version、last_action、last_actor）或当前状态不允许"),
    "422": ("ValidationErrorOut", "参数或请求体有误（errors：字段 → 信息）"),
}
_WRITES = {"post", "put", "patch", "delete"}


def document_errors(schema: dict) -> dict:
    """Add the common error answers to every operation of an OpenAPI ``schema`` (in place) that
    does not declare them, so the document says every status a client can get."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, ValidationErrorOut, ConflictOut):
        components.setdefault(model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}"))
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            wanted = set()
            if operation.get("security"):
                wanted |= {"401", "403"}
            if any(p.get("in") == "path" for p in parameters):
                wanted.add("404")
            if method in _WRITES:
                wanted.add("409")
            if parameters or "requestBody" in operation:
                wanted.add("422")
            # django-ninja keys the declared answers by int, the JSON document by str: compare as str
            # so a declared status is not documented twice (Swagger refuses duplicated keys).
            for status in sorted(wanted - {str(code) for code in operation["responses"]}):
                name, text = _COMMON[status]
                operation["responses"][status] = {"description": text, "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{name}"}}}}
    return schema


__all__ = ["READ_ERRORS", "WRITE_ERRORS", "ConflictOut", "ErrorOut", "IdempotencyError", "ValidationErrorOut",
           "document_errors", "field_name", "install", "schema_errors"]
