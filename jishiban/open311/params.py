"""Reading the query parameters of the GET lists: dates, comma lists, paging.

Each reader raises ``Open311Error(400, …)`` naming the parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from .conf import conf
from .errors import Open311Error

# "+08:00" arrives as " 08:00" when a client forgets to encode the plus sign.
_UNENCODED_PLUS = re.compile(r"^(.*T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


def parse_when(name: str, value: str | None) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    value = _UNENCODED_PLUS.sub(r"\1+\2", value)
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s 格式错误：%(value)s（应为 W3C 格式，如 2026-11-27T09:30:00+08:00）")
                           % {"name": name, "value": value[:40]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def date_range(query) -> tuple[datetime, datetime]:
    """``start_date`` / ``end_date``; a missing end is now, a missing start DEFAULT_DAYS before the end."""
    start, end = parse_when("start_date", query.get("start_date")), parse_when("end_date", query.get("end_date"))
    end = end or timezone.now()
    start = start or end - timedelta(days=conf()["DEFAULT_DAYS"])
    if start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date"))
    return start, end


def comma_list(query, name: str, *, limit: int = 200) -> list[str]:
    """Values of ``name``, comma-delimited and/or repeated, blanks dropped, order kept."""
    values: list[str] = []
    for raw in query.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if part and part not in values:
                values.append(part)
    if len(values) > limit:
        raise Open311Error(400, _("%(name)s 最多 %(n)d 个") % {"name": name, "n": limit})
    return values


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def _positive(query, name: str, default: int) -> int:
    raw = (query.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, _("%(name)s 须为正整数：%(value)s") % {"name": name, "value": raw[:20]})
    return int(raw)


def paging(query) -> Page:
    """The paging extension: ``page`` (from 1) and ``page_size`` (at most MAX_PAGE_SIZE)."""
    settings = conf()
    size = _positive(query, "page_size", settings["PAGE_SIZE"])
    if size > settings["MAX_PAGE_SIZE"]:
        raise Open311Error(400, _("page_size 最大为 %(n)d") % {"n": settings["MAX_PAGE_SIZE"]})
    return Page(_positive(query, "page", 1), size)
