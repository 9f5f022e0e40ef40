"""The appeal list: filters, sort orders and keyset paging that stays fast at millions of rows.

Paging never counts the whole result: a page is fetched by "rows after the last one seen"
on an indexed order, and the count is capped (shown as "10000+").
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from jishiban.appeals.filters import ListFilter, apply_filter, count_capped, day_bounds

from .desk import LIST_RELATED, UNFINISHED, by_small_set

COUNT_CAP = 10000
TEXT_WINDOW = timedelta(days=14)
PAGE_SIZE = 50

# sort key → (field, descending); ties are broken by id in the same direction.
SORTS = {
    "-received_at": ("received_at", True),
    "received_at": ("received_at", False),
    "reply_deadline": ("reply_deadline", False),
    "-reply_deadline": ("reply_deadline", True),
    "number": ("number", False),
    "-number": ("number", True),
}
DEFAULT_SORT = "-received_at"


@dataclass
class Criteria:
    """Cleaned filters (from ``forms.FilterForm``); empty values mean "any"."""

    status: list[str] | None = None
    channel: object = None
    county: object = None
    town: object = None
    category: object = None
    unit: object = None
    deadline: str = ""
    date_from: date | None = None
    date_to: date | None = None
    satisfaction: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT


def apply_filters(qs, c: Criteria, *, user, now: datetime):
    """The list's filters through the one list filter (``appeals.filters``)."""
    region = c.town if c.town is not None else c.county
    return apply_filter(qs, ListFilter(
        status=tuple(c.status or ()), channel=c.channel.code if c.channel is not None else "",
        region=region if region is not None else "",
        category=c.category.code if c.category is not None else "",
        unit=c.unit.code if c.unit is not None else "", deadline=c.deadline, satisfaction=c.satisfaction,
        received_from=day_bounds(c.date_from)[0] if c.date_from else None,
        received_before=day_bounds(c.date_to)[1] if c.date_to else None,
        text=c.q, text_window=TEXT_WINDOW,
    ), user=user, now=now)


# --- Keyset paging -------------------------------------------------------------------------------

def _encode(value, pk: int) -> str:
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, field: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        pk = int(pk)
    except (ValueError, TypeError):
        return None
    if field in ("received_at", "reply_deadline"):
        value = parse_datetime(str(value)) if value else None
        if value is None:
            return None
    return value, pk


@dataclass
class Page:
    rows: list
    next_cursor: str = ""
    prev_cursor: str = ""
    count: int = 0
    count_capped: bool = False
    sort: str = DEFAULT_SORT


def _after(field: str, desc: bool, value, pk: int) -> Q:
    """Rows after (value, pk) in the order. Written as one range on ``field`` minus the ties
    already seen, so the database walks the index instead of OR-ing two conditions."""
    if desc:
        return Q(**{f"{field}__lte": value}) & ~Q(**{field: value, "pk__gte": pk})
    return Q(**{f"{field}__gte": value}) & ~Q(**{field: value, "pk__lte": pk})


def narrows_to_open(c: Criteria) -> bool:
    """Whether the filters keep only unfinished appeals (a small set, reached by the status index)."""
    return bool(c.deadline) or bool(c.status) and set(c.status) <= set(UNFINISHED)


def keyset_page(qs, *, sort: str = DEFAULT_SORT, after: str = "", before: str = "", size: int = PAGE_SIZE,
                count: bool = True, related=LIST_RELATED, small_set: bool = False) -> Page:
    """One page of ``qs`` in ``sort`` order, after (or before) a cursor from an earlier page.

    Sorting by deadline leaves out appeals without one (they have no place in that order).
    ``small_set``: the filters already narrow ``qs`` to few rows (``narrows_to_open``); sort
    them rather than walk the sort column's index through every finished appeal.
    """
    if sort not in SORTS:
        sort = DEFAULT_SORT
    field, desc = SORTS[sort]
    if field == "reply_deadline":
        qs = qs.filter(reply_deadline__isnull=False)
    total = count_capped(qs, COUNT_CAP) if count else 0
    going_back = bool(before) and not after
    cursor = _decode(before if going_back else after, field) if (after or before) else None
    page_qs = qs
    if cursor is not None:
        value, pk = cursor
        page_qs = page_qs.filter(_after(field, desc != going_back, value, pk))
    order_desc = desc != going_back
    prefix = "-" if order_desc else ""
    first_key = by_small_set(field, desc=order_desc) if small_set else f"{prefix}{field}"
    rows = _rows_in_order(qs, page_qs.order_by(first_key, f"{prefix}pk"), size + 1, related)
    more = len(rows) > size
    rows = rows[:size]
    if going_back:
        rows.reverse()
    page = Page(rows=rows, count=min(total, COUNT_CAP), count_capped=total > COUNT_CAP, sort=sort)
    if rows:
        first, last = rows[0], rows[-1]
        has_next = more if not going_back else True
        has_prev = (cursor is not None) if not going_back else more
        if has_next:
            page.next_cursor = _encode(getattr(last, field), last.pk)
        if has_prev:
            page.prev_cursor = _encode(getattr(first, field), first.pk)
    return page


def _rows_in_order(qs, ordered, limit: int, related) -> list:
    """The first ``limit`` rows of ``ordered`` with their ``related`` rows, in two queries: the
    ids in order from the appeal table alone, then those rows joined. One query would join the
    related tables to every row the sort looks at (thousands when the filter is broad) before
    the limit applies."""
    pks = list(ordered.values_list("pk", flat=True)[:limit])
    if not pks:
        return []
    by_pk = {row.pk: row for row in qs.select_related(*related).filter(pk__in=pks).order_by()}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def export_rows(qs, *, sort: str = DEFAULT_SORT, limit: int):
    field, desc = SORTS.get(sort, SORTS[DEFAULT_SORT])
    prefix = "-" if desc else ""
    return qs.select_related(*LIST_RELATED).order_by(f"{prefix}{field}", f"{prefix}pk")[:limit]


def filtered_list(user, params, *, now):
    """``(form, queryset, criteria)`` of the list ``user`` asked for with ``params`` (a QueryDict
    of the list's filters): the page, its export and a queued export read the same rows."""
    from ..forms.filters import FilterForm
    from .desk import visible

    form = FilterForm(params or None)
    valid = form.is_valid() if form.is_bound else True
    qs = visible(user)
    criteria = form.criteria() if form.is_bound and valid else None
    if criteria is not None:
        qs = apply_filters(qs, criteria, user=user, now=now)
    return form, qs, criteria
