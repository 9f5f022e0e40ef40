"""Creating an appeal: validate everything first, then write the appeal and its ``receive``
event in one transaction. A retried submission with the same (channel, external id) returns
the existing appeal instead of making a second one.

The intake pipeline (``jishiban.intake``) normalises channel payloads and calls
``create_appeal``; nothing else creates appeals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.channels.lookup import CHANNELS
from jishiban.channels.models import Channel
from jishiban.core import params
from jishiban.core.lookups import Lookup
from jishiban.regions import lookup as regions
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.lookup import CATEGORIES
from jishiban.taxonomy.models import Category

from . import numbering
from .errors import AppealValidationError
from .lookup import appeal_type as resolve_appeal_type
from .models import Appeal, AppealEvent, AppealType, Status
from .signals import transition_committed, transition_recorded
from .workflow import Action

ID_NUMBER = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
PHONE = re.compile(r"^\+?[\d\-\s()]{5,30}$")
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_EARLIEST_RECEIVED = date(2000, 1, 1)
APPEAL_TYPES = frozenset(AppealType.values)

# Grids are named by code only (thousands of them, drawn on a map rather than typed).
REGIONS = Lookup(Region, lambda key: Region.objects.filter(code=key[0], level=key[1]).first())


@dataclass(frozen=True)
class References:
    """Where ``validate`` resolves channel, category, county and town (code, name or variant):
    the live resolvers (``LIVE``), or their in-memory snapshots for an import (``snapshot``)."""

    channels: object
    categories: object
    counties: object
    towns: object

    def snapshot(self) -> References:
        return References(*(getattr(self, name).snapshot() for name in ("channels", "categories", "counties",
                                                                         "towns")))


LIVE = References(CHANNELS, CATEGORIES, regions.COUNTIES, regions.TOWNS)


@dataclass
class NewAppeal:
    """The validated, typed input of ``create_appeal`` (what every channel produces)."""

    channel: str | Channel
    content: str
    title: str = ""
    external_id: str | None = None
    received_at: datetime | str | None = None
    citizen_name: str = ""
    citizen_phone: str = ""
    citizen_id_number: str = ""
    anonymous: bool = False
    confidential: bool | None = None
    address: str = ""
    lat: object = None
    lon: object = None
    county: str | Region | None = None
    town: str | Region | None = None
    grid: str | Region | None = None
    category: str | Category | None = None
    appeal_type: str = AppealType.CONSULT
    urgent: bool = False
    tags: list[str] = field(default_factory=list)
    extras: dict = field(default_factory=dict)
    content_key: str = ""
    citizen_user: object = None


def not_a_grid(region: Region | None) -> str | None:
    """Why ``region`` cannot be an appeal's grid (``Region.objects.grids``: a level-5 region with its
    ``Grid`` row), else ``None``. Every write of an appeal's grid asks here (creation, ``annotate``)."""
    if region is None or Region.objects.grids().filter(pk=region.pk).exists():
        return None
    return _("%(name)s（%(code)s）不是网格：网格须经网格导入建立（有网格资料和边界），不能作为诉求件的网格") % {
        "name": region.name, "code": region.code}


def _grid(value, errors: dict) -> Region | None:
    if value in (None, ""):
        return None
    region = value if isinstance(value, Region) else REGIONS.get((str(value), RegionLevel.GRID))
    if region is None:
        errors["grid"] = [_("未知网格代码 %(code)s") % {"code": value}]
    elif refusal := not_a_grid(region):
        errors["grid"] = [refusal]
        return None
    return region


def _one(value, found: list, field_name: str, errors: dict, what: str, hint: str):
    """The single row ``found`` for ``value``, else an error naming the value."""
    if len(found) == 1:
        return found[0]
    if found:
        names = "、".join(sorted({str(getattr(row, "code", row)) for row in found})[:5])
        errors[field_name] = [_("%(what)s“%(value)s”不唯一（%(names)s），请填代码") % {
            "what": what, "value": value, "names": names}]
    else:
        errors[field_name] = [_("未知%(what)s“%(value)s”（%(hint)s）") % {"what": what, "value": value, "hint": hint}]
    return None


def _regions(data: NewAppeal, refs: References, errors: dict) -> tuple[Region | None, Region | None]:
    county, town = data.county, data.town
    if county not in (None, "") and not isinstance(county, Region):
        county = _one(county, refs.counties.candidates(county), "county", errors, _("县市区"),
                      _("可填区划代码、名称或简称，如 370827、鱼台县、鱼台"))
    if town not in (None, "") and not isinstance(town, Region):
        found = regions.within(refs.towns.candidates(town), county if isinstance(county, Region) else None)
        town = _one(town, found, "town", errors, _("乡镇街道"), _("可填区划代码或名称"))
    return county or None, town or None


