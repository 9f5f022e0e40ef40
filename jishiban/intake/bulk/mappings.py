"""Column mappings: a file's own layout → the canonical import row.

Canonical columns: external_id, received_at, title, content, address, lat, lon, citizen_name,
citizen_phone, appeal_type, category, county, town (types, categories, counties and towns by code,
name or variant: ``creation.validate`` resolves them). A mapping only translates (names, time
formats, time zones); validation is the pipeline's, the same as for every other channel.

- ``canonical``: the columns above; ``received_at`` in ISO 8601 (no offset = TIME_ZONE).
- ``teddy``: the 2020 Teddy Cup message-board layout (留言编号, 留言用户, 留言主题, 留言时间
  ``2019/2/28 11:25:05``, 留言详情, optional 一级分类/一级标签/反对数/点赞数). Files without
  留言编号 get ids derived from the content; without 留言时间 the import time is used.
- ``nyc311``: NYC 311 service requests, CSV (``Unique Key``, ``Created Date``
  ``06/26/2018 10:58:54 AM``) or Socrata JSON (``unique_key``, ``created_date`` ISO), times in
  America/New_York.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

CANONICAL = ("external_id", "received_at", "title", "content", "address", "lat", "lon", "citizen_name",
             "citizen_phone", "appeal_type", "category", "county", "town")


class MappingError(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def text(value) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_time(value, formats: tuple[str, ...], tz, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        raw = str(value).strip()
        parsed = None
        for fmt in formats:
            try:
                parsed = datetime.strptime(raw, fmt)  # noqa: DTZ007 - made aware right below
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = datetime.fromisoformat(raw)
            except ValueError:
                raise MappingError(field, f"时间格式无法识别：{raw}")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, tz)


@dataclass(frozen=True)
class Mapping:
    name: str
    required: tuple[tuple[str, ...], ...]  # each inner tuple: one of these columns must exist
    convert: Callable[[dict], dict]

    def missing_columns(self, header) -> list[str]:
        names = set(header)
        return [" / ".join(options) for options in self.required if not names.intersection(options)]


def canonical(raw: dict) -> dict:
    row = {name: text(raw.get(name)) for name in CANONICAL if name not in ("received_at", "lat", "lon")}
    received = raw.get("received_at")
    row["received_at"] = received if isinstance(received, datetime) else (text(received) or None)
    for name in ("lat", "lon"):
        row[name] = raw.get(name) if isinstance(raw.get(name), int | float) else (text(raw.get(name)) or None)
    row["appeal_type"] = row["appeal_type"] or "consult"
    return row


TEDDY_TIME = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d")


def teddy(raw: dict) -> dict:
    extras = {"board_user": text(raw.get("留言用户"))}
    for column, key in (("一级分类", "label"), ("一级标签", "label"), ("反对数", "against"), ("点赞数", "likes")):
        if text(raw.get(column)):
            extras[key] = text(raw.get(column))
    return {
        "external_id": text(raw.get("留言编号")), "title": text(raw.get("留言主题")),
        "content": text(raw.get("留言详情")) or text(raw.get("留言主题")),
        "received_at": _parse_time(raw.get("留言时间"), TEDDY_TIME, timezone.get_default_timezone(), "留言时间"),
        "appeal_type": "consult", "extras": extras,
    }


NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NYC_TIME = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")


def _pick(raw: dict, *names):
    for name in names:
        if name in raw and raw[name] not in (None, ""):
            return raw[name]
    return None


def nyc311(raw: dict) -> dict:
    complaint = text(_pick(raw, "Complaint Type", "complaint_type"))
    descriptor = text(_pick(raw, "Descriptor", "descriptor"))
    street = text(_pick(raw, "Incident Address", "incident_address"))
    city = text(_pick(raw, "City", "city"))
    borough = text(_pick(raw, "Borough", "borough"))
    address = ", ".join(part for part in (street, city or borough) if part)
    extras = {key: text(_pick(raw, *names)) for key, names in (
        ("agency", ("Agency", "agency")), ("borough", ("Borough", "borough")), ("zip", ("Incident Zip", "incident_zip")),
        ("status", ("Status", "status")), ("source_channel", ("Open Data Channel Type", "open_data_channel_type")),
    ) if text(_pick(raw, *names))}
    return {
        "external_id": text(_pick(raw, "Unique Key", "unique_key")),
        "title": complaint,
        "content": f"{complaint}: {descriptor}" if complaint and descriptor else (descriptor or complaint),
        "received_at": _parse_time(_pick(raw, "Created Date", "created_date"), NYC_TIME, NEW_YORK, "Created Date"),
        "address": address, "lat": _pick(raw, "Latitude", "latitude"), "lon": _pick(raw, "Longitude", "longitude"),
        "appeal_type": "complaint", "extras": extras,
    }


MAPPINGS = {
    "canonical": Mapping("canonical", (("content",),), canonical),
    "teddy": Mapping("teddy", (("留言主题", "留言详情"),), teddy),
    "nyc311": Mapping("nyc311", (("Unique Key", "unique_key"), ("Created Date", "created_date"),
                                 ("Complaint Type", "complaint_type")), nyc311),
}
