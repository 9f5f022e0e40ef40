"""Finding the signals: spikes (``counts`` + ``detect``), hot events (smart help's duplicate
index), risk flags (smart help's ``risk:`` tags) and repeat complainants (``appeals.repeats``,
petition words, several dissatisfied callbacks). ``run`` applies them live through
``services``; the replay (``replay.py``) applies the same signal functions to a past moment.

Settings (defaults in brackets): ``JISHIBAN_WARNINGS_EVENT_MIN_APPEALS`` (5) near-duplicates
within ``JISHIBAN_WARNINGS_EVENT_HOURS`` (24) make a hot event; ``JISHIBAN_WARNINGS_LOOKBACK_HOURS``
(24) is how far back risk and repeat signals are looked for; ``JISHIBAN_WARNINGS_PETITION_WORDS``
the words of an appeal at risk of becoming a petition; ``JISHIBAN_WARNINGS_DISSATISFIED`` (2)
dissatisfied callbacks of one caller in the repeat window.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import repeats
from jishiban.appeals.models import Appeal
from jishiban.appeals.workflow import GONE
from jishiban.regions.models import Region

from . import detect, events
from .counts import History, Taxonomy, day_share, live_history
from .models import OPEN_STATES, EarlyWarning, WarningKind
from .services import Signal

logger = logging.getLogger("jishiban.warnings")

DEFAULT_PETITION_WORDS = ("信访", "上访", "越级", "进京", "舆情", "媒体", "曝光", "网上发帖", "市长信箱", "省长")


def setting(name: str, default):
    return getattr(settings, f"JISHIBAN_WARNINGS_{name}", default)


def params() -> detect.Params:
    return detect.Params()


@dataclass
class ScanResult:
    raised: int = 0
    updated: int = 0
    ended: int = 0
    kinds: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"raised": self.raised, "updated": self.updated, "ended": self.ended, **dict(self.kinds)}


def _county_names() -> dict[int, tuple[str, str]]:
    return {pk: (code, name) for pk, code, name in Region.objects.counties().values_list("pk", "code", "name")}


# --- spikes ----------------------------------------------------------------------------------

def spike_key(county_id: int, category_id: int, tax: Taxonomy, counties, *, hour: bool = False) -> str:
    cat = tax.code.get(category_id, "all") if category_id else "all"
    county = counties.get(county_id, ("city",))[0] if county_id else "city"
    return f"spike:{cat}:{county}" + (":hour" if hour else "")


def spike_signals(h: History, now: datetime, open_days: dict[str, date], counties, p: detect.Params | None = None
                  ) -> tuple[list[Signal], list[str]]:
    """The spikes at ``now`` (one signal per cell alarming) and the open spike keys whose spike
    has ended. ``open_days`` maps the key of each open spike to the day it last alarmed."""
    p = p or params()
    today = timezone.localdate(now)
    t = h.index(today)
    shares = h.hour_shares(t)
    share = max(day_share(shares, now), 0.02)
    signals, alive = [], set()
    local = timezone.localtime(now)
    least = 1 if p.cusum_kind == "nb" else p.min_count  # the least count today that can alarm
    alarming: dict[tuple[int, int], Signal] = {}
    for (county, cat), arr in h.cells.items():
        key = spike_key(county, cat, h.tax, counties)
        last = h.index(open_days[key]) if key in open_days else None
        if arr[t] < least:
            state = detect.spike_state(False, t, last)  # nothing today: only the end is in question
        else:
            ev = detect.evaluate(arr[: t + 1], h.groups[: t + 1], p, last_share=share, from_day=t - 56)
            state = detect.spike_state(bool(ev.alarm[t]), t, last)
        if state in ("alarm", "keep"):
            alive.add(key)
        if state == "alarm":
            alarming[(county, cat)] = _spike(key, county, cat, ev, t, h, counties, local, p)
    for cell, signal in alarming.items():
        # The lowest level where the rise is significant: a cell above one that alarms too is not
        # raised anew (the lower cell's warning says more); an open warning of it goes on.
        if signal.key in open_days or not any(lower_cell(other, cell, h.tax) for other in alarming):
            signals.append(signal)
    # The city's last full hour against the hour's share of the day.
    city = h.cells.get((0, 0))
    if city is not None and local.hour:
        hour = local.hour - 1
        observed = float(h.city_hours[t, hour])
        ev = detect.evaluate(city[: t + 1], h.groups[: t + 1], p)
        part = float(shares[hour] - (shares[hour - 1] if hour else 0.0))
        alarm, mu, prob = detect.hour_alarm(observed, float(ev.expected[t]), float(ev.size[t]), part, p)
        key = spike_key(0, 0, h.tax, counties, hour=True)
        if alarm:  # the hour's warning ends with the next hour that does not alarm
            alive.add(key)
            score = detect.score_of(prob)
            signals.append(Signal(
                kind=WarningKind.SPIKE, key=key, title=_("全市受理量小时激增"),
                why=_("%(h)02d:00–%(h)02d:59 全市受理 %(o)d 件，按历史同时段预计 %(e).1f 件；负二项分布尾概率 %(p).2g") % {
                    "h": hour, "o": observed, "e": mu, "p": prob},
                observed=observed, expected=mu, score=score, probability=prob,
                detail={"hour": hour, "day": today.isoformat()}))
    ended = [k for k in open_days if k not in alive]
    return signals, ended


def lower_cell(a: tuple[int, int], b: tuple[int, int], tax: Taxonomy) -> bool:
    """Whether cell ``a`` (county id or 0, category id or 0) lies strictly under cell ``b``: in
    its county (or anywhere, for the city) and in its category's subtree (or any, for "all")."""
    if a == b:
        return False
    (ca, ka), (cb, kb) = a, b
    return (cb == 0 or ca == cb) and (kb == 0 or (ka != 0 and kb in tax.chain(ka)))


