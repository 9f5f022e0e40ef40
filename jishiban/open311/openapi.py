"""The OpenAPI 3.0 document of the GeoReport v2 interface, served at ``/open311/v2/openapi.json``.

It describes the JSON form of every endpoint (the XML form carries the same fields, see
``formats``), every parameter with its bounds (the readers of ``params`` and
``jishiban.core.params``) and every error answer, so clients and the property-based tests
(``api/tests/test_schema_fuzz.py``) can hold the server to it. Pure data.
"""

from __future__ import annotations

from jishiban.core.params import MAX_PAGE


def _text(description: str = "", **extra) -> dict:
    return {"type": "string", **({"description": description} if description else {}), **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def _array(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _answer("参数缺失或有误（逐条列出，各自写明参数名）", _array("Error")),
    "403": _answer("api_key 缺失、无效或已吊销", _array("Error")),
    "404": _answer("服务、请求、令牌或 jurisdiction_id 不存在", _array("Error")),
}


def _query(name: str, description: str, schema: dict | None = None, *, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


JURISDICTION = _query("jurisdiction_id", "辖区（默认 jining；其他值为 404）")


def _paging(max_page_size: int) -> list[dict]:
    return [
        _query("page", "页码（从 1 起）", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        _query("page_size", "每页条数", {"type": "integer", "minimum": 1, "maximum": max_page_size}),
    ]


def _dates() -> list[dict]:
    return [_query("start_date", "起（W3C 时间，如 2026-11-27T09:30:00+08:00；默认为 end_date 前 90 天）",
                   {"type": "string", "format": "date-time"}),
            _query("end_date", "止（W3C 时间；默认为现在）", {"type": "string", "format": "date-time"})]


SCHEMAS = {
    "Error": {"type": "object", "required": ["code", "description"], "properties": {
        "code": {"type": "integer", "description": "HTTP 状态码"}, "description": _text("说明（中文）")}},
    "Discovery": {"type": "object", "required": ["changeset", "contact", "key_service", "endpoints"], "properties": {
        "changeset": _text(format="date-time"), "contact": _text(), "key_service": _text(),
        "endpoints": {"type": "array", "items": {"type": "object", "properties": {
            "specification": _text(), "url": _text(), "changeset": _text(format="date-time"), "type": _text(),
            "formats": {"type": "array", "items": _text()}}}}}},
    "Service": {"type": "object", "required": ["service_code", "service_name", "metadata", "type"], "properties": {
        "service_code": _text("分类代码"), "service_name": _text(), "description": _text(), "metadata": {"type": "boolean"},
        "type": _text(enum=["realtime"]), "keywords": _text(), "group": _text()}},
    "ServiceDefinition": {"type": "object", "required": ["service_code", "attributes"], "properties": {
        "service_code": _text(), "attributes": {"type": "array", "items": {"type": "object", "properties": {
            "variable": {"type": "boolean"}, "code": _text(), "datatype": _text(), "required": {"type": "boolean"},
            "datatype_description": _nullable(_text()), "order": {"type": "integer"}, "description": _text(),
            "values": {"type": "array", "items": {"type": "object", "properties": {
                "key": _text(), "name": _text()}}}}}}}},
    "Request": {"type": "object", "required": ["service_request_id", "status"], "properties": {
        "service_request_id": _text("诉求件编号"), "status": _text(enum=["open", "closed"]),
        "status_notes": _nullable(_text()), "service_name": _nullable(_text()), "service_code": _nullable(_text()),
        "description": _nullable(_text()), "agency_responsible": _nullable(_text()),
        "service_notice": _nullable(_text()), "requested_datetime": _nullable(_text(format="date-time")),
        "updated_datetime": _nullable(_text(format="date-time")),
        "expected_datetime": _nullable(_text(format="date-time")), "address": _nullable(_text()),
        "address_id": _nullable(_text()), "zipcode": _nullable(_text()), "lat": _nullable({"type": "number"}),
        "long": _nullable({"type": "number"}), "media_url": _nullable(_text())}},
    "Created": {"type": "object", "required": ["service_request_id", "token"], "properties": {
        "service_request_id": _text(), "token": _text(), "service_notice": _nullable(_text()),
        "account_id": _nullable(_text())}},
    "RequestToken": {"type": "object", "required": ["service_request_id", "token"], "properties": {
        "service_request_id": _text(), "token": _text()}},
    "RequestUpdate": {"type": "object", "required": ["update_id", "service_request_id", "status", "updated_datetime"],
                      "properties": {
                          "update_id": _text(), "service_request_id": _text(), "status": _text(enum=["open", "closed"]),
                          "updated_datetime": _text(format="date-time"), "description": _nullable(_text()),
                          "media_url": _nullable(_text())}},
}

POST_FORM = {"type": "object", "required": ["api_key", "service_code", "description"], "properties": {
    "api_key": _text("接口密钥"), "service_code": _text("服务（分类）代码"), "description": _text("诉求内容"),
    "lat": _text("纬度（-90～90）"), "long": _text("经度（-180～180）"), "address_string": _text("地址"),
    "address_id": _text(), "email": _text(), "device_id": _text(), "account_id": _text(), "first_name": _text(),
    "last_name": _text(), "phone": _text(), "media_url": _text("照片等的 http(s) 链接"), "jurisdiction_id": _text(),
}}


def document(*, max_page_size: int, max_ids: int) -> dict:
    """The document for a deployment's limits (``conf()``)."""
    listing = [
        _query("service_request_id", f"编号，逗号分隔（最多 {max_ids} 个；给出时忽略其他条件）"),
        _query("service_code", "服务代码，逗号分隔"), *_dates(),
        _query("status", "open / closed，逗号分隔"), *_paging(max_page_size), JURISDICTION,
    ]
    return {
        "openapi": "3.0.3",
        "info": {"title": "济时办 Open311 GeoReport v2", "version": "2",
                 "description": "GeoReport v2（JSON；每个接口另有同名 .xml 形式，字段相同）。"},
        "paths": {
            "/open311/v2/discovery.json": {"get": {
                "operationId": "discovery", "parameters": [JURISDICTION],
                "responses": {"200": _answer("接口说明", {"$ref": "#/components/schemas/Discovery"}),
                              "404": ERRORS["404"]}}},
            "/open311/v2/services.json": {"get": {
                "operationId": "services", "parameters": [JURISDICTION],
                "responses": {"200": _answer("服务列表", _array("Service")), "404": ERRORS["404"]}}},
            "/open311/v2/services/{service_code}.json": {"get": {
                "operationId": "service_definition", "parameters": [_path("service_code", "服务代码"), JURISDICTION],
                "responses": {"200": _answer("服务属性", {"$ref": "#/components/schemas/ServiceDefinition"}),
                              "404": ERRORS["404"]}}},
            "/open311/v2/requests.json": {
                "get": {"operationId": "requests", "parameters": listing,
                        "responses": {"200": _answer("公开的诉求", _array("Request")), "400": ERRORS["400"],
                                      "404": ERRORS["404"]}},
                "post": {"operationId": "post_request",
                         "requestBody": {"required": True, "content": {
                             "application/x-www-form-urlencoded": {"schema": POST_FORM}}},
                         "responses": {"200": _answer("已受理", _array("Created")), **ERRORS}},
            },
            "/open311/v2/requests/{service_request_id}.json": {"get": {
                "operationId": "request", "parameters": [_path("service_request_id", "诉求件编号"), JURISDICTION],
                "responses": {"200": _answer("一件诉求（一项的列表）", _array("Request")), "404": ERRORS["404"]}}},
            "/open311/v2/tokens/{token}.json": {"get": {
                "operationId": "token", "parameters": [_path("token", "受理时返回的 token"), JURISDICTION],
                "responses": {"200": _answer("令牌对应的编号", _array("RequestToken")), "404": ERRORS["404"]}}},
            "/open311/v2/servicerequestupdates.json": {"get": {
                "operationId": "updates",
                "parameters": [*_dates(), _query("api_key", "接口密钥（可选；给出时须有效）"), *_paging(max_page_size),
                               JURISDICTION],
                "responses": {"200": _answer("办理进展", _array("RequestUpdate")), **ERRORS}}},
        },
        "components": {"schemas": SCHEMAS},
    }
