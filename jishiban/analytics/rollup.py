"""Filling the daily tables from the event log: incremental, resumable, checkable.

``fill()`` takes the events (and supervision orders) after the watermark in batches. Each
batch recomputes the counters of the appeals it touches (``history`` → ``metrics.counters``),
compares them with the appeal's ``Footprint`` and applies the difference to ``DailyCount`` —
the footprints, the counts and the new watermark in one transaction, so a process killed
mid-fill leaves the last committed batch and the next run resumes after it, counting nothing
twice. The batch claims the watermark with a conditional UPDATE first: a second filler running
at the same time finds it moved and stops (``FillBusy``), on SQLite as on PostgreSQL.

Counts that depend on the clock (a deadline passed with nothing done) are true as of
``FillState.as_of``; each run first takes in the appeals whose deadline passed since then.
``rebuild(start, end)`` recomputes the appeals that touch those days from raw rows and rewrites
the days' counts from the footprints; ``check(start, end)`` recomputes from raw rows alone and
lists every difference.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.channels.models import Channel
from jishiban.organisations.models import Organisation
from jishiban.supervision.models import SupervisionOrder
from jishiban.taxonomy.models import Category

from . import borrowed, count_tables
from .history import Event, build_facts
from .metrics import MARKED_TAGS, Clock, counters
from .models import DailyCount, FillState, Footprint

# How far before a period an appeal's events can lie and still count in it (a deadline after
# the longest extension falls within this).
LOOKBACK = timedelta(days=62)
APPEAL_FIELDS = ("id", "received_at", "status", "county_id", "town_id", "category_id", "channel_id",
                 "appeal_type", "sign_deadline", "reply_deadline", "tags", "urgent")


class FillBusy(RuntimeError):
    """Another fill moved the watermark first."""


@dataclass
class FillResult:
    events: int = 0
    orders: int = 0
    appeals: int = 0
    batches: int = 0
    rows_changed: int = 0
    as_of: datetime | None = None


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the centre's time zone."""
    z = tz()
    return datetime.combine(start, time(), z), datetime.combine(end + timedelta(days=1), time(), z)


@dataclass
class _Units:
    """Reference rows one fill needs, read once: unit ids by code, categories (with their
    parents linked, for the inherited deadline profile) and channels by id."""

    ids: dict[str, int] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)

    def id(self, code: str | None) -> int:
        if not code:
            return 0
        if not self.ids:
            self.ids = dict(Organisation.objects.values_list("code", "id"))
        return self.ids.get(code, 0)

    def appeal_like(self, row: dict) -> SimpleNamespace:
        """What the deadline policy reads of an appeal, without a query per appeal."""
        if not self.channels:
            self.channels = {c.pk: c for c in Channel.objects.all()}
            self.categories = {c.pk: c for c in Category.objects.all()}
            for c in self.categories.values():
                c.parent = self.categories.get(c.parent_id)
        return SimpleNamespace(category=self.categories.get(row["category_id"]), channel_id=row["channel_id"],
                               channel=self.channels.get(row["channel_id"]), urgent=row["urgent"])


def _entries(row: dict, events: list[Event], supervised_at, clock: Clock, units: _Units) -> list[list]:
    cycles = sum(1 for e in events if e.action in ("dispatch", "reopen"))

    def deadlines_for(index, start):
        if index == cycles - 1:
            return row["sign_deadline"], row["reply_deadline"]
        return borrowed.reconstructed_deadlines(units.appeal_like(row), start)

    facts = build_facts(received_at=row["received_at"], status=row["status"], events=events,
                        deadlines_for=deadlines_for, repeat=borrowed.has_repeat_flag(row["tags"]),
                        supervised_at=supervised_at, marked=any(t in MARKED_TAGS for t in row["tags"] or ()))
    dims = [row["county_id"] or 0, row["town_id"] or 0, row["category_id"] or 0, row["channel_id"] or 0,
            row["appeal_type"] or ""]
    return sorted([name, day.isoformat(), *dims, units.id(unit), n]
                  for (name, day, unit), n in counters(facts, clock).items() if n)