def _spike(key, county, cat, ev, t, h: History, counties, local, p: detect.Params) -> Signal:
    where = counties.get(county, ("", _("全市")))[1] if county else _("全市")
    what = h.tax.name.get(cat, "") if cat else _("全部诉求")
    observed, expected, prob = float(ev.observed[t]), float(ev.expected[t]), float(ev.p[t])
    day = h.first + timedelta(days=t)
    detail = {"day": day.isoformat(), "cusum": round(float(ev.cusum[t]), 2)}
    why = _("今日截至 %(time)s，%(where)s「%(what)s」受理 %(o)d 件，按历史（星期、节假日与调休、趋势、季节）"
            "同时段预计 %(e).1f 件；负二项分布尾概率 %(p).2g，累积和（CUSUM）%(c).1f") % {
        "time": local.strftime("%H:%M"), "where": where, "what": what, "o": observed, "e": expected, "p": prob,
        "c": float(ev.cusum[t])}
    if ev.cusum_alarm is not None and ev.cusum_alarm[t] and not prob < p.alpha:
        # Several days moderately up: what matters is the run's total against its expected total.
        start = t
        while start > 0 and ev.cusum[start - 1] > 0:
            start -= 1
        observed, expected = float(ev.run_observed[t]), float(ev.run_expected[t])
        first = h.first + timedelta(days=start)
        detail.update(run_from=first.isoformat(), run_days=t - start + 1)
        why = _("%(where)s「%(what)s」自 %(from)s 起 %(n)d 天（今日截至 %(time)s）累计受理 %(o)d 件，按历史（星期、"
                "节假日与调休、趋势、季节）预计 %(e).1f 件；负二项累积和（CUSUM，按升至预期 %(r)g 倍检验）%(c).1f，"
                "超过阈值 %(h)g") % {
            "where": where, "what": what, "from": first.strftime("%m-%d"), "n": t - start + 1,
            "time": local.strftime("%H:%M"), "o": observed, "e": expected, "r": p.cusum_shift,
            "c": float(ev.cusum[t]), "h": p.cusum_h}
    return Signal(kind=WarningKind.SPIKE, key=key, title=_("%(where)s「%(what)s」诉求激增") % {"where": where, "what": what},
                  why=why, county_id=county or None, category_id=cat or None, observed=observed, expected=expected,
                  score=ev.score(t), probability=prob, detail=detail)