def _coordinate(value, low: int, high: int, field_name: str, errors: dict) -> Decimal | None:
    try:
        return params.coordinate(value, field_name, low=low, high=high)
    except params.ParameterError as exc:
        errors[field_name] = [_("坐标%(problem)s") % {"problem": exc.reason}]
        return None


def received_bounds() -> tuple[date, timedelta]:
    """The earliest day a received time may fall on, and how far past now it may be."""
    conf = settings.JISHIBAN
    return (conf.get("EARLIEST_RECEIVED", DEFAULT_EARLIEST_RECEIVED),
            timedelta(seconds=conf.get("CLOCK_SKEW_SECONDS", FUTURE_TOLERANCE.total_seconds())))


def validate(data: NewAppeal, *, now: datetime | None = None, refs: References = LIVE) -> dict:
    """Check every field and return the model field values; raise ``AppealValidationError``
    with all field errors at once. Channel, category, appeal type, county and town may be given
    by code, name or a common variant (``refs``; an unresolved value is named in its error)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    limit = settings.JISHIBAN["MAX_CONTENT_LENGTH"]

    channel = data.channel
    if not isinstance(channel, Channel):
        channel = refs.channels.get(str(channel or ""))
    if channel is None:
        errors["channel"] = [_("未知渠道 %(code)s") % {"code": data.channel}]
    elif not channel.is_active:
        errors["channel"] = [_("渠道 %(name)s 已停用") % {"name": channel.name}]

    content = (data.content or "").strip()
    if not content:
        errors["content"] = [_("请填写诉求内容")]
    elif len(content) > limit:
        errors["content"] = [_("诉求内容过长（%(n)d 字，最多 %(max)d 字）") % {"n": len(content), "max": limit}]
    title = (data.title or "").strip() or content[:30]
    if len(title) > 200:
        errors["title"] = [_("标题过长（最多 200 字）")]

    received_at = data.received_at or now
    if not isinstance(received_at, datetime):
        try:
            received_at = params.moment(received_at, "received_at", dates=False)
        except params.ParameterError as exc:
            errors["received_at"] = [_("受理时间%(problem)s") % {"problem": exc.reason}]
            received_at = None
    if isinstance(received_at, datetime):
        if timezone.is_naive(received_at):
            received_at = timezone.make_aware(received_at)
        earliest, skew = received_bounds()
        if received_at.date() < earliest:  # before any conversion: 0001-01-01+14:00 has no UTC time
            errors["received_at"] = [_("受理时间不能早于 %(day)s") % {"day": earliest.isoformat()}]
        elif received_at > now + skew:
            errors["received_at"] = [_("受理时间不能晚于当前时间")]

    external_id = (data.external_id or "").strip() or None
    if external_id and len(external_id) > 100:
        errors["external_id"] = [_("渠道编号过长（最多 100 字符）")]
    appeal_type = data.appeal_type if data.appeal_type in APPEAL_TYPES else resolve_appeal_type(data.appeal_type)
    if appeal_type is None:
        errors["appeal_type"] = [_("未知诉求类型 %(t)s（可填 咨询、求助、投诉、举报、建议、表扬、其他）") % {
            "t": data.appeal_type}]
    phone = (data.citizen_phone or "").strip()
    if phone and not PHONE.match(phone):
        errors["citizen_phone"] = [_("电话号码格式不正确")]
    id_number = (data.citizen_id_number or "").strip()
    if id_number and not ID_NUMBER.match(id_number):
        errors["citizen_id_number"] = [_("身份证号格式不正确")]
    if len(data.citizen_name or "") > 60:
        errors["citizen_name"] = [_("姓名过长")]
    if len(data.address or "") > 300:
        errors["address"] = [_("地址过长（最多 300 字）")]

    category = data.category
    if category not in (None, "") and not isinstance(category, Category):
        category = _one(category, refs.categories.candidates(category), "category", errors, _("分类"),
                        _("可填分类代码、名称或路径，如 物业管理/物业收费"))
    category = category or None
    county, town = _regions(data, refs, errors)

    values = {
        "channel": channel, "external_id": external_id, "received_at": received_at, "title": title,
        "content": content, "citizen_name": (data.citizen_name or "").strip(), "citizen_phone": phone,
        "citizen_id_number": id_number.upper(), "anonymous": bool(data.anonymous),
        "address": (data.address or "").strip(), "category": category, "appeal_type": appeal_type,
        "county": county, "town": town, "grid": _grid(data.grid, errors),
        "lat": _coordinate(data.lat, -90, 90, "lat", errors),
        "lon": _coordinate(data.lon, -180, 180, "lon", errors),
        "tags": list(data.tags or []), "extras": dict(data.extras or {}), "content_key": data.content_key or "",
        "citizen_user": data.citizen_user,
    }
    if errors:
        raise AppealValidationError(errors)
    if values["town"] and not values["county"]:
        values["county"] = values["town"].parent
    values["confidential"] = (
        appeal_type == AppealType.REPORT if data.confidential is None else bool(data.confidential)
    )
    values["urgent"] = bool(data.urgent) or bool(category and category.is_urgent())
    return values


def create_appeal(data: NewAppeal, *, by=None, now: datetime | None = None,
                  within: Callable[[Appeal], None] | None = None) -> tuple[Appeal, bool]:
    """Store a new appeal and its ``receive`` event; returns ``(appeal, created)``.

    Idempotent on (channel, external id): a retry returns ``(existing, False)`` and writes
    nothing. Raises ``AppealValidationError`` (nothing written) on bad input. ``within(appeal)``
    runs inside the appeal's transaction (attachments, say): what must be written with the
    appeal goes there rather than into a transaction around this call, which would hold the
    day's number counter locked (PostgreSQL) until it commits.
    """
    values = validate(data, now=now)
    if values["external_id"]:
        existing = _stored(values["channel"], values["external_id"])
        if existing:
            return existing, False
    # Reserved before the appeal's transaction (see numbering.allocate): the day's counter is
    # the one row every intake writes, so it must not stay locked while the appeal is written.
    number = numbering.allocate(timezone.localdate(values["received_at"]))[0]
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(number=number, status=Status.RECEIVED, created_by=by, **values)
            event = AppealEvent.objects.create(
                appeal=appeal, action=Action.RECEIVE, from_status="", to_status=Status.RECEIVED, actor=by,
                actor_unit_id=getattr(by, "organisation_id", None), at=values["received_at"],
                payload={"channel": values["channel"].code, "external_id": values["external_id"]},
            )
            if within is not None:
                within(appeal)
            transition_recorded.send(sender=Appeal, appeal=appeal, event=event)
            transaction.on_commit(lambda: transition_committed.send(sender=Appeal, appeal=appeal, event=event))
    except IntegrityError:
        # A concurrent retry won the race on (channel, external_id): return its appeal.
        if values["external_id"]:
            existing = _stored(values["channel"], values["external_id"])
            if existing:
                return existing, False
        raise
    return appeal, True


def _probe(where: str, params: list, order: str = "") -> Appeal | None:
    """The first appeal matching a plain WHERE clause (column names quoted by the caller):
    the id by one index probe without the ORM's per-call query compilation — the usual answer
    on the intake path is "none" — then the appeal itself when there is one."""
    quote = connection.ops.quote_name
    sql = f"SELECT {quote(Appeal._meta.pk.column)} FROM {quote(Appeal._meta.db_table)} WHERE {where}{order} LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else Appeal.objects.get(pk=row[0])


def _stored(channel: Channel, external_id: str) -> Appeal | None:
    """The appeal already stored under (channel, external id)."""
    quote = connection.ops.quote_name
    return _probe(f"{quote('channel_id')} = %s AND {quote('external_id')} = %s", [channel.pk, external_id])


def stored_with_content_key(channel_code: str, content_key: str, since: datetime) -> Appeal | None:
    """The newest appeal of the channel with ``content_key`` created since ``since`` (the same
    payload posted again without an external id), or None."""
    channel = CHANNELS.get(str(channel_code or ""))
    if channel is None or not content_key:
        return None
    quote = connection.ops.quote_name
    # The partial index's own condition, spelled as Django writes it: SQLite uses such an index
    # only when the query repeats that condition word for word.
    return _probe(f"{quote('channel_id')} = %s AND {quote('content_key')} = %s AND NOT ({quote('content_key')} = '') "
                  f"AND {quote('created_at')} >= %s",
                  [channel.pk, content_key, connection.ops.adapt_datetimefield_value(since)],
                  order=f" ORDER BY {quote('created_at')} DESC")
