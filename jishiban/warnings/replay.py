"""Replaying the stored appeals as if the scan had run live, hour by hour.

The appeals received before the replay's first day (the history the detector needs) are counted
first; then each step adds the appeals received up to its moment and runs the same signal
functions as the live scan on what is known then: nothing received later is counted. An
appeal's category, county and tags are those it had at the moment, from the event log
(``timeline.Timeline``): it is counted in the cell it had when received, and moved when a
correction's moment passes; a risk tag counts from when smart help added it; an appeal that
left the pool (merged, invalid, withdrawn) leaves the hot events from then. Dissatisfied
callbacks count from the moment of the callback, like the live scan's rule (at least
``JISHIBAN_WARNINGS_DISSATISFIED`` of one caller within the repeat window, when the caller has
a new appeal in the look-back window). The repeat rule itself (``appeals.repeats``) is asked at
each step of the appeals received in it, ``as_of`` the step: its categories and merges are
those known then, from the same event log. Nothing is written: open warnings
are kept in memory, one per key, so an ongoing spike is reported once. Each warning it would
have raised is yielded as a dict (the command prints one JSON line each).

Hot events come from a duplicate index of smart help's own class (``DuplicateIndex``, its
windows and thresholds; the stored embeddings are not used, so the lexical and topic signals
decide) filled in time order from the replay's first day, each appeal looked up as it arrives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import repeats
from jishiban.appeals.models import Appeal

from . import events
from .counts import HISTORY_DAYS, History, Taxonomy
from .models import WarningKind
from .scan import (
    DEFAULT_PETITION_WORDS,
    _caller_key,
    _county_names,
    risk_labels,
    setting,
    spike_signals,
)
from .timeline import Timeline

FIELDS = ("pk", "number", "received_at", "county_id", "category_id", "tags", "title", "content", "citizen_phone",
          "citizen_user_id", "status", "address")


def _midnight(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, datetime.min.time()))


def replay(start: date, end: date, *, kinds=("spike", "event", "risk", "repeat"),
           progress: Callable[[int, int, datetime], None] | None = None) -> Iterator[dict]:
    tax = Taxonomy()
    counties = _county_names()
    first = start - timedelta(days=HISTORY_DAYS)
    h = History(first, end, tax)
    begin, stop = _midnight(start), _midnight(end + timedelta(days=1))
    line = Timeline(_midnight(first), stop)
    changes, c = line.changes, 0
    before: dict[int, dict] = {}  # the values the history's appeals had at the start
    while c < len(changes) and changes[c][0] < begin:
        at, pk, field, value = changes[c]
        before.setdefault(pk, {})[field] = value
        c += 1
    known: dict[int, dict] = {}  # appeals counted so far: received day and current values
    history = (Appeal.objects.filter(received_at__gte=_midnight(first), received_at__lt=begin)
               .values("pk", "received_at", "county_id", "category_id", "tags", "citizen_phone"))
    for r in history.iterator(chunk_size=5000):
        r = {**line.at_receipt(r), **before.get(r["pk"], {})}
        local = timezone.localtime(r["received_at"])
        h.add(local.date(), r["county_id"], r["category_id"])
        h.add_hour(local.date(), local.hour)
        known[r["pk"]] = r
    rows = [line.at_receipt(r) for r in Appeal.objects.filter(received_at__gte=begin, received_at__lt=stop)
            .order_by("received_at", "pk").values(*FIELDS)]
    unhappy = _Unhappy(known, int(setting("DISSATISFIED", 2)))
    for r in known.values():
        if before.get(r["pk"], {}).get("satisfaction") == "dissatisfied":
            unhappy.set(r["pk"], "dissatisfied")
    rule = repeats.rule()
    labels = risk_labels()
    words = tuple(setting("PETITION_WORDS", DEFAULT_PETITION_WORDS))
    codes = {pk: code for pk, (code, _n) in counties.items()}
    open_keys: set[str] = set()  # repeat callers
    open_spikes: dict[str, date] = {}  # open spike → the day it last alarmed
    raised_risk: set[int] = set()
    hot = _Events(codes, tax) if "event" in kinds else None
    steps = int((stop - begin).total_seconds() // 3600)
    pos = 0
    today_rows: list[dict] = []
    lookback = timedelta(hours=float(setting("LOOKBACK_HOURS", 24)))
    window = rule.window
    gone: set[int] = set()
    for step in range(1, steps + 1):
        moment = begin + timedelta(hours=step)
        new, flagged = [], []
        while pos < len(rows) and rows[pos]["received_at"] < moment:
            r = rows[pos]
            local = timezone.localtime(r["received_at"])
            h.add(local.date(), r["county_id"], r["category_id"])
            h.add_hour(local.date(), local.hour)
            new.append(r)
            known[r["pk"]] = r
            pos += 1
        while c < len(changes) and changes[c][0] < moment:
            at, pk, field, value = changes[c]
            c += 1
            r = known.get(pk)
            if r is None:
                continue
            if field in ("category_id", "county_id") and r[field] != value:
                day = timezone.localdate(r["received_at"])
                h.add(day, r["county_id"], r["category_id"], -1)
                r[field] = value
                h.add(day, r["county_id"], r["category_id"])
            elif field == "tags":
                had = _risk_flags(r)
                r["tags"] = value
                if _risk_flags(r) - had and r["received_at"] >= at - lookback and pk not in gone:
                    flagged.append(r)
            elif field == "satisfaction":
                unhappy.set(pk, value)
            elif field == "gone":
                gone.add(pk)
        day = timezone.localdate(moment - timedelta(microseconds=1))
        today_rows = [r for r in today_rows if timezone.localdate(r["received_at"]) == day] + new
        at = moment - timedelta(microseconds=1)  # the end of the hour just passed
        if "spike" in kinds:
            spikes, ended = spike_signals(h, at, open_spikes, counties)
            for key in ended:
                open_spikes.pop(key, None)
            for s in spikes:
                was_open = s.key in open_spikes
                open_spikes[s.key] = day
                if not was_open:
                    yield _line(s, moment, tax, codes, _spike_numbers(s, today_rows, tax, at))
        risky = {r["pk"]: r for r in [*new, *flagged] if _risk_flags(r) and r["pk"] not in gone}
        for r in risky.values() if "risk" in kinds else ():
            flags = sorted(_risk_flags(r))
            if r["pk"] not in raised_risk:
                raised_risk.add(r["pk"])
                yield {"kind": WarningKind.RISK.value, "raised_at": moment.isoformat(),
                       "category": tax.code.get(r["category_id"]), "county": codes.get(r["county_id"]),
                       "observed": len(flags), "expected": 0, "score": len(flags), "appeals": [r["number"]],
                       "why": "、".join(labels.get(f[5:], f[5:]) for f in flags)}
        if "repeat" in kinds:
            yield from unhappy.signals(rows, pos, moment, lookback, window, open_keys, tax, codes)
        earlier = _repeats([r["pk"] for r in new if r["pk"] not in gone], rule, at) if "repeat" in kinds else {}
        for r in new:
            if "repeat" in kinds and r["pk"] not in gone:
                text = f"{r['title']} {r['content']}"
                hit = r["pk"] in earlier or any(w in text for w in words)
                key = _caller_key(_Row(r))
                if hit and key not in open_keys:
                    open_keys.add(key)
                    yield {"kind": WarningKind.REPEAT.value, "raised_at": moment.isoformat(),
                           "category": tax.code.get(r["category_id"]), "county": codes.get(r["county_id"]),
                           "observed": earlier.get(r["pk"], 0), "expected": 0, "score": 1, "appeals": [r["number"]]}
        if hot is not None and new:
            yield from hot.step(new, moment, gone)
        if progress is not None:
            progress(step, steps, moment)


class _Events:
    """Hot events as the live scan finds them (``scan.event_signals``), on an index filled as
    the replay walks forward."""

    def __init__(self, codes, tax):
        from jishiban.smart import conf
        from jishiban.smart.dedupe.index import DuplicateIndex

        self.index = DuplicateIndex(window_days=float(conf.get("DUPLICATE_WINDOW_DAYS")),
                                    repeat_window_days=float(conf.repeat_window_days()))
        self.hours = float(setting("EVENT_HOURS", 24))
        self.need = int(setting("EVENT_MIN_APPEALS", 5))
        self.codes, self.tax = codes, tax
        self.rows: dict[int, dict] = {}
        self.pairs: list[tuple[int, int, float]] = []
        self.open: dict[int, str] = {}

    def step(self, new: list[dict], moment, gone: set[int]) -> Iterator[dict]:
        from jishiban.smart.dedupe.index import DUPLICATE
        from jishiban.smart.dedupe_db import caller_of, text_of

        for r in new:
            if r["pk"] in gone:
                continue
            for c in self.index.query(text_of(r), at=r["received_at"], caller=caller_of(r),
                                      address=r["address"] or None, limit=100):
                if c.relation == DUPLICATE:
                    self.pairs.append((r["pk"], c.id, c.score))
            self.index.add(r["pk"], text_of(r), at=r["received_at"], caller=caller_of(r), address=r["address"] or None)
            self.rows[r["pk"]] = r
        horizon = moment - timedelta(hours=self.hours)
        recent = ({pk for pk, r in self.rows.items() if r["received_at"] >= horizon} | set(self.open)) - gone
        pairs = [(a, b, s) for a, b, s in self.pairs if self.rows[a]["received_at"] >= horizon]
        self.pairs = pairs  # older pairs can no longer link a recent appeal
        for g in events.groups(recent, pairs, need=1):
            joins = any(m in self.open for m in g.members)
            if len(g.members) < self.need and not (joins and len(g.members) > 1):
                continue
            key = events.known_key(g.members, self.open, f"event:{min(g.members)}")
            for m in g.members:
                self.open[m] = key
            if joins:
                continue
            members = [self.rows[m] for m in g.members]
            county = Counter(r["county_id"] for r in members if r["county_id"]).most_common(1)
            category = Counter(r["category_id"] for r in members if r["category_id"]).most_common(1)
            yield {"kind": WarningKind.EVENT.value, "raised_at": moment.isoformat(),
                   "category": self.tax.code.get(category[0][0]) if category else None,
                   "county": self.codes.get(county[0][0]) if county else None,
                   "observed": len(members), "expected": self.need, "score": len(members),
                   "appeals": sorted(r["number"] for r in members), "why": self.rows[g.centre]["title"]}


def _repeats(pks: list[int], rule, at: datetime) -> dict[int, int]:
    """The repeat rule as it stood at ``at``: of the appeals ``pks``, those that were repeats
    then, with their count of earlier appeals (categories and merges as known at ``at``)."""
    if not pks:
        return {}
    qs = repeats.with_earlier_count(Appeal.objects.filter(pk__in=pks), rule, as_of=at)
    return dict(qs.filter(earlier__gte=rule.threshold).values_list("pk", "earlier"))


def _risk_flags(r: dict) -> set[str]:
    return {t for t in r.get("tags") or [] if isinstance(t, str) and t.startswith("risk:")}


class _Unhappy:
    """Dissatisfied callbacks known so far, by caller's phone: the live scan's rule
    (``scan.repeat_signals``) at each step."""

    def __init__(self, known: dict[int, dict], need: int):
        self.known, self.need = known, need
        self.by_phone: dict[str, set[int]] = {}

    def set(self, pk: int, satisfaction: str) -> None:
        r = self.known.get(pk)
        if r is None or not r.get("citizen_phone"):
            return
        mine = self.by_phone.setdefault(r["citizen_phone"], set())
        (mine.add if satisfaction == "dissatisfied" else mine.discard)(pk)

    def signals(self, rows, pos, moment, lookback, window, open_keys, tax, codes) -> Iterator[dict]:
        if not any(len(v) >= self.need for v in self.by_phone.values()):
            return
        since = moment - lookback
        latest: dict[str, dict] = {}
        i = pos - 1
        while i >= 0 and rows[i]["received_at"] > since:  # the callers' new appeals, newest first
            latest.setdefault(rows[i]["citizen_phone"], rows[i])
            i -= 1
        for phone, r in latest.items():
            pks = [pk for pk in self.by_phone.get(phone, ()) if self.known[pk]["received_at"] >= moment - window]
            key = _caller_key(_Row(r))
            if phone and len(pks) >= self.need and key not in open_keys:
                open_keys.add(key)
                yield {"kind": WarningKind.REPEAT.value, "raised_at": moment.isoformat(),
                       "category": tax.code.get(r["category_id"]), "county": codes.get(r["county_id"]),
                       "observed": len(pks), "expected": 0, "score": len(pks), "appeals": [r["number"]],
                       "why": _("该来电人近 %(d)d 天有 %(n)d 次回访不满意") % {"d": window.days, "n": len(pks)}}


class _Row:
    def __init__(self, r: dict):
        self.pk, self.citizen_phone, self.citizen_user_id = r["pk"], r["citizen_phone"], r["citizen_user_id"]


def _spike_numbers(signal, rows, tax: Taxonomy, at) -> list[str]:
    sub = set(tax.subtree(signal.category_id)) if signal.category_id else None
    hour = signal.detail.get("hour")
    out = []
    for r in rows:
        if signal.county_id and r["county_id"] != signal.county_id:
            continue
        if sub is not None and r["category_id"] not in sub:
            continue
        if hour is not None and timezone.localtime(r["received_at"]).hour != hour:
            continue
        out.append(r["number"])
    return out[-500:]


def _line(s, moment, tax: Taxonomy, codes, numbers) -> dict:
    return {"kind": s.kind.value if hasattr(s.kind, "value") else s.kind, "raised_at": moment.isoformat(),
            "category": tax.code.get(s.category_id) if s.category_id else None,
            "county": codes.get(s.county_id) if s.county_id else None,
            "observed": s.observed, "expected": round(s.expected, 2), "score": s.score, "appeals": numbers,
            "why": s.why}