def cell_appeals(signal: Signal, now: datetime, tax: Taxonomy, qs=None) -> list[int]:
    """The appeals behind a spike: the cell's appeals of the day (of the hour for the city's hour)."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end = now
    if "hour" in signal.detail:
        start = local.replace(hour=signal.detail["hour"], minute=0, second=0, microsecond=0)
        end = start + timedelta(hours=1)
    qs = (qs if qs is not None else Appeal.objects.all()).filter(received_at__gte=start, received_at__lt=end)
    if signal.county_id:
        qs = qs.filter(county_id=signal.county_id)
    if signal.category_id:
        qs = qs.filter(category_id__in=tax.subtree(signal.category_id))
    return list(qs.order_by("-received_at").values_list("pk", flat=True)[:500])


# --- risk and repeat -------------------------------------------------------------------------

def risk_labels() -> dict[str, str]:
    from jishiban.smart.models import RiskRule

    return dict(RiskRule.objects.values_list("code", "label"))


def risk_signals(since: datetime, until: datetime) -> list[Signal]:
    labels = risk_labels()
    qs = (Appeal.objects.filter(received_at__gt=since, received_at__lte=until).exclude(status__in=GONE)
          .annotate(tag_text=Cast("tags", TextField())).filter(tag_text__contains='"risk:')
          .only("pk", "number", "title", "tags", "county_id", "category_id", "received_at", "lat", "lon"))
    out = []
    for a in qs:
        flags = [t[5:] for t in a.tags if isinstance(t, str) and t.startswith("risk:")]
        names = "、".join(labels.get(f, f) for f in flags)
        out.append(Signal(kind=WarningKind.RISK, key=f"risk:{a.pk}", title=_("风险预警：%(t)s") % {"t": a.title},
                          why=_("智能辅助在诉求件 %(n)s 中识别到风险：%(f)s") % {"n": a.number, "f": names},
                          county_id=a.county_id, category_id=a.category_id, observed=len(flags), score=len(flags),
                          appeal_ids=[a.pk], first_at=a.received_at, latest_at=a.received_at,
                          lat=a.lat, lon=a.lon, detail={"flags": flags}))
    return out


def _caller_key(a) -> str:
    import hashlib

    who = a.citizen_phone or (f"user:{a.citizen_user_id}" if a.citizen_user_id else f"appeal:{a.pk}")
    return "repeat:" + hashlib.sha256(who.encode()).hexdigest()[:24]


def repeat_signals(since: datetime, until: datetime) -> list[Signal]:
    """Repeat complainants (the one repeat rule), petition words and several dissatisfied
    callbacks, one signal per caller (their new appeals join it)."""
    rule = repeats.rule()
    recent = Appeal.objects.filter(received_at__gt=since, received_at__lte=until).exclude(status__in=GONE)
    fields = ("pk", "number", "title", "content", "citizen_phone", "citizen_user_id", "county_id", "category_id",
              "received_at")
    found: dict[str, tuple] = {}
    for a in repeats.with_earlier_count(recent.only(*fields), rule).filter(earlier__gte=rule.threshold):
        found.setdefault(_caller_key(a), (a, []))[1].append(
            _("同一来电人或地址 %(d)d 天内已有 %(n)d 件同类诉求（重复诉求规则）") % {"d": rule.window_days, "n": a.earlier})
    words = tuple(setting("PETITION_WORDS", DEFAULT_PETITION_WORDS))
    for a in recent.only(*fields):
        text = f"{a.title} {a.content}"
        hit = [w for w in words if w in text]
        if hit:
            found.setdefault(_caller_key(a), (a, []))[1].append(
                _("诉求含信访、舆情风险用语：%(w)s") % {"w": "、".join(hit)})
    need = int(setting("DISSATISFIED", 2))
    phones = [p for p in recent.exclude(citizen_phone="").values_list("citizen_phone", flat=True).distinct()]
    if phones:
        window = until - rule.window
        unhappy = (Appeal.objects.filter(citizen_phone__in=phones, satisfaction="dissatisfied",
                                         received_at__gte=window).values("citizen_phone")
                   .annotate(n=Count("id")).filter(n__gte=need))
        unhappy = list(unhappy)
        latest = {}  # each phone's newest appeal in the window (ascending order: the last one wins)
        for a in (recent.filter(citizen_phone__in=[r["citizen_phone"] for r in unhappy]).only(*fields)
                  .order_by("received_at", "pk")):
            latest[a.citizen_phone] = a
        for row in unhappy:
            a = latest[row["citizen_phone"]]
            found.setdefault(_caller_key(a), (a, []))[1].append(
                _("该来电人近 %(d)d 天有 %(n)d 次回访不满意") % {"d": rule.window_days, "n": row["n"]})
    out = []
    for key, (a, reasons) in found.items():
        out.append(Signal(kind=WarningKind.REPEAT, key=key, title=_("重复及信访风险：%(t)s") % {"t": a.title},
                          why="；".join(dict.fromkeys(reasons)), county_id=a.county_id, category_id=a.category_id,
                          observed=len(reasons), score=len(reasons), appeal_ids=[a.pk], first_at=a.received_at,
                          latest_at=a.received_at))
    return out


# --- hot events ------------------------------------------------------------------------------

_pairs_seen: dict[int, tuple] = {}  # appeal id → ((received, fingerprint), its duplicates) in this process


def event_signals(now: datetime, open_events: dict[int, str]) -> list[Signal]:
    """Near-duplicate groups (smart help's live index) of at least N appeals within M hours.
    ``open_events`` maps appeal ids already in an open event to its key: a group touching one
    joins that event."""
    from jishiban.smart.dedupe.index import DUPLICATE
    from jishiban.smart.dedupe_db import fingerprint, live_index

    hours = float(setting("EVENT_HOURS", 24))
    need = int(setting("EVENT_MIN_APPEALS", 5))
    since = now - timedelta(hours=hours)
    fields = ("pk", "number", "title", "content", "citizen_phone", "citizen_user_id", "address", "received_at",
              "county_id", "lat", "lon")
    recent = list(Appeal.objects.filter(received_at__gt=since, received_at__lte=now).exclude(status__in=GONE)
                  .only(*fields))
    if not recent:
        return []
    ix = live_index()
    by_pk = {a.pk: a for a in recent}
    # An open event's earlier appeals take part too, so a new appeal like them joins the event.
    for a in Appeal.objects.filter(pk__in=list(open_events)).exclude(status__in=GONE).only(*fields):
        by_pk.setdefault(a.pk, a)
    pairs = []
    # Pairs are found from the later side (the index holds the earlier appeals), so an appeal
    # looked up once keeps its pairs: each scan looks up only the appeals it has not seen, and
    # forgets those that left the window.
    seen = _pairs_seen
    for pk in [pk for pk in seen if pk not in by_pk]:
        del seen[pk]
    for a in recent:
        mark = (a.received_at, fingerprint(a))  # the same row as when it was looked up
        got = seen.get(a.pk)
        if got is None or got[0] != mark:
            got = seen[a.pk] = (mark, [(f.candidate.id, f.candidate.score)
                                       for f in ix.query(a, limit=100, include_related=False)
                                       if f.candidate.relation == DUPLICATE])
        pairs += [(a.pk, other, score) for other, score in got[1] if other in by_pk]
    out = []
    for group in events.groups(by_pk, pairs, need=1):
        joins = any(pk in open_events for pk in group.members)
        if len(group.members) < need and not (joins and len(group.members) > 1):
            continue
        members = [by_pk[pk] for pk in group.members]
        centre = by_pk[group.centre]
        key = events.known_key(group.members, open_events, f"event:{min(group.members)}")
        counties = Counter(a.county_id for a in members if a.county_id)
        county = counties.most_common(1)[0][0] if counties else None
        points = [(float(a.lat), float(a.lon)) for a in members if a.lat is not None and a.lon is not None]
        first, latest = min(a.received_at for a in members), max(a.received_at for a in members)
        out.append(Signal(
            kind=WarningKind.EVENT, key=key, title=centre.title,
            why=_("%(h)g 小时内 %(n)d 件诉求内容相近（智能辅助重复件识别），超过热点阈值 %(need)d 件") % {
                "h": hours, "n": len(members), "need": need},
            county_id=county, observed=len(members), expected=need, score=len(members),
            appeal_ids=[a.pk for a in members], first_at=first, latest_at=latest,
            lat=round(sum(p[0] for p in points) / len(points), 6) if points else None,
            lon=round(sum(p[1] for p in points) / len(points), 6) if points else None,
            detail={"centre": centre.number, "hours": hours}))
    return out


# --- live ------------------------------------------------------------------------------------

def run(now: datetime | None = None, *, kinds=("spike", "event", "risk", "repeat")) -> ScanResult:
    """One live scan: raise, update and end warnings."""
    from . import services

    now = now or timezone.now()
    result = ScanResult()
    open_rows = list(EarlyWarning.objects.filter(state__in=OPEN_STATES, ended_at__isnull=True).values("pk", "key"))
    open_keys = {r["key"] for r in open_rows}
    signals: list[Signal] = []
    tax = Taxonomy()
    if "spike" in kinds:
        counties = _county_names()
        h = live_history(now, tax)
        open_days = {}
        for w in EarlyWarning.objects.filter(key__in=[k for k in open_keys if k.startswith("spike:")]):
            open_days[w.key] = date.fromisoformat(w.detail.get("day") or timezone.localdate(w.updated_at).isoformat())
        spikes, ended = spike_signals(h, now, open_days, counties)
        for s in spikes:
            s.appeal_ids = cell_appeals(s, now, tax)
        signals += spikes
        for w in EarlyWarning.objects.filter(key__in=ended, state__in=OPEN_STATES):
            services.end_signal(w, now=now, note=_("受理量已回落到预期范围"))
            result.ended += 1
    lookback = now - timedelta(hours=float(setting("LOOKBACK_HOURS", 24)))
    if "risk" in kinds:
        signals += risk_signals(lookback, now)
    if "repeat" in kinds:
        signals += repeat_signals(lookback, now)
    if "event" in kinds:
        members = dict(EarlyWarning.appeals.through.objects.filter(
            earlywarning__kind=WarningKind.EVENT, earlywarning__state__in=OPEN_STATES)
            .values_list("appeal_id", "earlywarning__key"))
        try:
            signals += event_signals(now, members)
        except Exception:  # the duplicate index failing must not stop the other warnings
            logger.exception("hot event scan failed")
    closed = dict(EarlyWarning.objects.filter(state="closed", closed_at__gte=now - timedelta(days=2))
                  .order_by("closed_at").values_list("key", "closed_at"))
    today = timezone.localdate(now)
    for s in signals:
        if s.key not in open_keys and s.key in closed and _settled(s, closed[s.key], today):
            continue
        _w, what = services.raise_signal(s, now=now)
        if what == "raised":
            result.raised += 1
            result.kinds[s.kind] += 1
        elif what == "updated":
            result.updated += 1
    return result


def _settled(signal: Signal, closed_at: datetime, today) -> bool:
    """A warning someone closed is not raised again for the same signal: a spike on the day it
    was closed, another signal unless appeals came after the closing."""
    if signal.kind == WarningKind.SPIKE:
        return timezone.localdate(closed_at) == today
    return signal.latest_at is None or signal.latest_at <= closed_at