def compute_entries(ids, now: datetime, units: _Units | None = None) -> dict[int, list[list]]:
    """Every counter entry of the appeals ``ids`` from raw rows, as of ``now``."""
    units = units or _Units()
    ids = list(ids)
    out: dict[int, list[list]] = {}
    clock = Clock(now=now, tz=settings.TIME_ZONE, work_minutes=borrowed.work_minutes)
    for i in range(0, len(ids), 2000):
        chunk = ids[i:i + 2000]
        rows = _appeal_rows(chunk)
        events = _events_of(chunk)
        supervised = dict(SupervisionOrder.objects.filter(appeal_id__in=chunk).values("appeal_id")
                          .annotate(first=Min("created_at")).values_list("appeal_id", "first"))
        for row in rows:
            out[row["id"]] = _entries(row, events[row["id"]], supervised.get(row["id"]), clock, units)
    return out


def _aware(at):
    """A stored moment as an aware datetime (SQLite returns UTC text without an offset)."""
    if at is None:
        return None
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _appeal_rows(ids: list[int]) -> list[dict]:
    """``APPEAL_FIELDS`` of ``ids`` as dicts, read with one plain SELECT (the ORM's per-value
    converters were a tenth of a busy day's fill)."""
    table = connection.ops.quote_name(Appeal._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(Appeal._meta.get_field(f).column) for f in APPEAL_FIELDS)
    marks = ", ".join(["%s"] * len(ids))
    out = []
    with connection.cursor() as cursor:
        pk = connection.ops.quote_name(Appeal._meta.pk.column)
        cursor.execute(f"SELECT {cols} FROM {table} WHERE {pk} IN ({marks})", ids)  # noqa: S608
        for values in cursor.fetchall():
            row = dict(zip(APPEAL_FIELDS, values, strict=True))
            for name in ("received_at", "sign_deadline", "reply_deadline"):
                row[name] = _aware(row[name])
            if isinstance(row["tags"], str | bytes):
                row["tags"] = json.loads(row["tags"])
            row["urgent"] = bool(row["urgent"])
            out.append(row)
    return out


def _events_of(ids: list[int]) -> dict[int, list[Event]]:
    """The events of ``ids`` in order, read with one plain SELECT: on a busy day the ORM's
    per-value converters (datetime strings, JSON) were a fifth of the fill's time."""
    table = connection.ops.quote_name(AppealEvent._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    out: dict[int, list[Event]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT appeal_id, action, at, payload FROM {table} "  # noqa: S608
                       f"WHERE appeal_id IN ({marks}) ORDER BY appeal_id, at, id", ids)
        for a_id, action, at, payload in cursor.fetchall():
            if isinstance(at, str):
                at = datetime.fromisoformat(at)
            if at.tzinfo is None:  # SQLite keeps UTC without an offset
                at = at.replace(tzinfo=UTC)
            if isinstance(payload, str | bytes):
                payload = json.loads(payload)
            out[a_id].append(Event(action, at, payload or {}))
    return out


def _key(entry: list) -> tuple:
    return tuple(entry[:8])


def _recompute(ids, now: datetime, units: _Units) -> Counter:
    """Refresh the footprints of ``ids``; returns the difference to apply to the counts."""
    new = compute_entries(ids, now, units)
    old = dict(Footprint.objects.filter(appeal_id__in=list(ids)).values_list("appeal_id", "entries"))
    delta: Counter = Counter()
    changed, gone = [], []
    for a_id in ids:
        before, after = old.get(a_id) or [], new.get(a_id) or []
        if before == after:
            continue
        for e in before:
            delta[_key(e)] -= e[8]
        for e in after:
            delta[_key(e)] += e[8]
        if after:
            days = [e[1] for e in after]
            changed.append((a_id, after, min(days), max(days)))
        else:
            gone.append(a_id)
    if changed:
        _save_footprints(changed)
    if gone:
        Footprint.objects.filter(appeal_id__in=gone).delete()
    return Counter({k: v for k, v in delta.items() if v})


def _save_footprints(rows: list[tuple]) -> None:
    """Upsert ``(appeal_id, entries, first_day, last_day)`` with one prepared statement over all
    rows (the ORM's bulk upsert spent most of its time building SQL and preparing JSON values)."""
    q = connection.ops.quote_name
    table = q(Footprint._meta.db_table)
    if connection.vendor == "postgresql":
        cols = [q("appeal_id"), q("entries"), q("first_day"), q("last_day")]
        count_tables.upsert_rows(table, cols, ["bigint", "jsonb", "date", "date"],
                                 [(a_id, json.dumps(entries), first, last)
                                  for a_id, entries, first, last in sorted(rows, key=lambda r: r[0])],
                                 f"ON CONFLICT ({q('appeal_id')}) DO UPDATE SET {cols[1]} = excluded.{cols[1]}, "
                                 f"{cols[2]} = excluded.{cols[2]}, {cols[3]} = excluded.{cols[3]}")
        return
    marks = "%s, %s, %s, %s"
    sql = (f"INSERT INTO {table} ({q('appeal_id')}, {q('entries')}, {q('first_day')}, {q('last_day')}) "  # noqa: S608
           f"VALUES ({marks}) ON CONFLICT ({q('appeal_id')}) DO UPDATE SET {q('entries')} = excluded.{q('entries')}, "
           f"{q('first_day')} = excluded.{q('first_day')}, {q('last_day')} = excluded.{q('last_day')}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(a_id, json.dumps(entries), first, last)
                                 for a_id, entries, first, last in sorted(rows, key=lambda r: r[0])])


