"""Replay of ../shared/data/teddy2020/hotspot_messages.csv (13 months of real messages to a
city's government, 2019-01…2020-01) through the warning detectors, hour by hour, as the live
scan would have seen them: what would have been raised and when.

* spikes — the pure detector (``warnings.detect``) on the day counts of the whole city and of
  each district named in the messages (A1区 … A9市; the file has no category labels, so only
  "all categories"), the day so far judged against its share of the day at each hourly step,
  one warning per ongoing spike (``detect.spike_state``);
* hot events — smart help's duplicate index (``smart.dedupe.index.DuplicateIndex`` with its
  default thresholds, without embeddings: the lexical and topic signals), each message queried
  as it arrives, the pairs grouped by ``warnings.events.groups``: at least N messages within M
  hours (the live defaults, 5 in 24 h), a group touching an open event joining it.

Prints a summary and the list (time, kind, where, numbers, the event's title); rows of the data
are not written anywhere. Needs the file; exits with a message without it.

    python bench/warnings_teddy.py [--csv PATH] [--need 5] [--hours 24] [--list 40]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jishiban.smart.dedupe.index import DUPLICATE, DuplicateIndex  # noqa: E402
from jishiban.warnings import detect, events  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT = ROOT.parent.parent / "shared/data/teddy2020/hotspot_messages.csv"
PLACE = re.compile(r"A\d+[区县市]")


def read(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            raw = r["留言时间"].strip().replace("-", "/")
            try:
                at = datetime.strptime(raw, "%Y/%m/%d %H:%M:%S").replace(tzinfo=TZ)
            except ValueError:
                continue
            text = f"{r['留言主题']}。{r['留言详情']}"
            m = PLACE.search(text)
            out.append({"id": r["留言编号"], "at": at, "title": r["留言主题"], "text": text,
                        "caller": f"user:{r['留言用户']}", "place": m.group(0) if m else None})
    out.sort(key=lambda r: r["at"])
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", type=Path, default=DEFAULT)
    ap.add_argument("--need", type=int, default=5)
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--list", type=int, default=40)
    args = ap.parse_args(argv)
    if not args.csv.exists():
        print(f"{args.csv} not found: nothing to replay")
        return
    import chinese_calendar

    rows = read(args.csv)
    first, last = rows[0]["at"].date(), rows[-1]["at"].date()
    n_days = (last - first).days + 1
    day0 = datetime.combine(first, datetime.min.time(), tzinfo=TZ)
    groups = np.array([detect.day_group((first + timedelta(days=i)).weekday(),
                                        chinese_calendar.is_workday(first + timedelta(days=i))) for i in range(n_days)])
    places = sorted({r["place"] for r in rows if r["place"]})
    cells = {c: np.zeros(n_days) for c in ["全市", *places]}
    hours = np.zeros((n_days, 24))
    p = detect.Params()
    index = DuplicateIndex(window_days=30, repeat_window_days=365)
    pairs: list[tuple[str, str, float]] = []
    at_of: dict[str, datetime] = {}
    title_of: dict[str, str] = {}
    open_spikes: dict[str, int] = {}  # open spike → the day it last alarmed
    open_events: dict[str, str] = {}
    raised: list[tuple[datetime, str, str, str]] = []
    started = time.monotonic()
    pos = 0
    steps = n_days * 24
    for step in range(1, steps + 1):
        moment = day0 + timedelta(hours=step)
        new = []
        while pos < len(rows) and rows[pos]["at"] < moment:
            r = rows[pos]
            i = (r["at"].date() - first).days
            cells["全市"][i] += 1
            if r["place"]:
                cells[r["place"]][i] += 1
            hours[i, r["at"].hour] += 1
            for c in index.query(r["text"], at=r["at"], caller=r["caller"], limit=50):
                if c.relation == DUPLICATE:
                    pairs.append((r["id"], c.id, c.score))
            index.add(r["id"], r["text"], at=r["at"], caller=r["caller"])
            at_of[r["id"]], title_of[r["id"]] = r["at"], r["title"]
            new.append(r)
            pos += 1
        at = moment - timedelta(microseconds=1)
        t = (at.date() - first).days
        shares = detect.hour_shares(hours[max(0, t - 28):t].sum(axis=0))
        share = max(float(shares[at.hour]), 0.02)  # the day so far: up to the end of the hour just passed
        if t >= 60:  # two months of history before the first judgement
            for name, arr in cells.items():
                key = f"spike:{name}"
                if arr[t] < p.min_count:
                    if detect.spike_state(False, t, open_spikes.get(key)) == "end":
                        open_spikes.pop(key)
                    continue
                ev = detect.evaluate(arr[: t + 1], groups[: t + 1], p, last_share=share)
                state = detect.spike_state(bool(ev.alarm[t]), t, open_spikes.get(key))
                if state == "alarm":
                    if key not in open_spikes:
                        raised.append((moment, "spike", name, f"{ev.observed[t]:.0f} / {ev.expected[t]:.1f}, "
                                                             f"p={ev.p[t]:.1e}, CUSUM {ev.cusum[t]:.1f}"))
                    open_spikes[key] = t
                elif state == "end":
                    open_spikes.pop(key)
        if new:
            horizon = moment - timedelta(hours=args.hours)
            recent = [k for k, v in at_of.items() if v >= horizon] + list(open_events)
            live = [(a, b, s) for a, b, s in pairs if a in at_of and at_of[a] >= horizon]
            for g in events.groups(dict.fromkeys(recent), live, need=1):
                joins = any(m in open_events for m in g.members)
                if len(g.members) < args.need and not (joins and len(g.members) > 1):
                    continue
                key = events.known_key(g.members, open_events, f"event:{min(g.members)}")
                if not joins:
                    raised.append((moment, "event", "", f"{len(g.members)} 条：{title_of[g.centre]}"))
                for m in g.members:
                    open_events[m] = key
        if step % (24 * 30) == 0:
            spent = time.monotonic() - started
            print(f"  {at.date()}: {step}/{steps} h, ETA {spent / step * (steps - step):.0f} s", file=sys.stderr)
    seconds = time.monotonic() - started
    kinds = Counter(k for _m, k, _w, _x in raised)
    by_month = defaultdict(Counter)
    for m, k, _w, _x in raised:
        by_month[m.strftime("%Y-%m")][k] += 1
    print(f"messages: {len(rows)} ({first} … {last}), hourly steps: {steps}, replay {seconds:.1f} s")
    print(f"raised: {kinds['spike']} spikes, {kinds['event']} hot events (≥ {args.need} near-duplicates in {args.hours:g} h)")
    print("| month | spikes | hot events |\n|---|---|---|")
    for month in sorted(by_month):
        print(f"| {month} | {by_month[month]['spike']} | {by_month[month]['event']} |")
    print()
    for m, k, where, what in raised[: args.list]:
        print(f"{m:%Y-%m-%d %H:00} {k:5} {where:4} {what[:60]}")


if __name__ == "__main__":
    main()
