"""The one list filter of appeals, shared by the workbench lists (and their exports) and ``/api/v1``.

A ``ListFilter`` names what to keep by codes: category (with its subtree), region (a county,
town or grid, with what lies below it), status group, period, channel, lead unit, deadline
state, satisfaction and a text. ``apply_filter`` turns it into one queryset; a code that names
nothing keeps nothing. The text is an appeal number (prefix), a phone number — searched only
through ``Appeal.objects.by_identity``, so a role without identity rights finds nothing and
nobody finds a confidential appeal whose citizen they may not see — or words in the title,
content or address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .figures import OPEN, card_q

NUMBER_RE = re.compile(r"^[A-Za-z]{1,6}\d{6,}$")
PHONE_RE = re.compile(r"^\d{7,}$")
OPEN_GROUP = "open"  # the status group "在办（未办结）"
DEADLINE_STATES = ("overdue", "yellow", "normal", "not_overdue")


def day_bounds(day: date, tz=None) -> tuple[datetime, datetime]:
    """``[start, end)`` of the local ``day`` (the current time zone unless ``tz``)."""
    tz = tz or timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def count_capped(qs, cap: int = 1000) -> int:
    """``min(qs.count(), cap + 1)`` without counting past ``cap`` (a LIMITed sub-select; shown
    as "1000+"), so big lists stay cheap."""
    return qs.order_by().values("pk")[: cap + 1].count()


@dataclass
class ListFilter:
    """Empty values mean "any". ``received_from`` is inclusive, ``received_before`` exclusive.
    ``text_window``: without a period start, a word search looks at this recent span only."""

    status: tuple[str, ...] = ()
    channel: str = ""
    region: object = ""  # a code, or the Region itself (saves a query)
    category: str = ""
    unit: str = ""
    deadline: str = ""
    satisfaction: str = ""
    received_from: datetime | None = None
    received_before: datetime | None = None
    text: str = ""
    text_window: timedelta | None = None


def statuses(values) -> tuple[str, ...]:
    """Status codes with the group ``open`` expanded."""
    out: list[str] = []
    for value in values or ():
        out.extend(OPEN if value == OPEN_GROUP else (value,))
    return tuple(dict.fromkeys(out))


def category_subtree(code: str):
    """The pks of the category ``code`` and every category below it (a small sub-select)."""
    from jishiban.taxonomy.models import Category

    return Category.objects.filter(Q(code=code) | Q(parent__code=code) | Q(parent__parent__code=code)).values("pk")


def region_q(region) -> Q | None:
    """Appeals in ``region`` (a ``Region`` or its code) or below it; ``None`` when no region has
    that code."""
    from jishiban.regions.models import Region, RegionLevel

    if isinstance(region, str):
        region = Region.objects.filter(code=region).only("pk", "level").first()
    if region is None:
        return None
    if region.level == RegionLevel.CITY:
        return Q()
    if region.level == RegionLevel.COUNTY:
        return Q(county_id=region.pk)
    if region.level == RegionLevel.TOWN:
        return Q(town_id=region.pk)
    if region.level == RegionLevel.COMMUNITY:
        return Q(grid__parent_id=region.pk)
    return Q(grid_id=region.pk)


def apply_filter(qs, f: ListFilter, *, user, now: datetime):
    """``qs`` (already ``visible_to(user)``) narrowed by ``f``."""
    if f.status:
        qs = qs.filter(status__in=statuses(f.status))
    if f.channel:
        qs = qs.filter(channel__code=f.channel)
    if f.region:
        where = region_q(f.region)
        qs = qs.none() if where is None else qs.filter(where)
    if f.category:
        qs = qs.filter(category_id__in=category_subtree(f.category))
    if f.unit:
        qs = qs.filter(lead_unit__code=f.unit)
    if f.deadline == "overdue":
        qs = qs.overdue(now)
    elif f.deadline == "not_overdue":
        qs = qs.exclude(card_q("red", now))
    elif f.deadline == "yellow":
        qs = qs.with_card("yellow", now)
    elif f.deadline == "normal":
        qs = qs.with_card("", now)
    if f.satisfaction:
        qs = qs.filter(satisfaction=f.satisfaction)
    if f.received_from:
        qs = qs.filter(received_at__gte=f.received_from)
    if f.received_before:
        qs = qs.filter(received_at__lt=f.received_before)
    text = (f.text or "").strip()
    if text:
        if NUMBER_RE.match(text):
            qs = qs.filter(number__istartswith=text)
        elif PHONE_RE.match(text):
            qs = qs.by_identity(user, phone=text)
        else:
            # A substring search reads every row it considers; limited to a recent window
            # (when the caller asks for one) a word that matches nothing still answers quickly.
            if f.text_window is not None and not f.received_from:
                qs = qs.filter(received_at__gte=now - f.text_window)
            qs = qs.filter(Q(title__icontains=text) | Q(content__icontains=text) | Q(address__icontains=text))
    return qs