def _apply(delta: Counter) -> int:
    """Add ``delta`` to the daily table and its coarse copy; rows that reach zero are deleted."""
    return count_tables.add(delta)


def _state() -> FillState:
    return FillState.objects.get_or_create(name="default")[0]


def _deadline_passed(since: datetime, now: datetime) -> set[int]:
    handling = borrowed.open_appeals()
    ids = set(handling.filter(reply_deadline__gt=since, reply_deadline__lte=now).values_list("pk", flat=True))
    ids |= set(handling.filter(sign_deadline__gt=since, sign_deadline__lte=now).values_list("pk", flat=True))
    return ids


def fill(*, now: datetime | None = None, batch: int = 20000, max_batches: int | None = None,
         after_batch=None) -> FillResult:
    """Take in everything after the watermark; returns what was done. ``after_batch(result)``
    runs after each committed batch (progress output)."""
    now = now or timezone.now()
    if connection.vendor == "sqlite":
        # A page cache that holds the busy days' index pages (the default is 2 MB); this
        # connection keeps it, at most 64 MB.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")
    units = _Units()
    result = FillResult()
    first = True
    while max_batches is None or result.batches < max_batches:
        state = _state()
        events = list(AppealEvent.objects.filter(id__gt=state.event_mark).order_by("id")
                      .values_list("id", "appeal_id")[:batch])
        orders = list(SupervisionOrder.objects.filter(id__gt=state.order_mark).order_by("id")
                      .values_list("id", "appeal_id")[:batch])
        passed = _deadline_passed(state.as_of, now) if first and state.as_of and state.as_of < now else set()
        if not events and not orders and not passed and not first:
            break
        as_of = now if first or state.as_of is None else max(state.as_of, now)
        with transaction.atomic():
            claimed = FillState.objects.filter(name=state.name, event_mark=state.event_mark,
                                               order_mark=state.order_mark).update(
                event_mark=events[-1][0] if events else state.event_mark,
                order_mark=orders[-1][0] if orders else state.order_mark, as_of=as_of)
            if claimed != 1:
                raise FillBusy("another fill is running")
            ids = sorted({a for _i, a in events} | {a for _i, a in orders} | passed)
            result.rows_changed += _apply(_recompute(ids, as_of, units))
        result.events += len(events)
        result.orders += len(orders)
        result.appeals += len(ids)
        result.batches += 1
        result.as_of = as_of
        first = False
        if after_batch:
            after_batch(result)
        if not events and not orders:
            break
    return result


