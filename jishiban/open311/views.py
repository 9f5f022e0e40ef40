"""GeoReport v2 endpoints (thin: parse, call catalog/public/posting/updates, render).

Every endpoint answers in ``.json`` and ``.xml``. Errors are ``errors/error/{code,description}``
(a JSON list of ``{code, description}``) with HTTP 400, 403, 404 or 405.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jishiban.appeals.models import Appeal

from . import catalog, keys
from .conf import conf
from .errors import Open311Error
from .formats import CONTENT_TYPES, JSON, render, to_json, w3c
from .openapi import document
from .params import comma_list, date_range, paging
from .posting import create_request
from .public import public_appeals, request_record, service_notice
from .status import STATUSES, states_for
from .tokens import number_for, token_for
from .updates import public_events, update_records

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def respond(fmt: str, root: str, data, *, item: str | None = None, status: int = 200) -> HttpResponse:
    return HttpResponse(render(fmt, root, data, item), content_type=CONTENT_TYPES[fmt], status=status)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    return respond(fmt, "errors", error.as_data(), item="error", status=error.status)


def _check_jurisdiction(request) -> None:
    data = request.POST if request.method == "POST" else request.GET
    jurisdiction = (data.get("jurisdiction_id") or "").strip()
    if jurisdiction and jurisdiction not in conf()["JURISDICTIONS"]:
        raise Open311Error(404, _("jurisdiction_id %(j)s 不存在") % {"j": jurisdiction[:40]})


def endpoint(*methods: str):
    """Allowed methods, the jurisdiction check and Open311-shaped errors for a view."""

    def decorate(view):
        @csrf_exempt  # called by other systems with an API key, never from our pages' forms
        @wraps(view)
        def wrapper(request, fmt: str, **kwargs):
            if request.method not in methods:
                response = error_response(fmt, Open311Error(405, _("不支持 %(m)s，可用：%(allowed)s")
                                                            % {"m": request.method, "allowed": ", ".join(methods)}))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                _check_jurisdiction(request)
                response = view(request, fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
            if request.method == "GET":
                # Public data: city apps in a browser may read it from other origins.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorate


@endpoint("GET")
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    changed = w3c(catalog.changeset(), timezone.get_current_timezone())
    settings = conf()
    return respond(fmt, "discovery", {
        "changeset": changed,
        "contact": settings["CONTACT"],
        "key_service": settings["KEY_SERVICE"],
        "endpoints": [{
            "specification": SPECIFICATION, "url": base, "changeset": changed, "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })


@endpoint("GET")
def services(request, fmt):
    return respond(fmt, "services", catalog.service_list(), item="service")


@endpoint("GET")
def service_definition(request, fmt, code):
    category = catalog.service(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code[:40]})
    return respond(fmt, "service_definition", catalog.definition(category))


@endpoint("GET", "POST")
def requests(request, fmt):
    return post_request(request, fmt) if request.method == "POST" else list_requests(request, fmt)


def post_request(request, fmt):
    key = keys.authenticate(request.POST.get("api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失、无效或已吊销"))
    result = create_request(request.POST, key)
    appeal = result.appeal
    return respond(fmt, "service_requests", [{
        "service_request_id": appeal.number,
        "token": token_for(appeal.number),
        "service_notice": service_notice(appeal),
        "account_id": (request.POST.get("account_id") or "").strip() or None,
    }], item="request")


def list_requests(request, fmt):
    query = request.GET
    page = paging(query)
    appeals = public_appeals()
    numbers = comma_list(query, "service_request_id", limit=conf()["MAX_IDS"])
    if numbers:  # the spec: a list of ids overrides every other filter
        appeals = appeals.filter(number__in=numbers)
    else:
        start, end = date_range(query)
        appeals = appeals.filter(received_at__gte=start, received_at__lte=end)
        codes = comma_list(query, "service_code")
        if codes:
            appeals = appeals.filter(category__code__in=codes)
        statuses = [s.lower() for s in comma_list(query, "status")]
        if any(s not in STATUSES for s in statuses):
            raise Open311Error(400, _("status 只能是 open 或 closed"))
        if statuses:
            appeals = appeals.filter(status__in=states_for(statuses))
    rows = appeals.order_by("-received_at", "-id")[page.offset: page.offset + page.size]
    return respond(fmt, "service_requests", [request_record(a) for a in rows], item="request")


@endpoint("GET")
def request_detail(request, fmt, number):
    appeal = public_appeals().filter(number=number).first()
    if appeal is None:
        raise Open311Error(404, _("service_request_id %(n)s 不存在") % {"n": number[:40]})
    return respond(fmt, "service_requests", [request_record(appeal)], item="request")


@endpoint("GET")
def token(request, fmt, token):
    number = number_for(token)
    if number is None or not Appeal.objects.filter(number=number).exists():
        raise Open311Error(404, _("token 无效或已过期"))
    return respond(fmt, "service_requests", [{"service_request_id": number, "token": token}], item="request")


@endpoint("GET", "POST")
def request_updates(request, fmt):
    if request.method == "POST":
        return post_update(request, fmt)
    query = request.GET
    if query.get("api_key") and keys.authenticate(query.get("api_key")) is None:
        raise Open311Error(403, _("api_key 无效或已吊销"))
    start, end = date_range(query)
    page = paging(query)
    events = list(public_events(start, end)[page.offset: page.offset + page.size])
    return respond(fmt, "service_request_updates", update_records(events), item="request_update")


def post_update(request, fmt):
    """A citizen's comment on a request of the key's channel (mySociety's POST): the portal's
    "add information" action, so the handler gets it in the inbox like any other addition."""
    from jishiban.appeals.errors import AppealError, AppealValidationError
    from jishiban.portal.services import add_information

    key = keys.authenticate(request.POST.get("api_key"))
    if key is None:
        raise Open311Error(403, _("api_key 缺失、无效或已吊销"))
    number = (request.POST.get("service_request_id") or "").strip()
    appeal = Appeal.objects.filter(number=number, channel_id=key.channel_id).first() if number else None
    if appeal is None:
        raise Open311Error(404, _("service_request_id %(n)s 不存在") % {"n": number[:40]})
    try:
        event = add_information(appeal, text=request.POST.get("description") or "", photos=[])
    except AppealValidationError as exc:
        raise Open311Error(400, *[m for messages in exc.errors.values() for m in messages])
    except AppealError as exc:
        raise Open311Error(400, exc.message)
    return respond(fmt, "service_request_updates", [{"update_id": str(event.pk)}], item="request_update")


def openapi(request):
    """The OpenAPI document of the JSON endpoints (``openapi.document``)."""
    settings = conf()
    response = HttpResponse(to_json(document(max_page_size=settings["MAX_PAGE_SIZE"], max_ids=settings["MAX_IDS"])),
                            content_type=CONTENT_TYPES[JSON])
    response["Access-Control-Allow-Origin"] = "*"
    return response


@csrf_exempt
def not_found(request, path=""):
    fmt = JSON if path.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, _("没有这个 Open311 接口：%(p)s") % {"p": path[:80]}))
