"""The answer when the database cannot be reached: 503 with a clear message, never a 500.

Django calls ``server_error`` (``handler500``) for every exception nothing else handled, from a
view, a middleware or a template, with the exception still being handled. A database error
there (``OperationalError``: the server is down, refuses connections or closed ours; a SQLite
file locked past the busy timeout; ``InterfaceError``: our connection is already closed) gets a
503 with ``Retry-After``: the workbench a page in the site's style, ``/api/`` the API's error body
(``code: unavailable``), ``/open311/`` the Open311 error list in JSON or XML. Nothing in these
answers touches the database. Django drops the broken connection when the request ends, so the
next request connects anew and the service recovers without a restart.
"""

from __future__ import annotations

import json
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("jishiban.core")
RETRY_AFTER_SECONDS = 30


def is_database_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_message() -> str:
    return _("数据库暂时无法访问，本次请求未能完成，请稍后重试。")


def unavailable(request) -> HttpResponse:
    path = request.path
    message = unavailable_message()
    if path.startswith("/api/"):
        response = HttpResponse(json.dumps({"code": "unavailable", "detail": message}, ensure_ascii=False),
                                content_type="application/json; charset=utf-8", status=503)
    elif path.startswith("/open311/"):
        from jishiban.open311.errors import Open311Error
        from jishiban.open311.views import error_response

        fmt = "xml" if path.endswith(".xml") else "json"
        response = error_response(fmt, Open311Error(503, message))
    else:
        html = loader.render_to_string("503.html", {"message": message, "retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    if is_database_outage(sys.exc_info()[1]):
        return unavailable(request)
    return defaults.server_error(request, template_name)