def pending_events() -> int:
    return AppealEvent.objects.filter(id__gt=_state().event_mark).count()


def candidates(start: date, end: date) -> set[int]:
    """Appeals that may count on a day in [start, end]: events from ``LOOKBACK`` before it to its
    end, supervision orders in it, or a footprint reaching into it."""
    lo, hi = day_bounds(start, end)
    ids = set(AppealEvent.objects.filter(at__gte=lo - LOOKBACK, at__lt=hi).values_list("appeal_id", flat=True))
    ids |= set(SupervisionOrder.objects.filter(created_at__gte=lo, created_at__lt=hi)
               .values_list("appeal_id", flat=True))
    ids |= set(Footprint.objects.filter(first_day__lte=end, last_day__gte=start).values_list("appeal_id", flat=True))
    return ids


def raw_counts(start: date, end: date, now: datetime) -> Counter:
    """The counts of [start, end] recomputed from appeals and events alone."""
    out: Counter = Counter()
    lo, hi = start.isoformat(), end.isoformat()
    for entries in compute_entries(sorted(candidates(start, end)), now).values():
        for e in entries:
            if lo <= e[1] <= hi:
                out[_key(e)] += e[8]
    return out


def table_counts(start: date, end: date) -> Counter:
    out: Counter = Counter()
    for row in DailyCount.objects.filter(day__gte=start, day__lte=end).values_list(*count_tables.FINE, "n"):
        key = (row[0], row[1].isoformat(), *row[2:8])
        out[key] += row[8]
    return out


def rebuild(start: date, end: date) -> int:
    """Recompute the appeals touching [start, end] from raw rows and rewrite those days' counts from
    the footprints; returns the number of count rows written. Same numbers every time."""
    state = _state()
    as_of = state.as_of or timezone.now()
    with transaction.atomic():
        FillState.objects.filter(name=state.name).update(as_of=as_of)
        _apply(_recompute(sorted(candidates(start, end)), as_of, _Units()))
        sums: Counter = Counter()
        lo, hi = start.isoformat(), end.isoformat()
        for entries in (Footprint.objects.filter(first_day__lte=end, last_day__gte=start)
                        .values_list("entries", flat=True).iterator(chunk_size=2000)):
            for e in entries:
                if lo <= e[1] <= hi:
                    sums[_key(e)] += e[8]
        count_tables.replace_days(start, end, sums)
    return sum(1 for n in sums.values() if n)


def check(start: date, end: date) -> list[tuple[tuple, int, int]]:
    """[(key, in the table, from raw rows)] for every difference in [start, end], in the daily
    table, in its coarse copy (keys starting with ``UnitDayCount``) and, for the whole months
    inside [start, end], in the month table (``UnitMonthCount``)."""
    as_of = _state().as_of or timezone.now()
    raw, table = raw_counts(start, end, as_of), table_counts(start, end)
    out = [(k, table.get(k, 0), raw.get(k, 0)) for k in set(raw) | set(table) if raw.get(k, 0) != table.get(k, 0)]
    raw_c, table_c = count_tables.coarse(raw), count_tables.coarse_counts(start, end)
    out += [(("UnitDayCount", *k), table_c.get(k, 0), raw_c.get(k, 0)) for k in set(raw_c) | set(table_c)
            if raw_c.get(k, 0) != table_c.get(k, 0)]
    first, last = count_tables.whole_months(start, end)
    if first is not None:
        raw_m = Counter({k: v for k, v in count_tables.monthly(raw_c).items() if first <= k[1] <= last})
        table_m = count_tables.month_counts(first, last)
        out += [(("UnitMonthCount", *k), table_m.get(k, 0), raw_m.get(k, 0)) for k in set(raw_m) | set(table_m)
                if raw_m.get(k, 0) != table_m.get(k, 0)]
    return sorted(out, key=lambda d: tuple(map(str, d[0])))


def day_of(at: datetime) -> date:
    return timezone.localtime(at, tz()).date()



