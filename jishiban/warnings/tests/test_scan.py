"""The live scan and the replay on stored appeals: an injected spike is raised on its day, not
before; one warning per ongoing spike; risk flags become warnings."""

import json
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.testing import make_appeal
from jishiban.warnings import scan
from jishiban.warnings.models import EarlyWarning

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2).date()  # a Monday; history runs 63 days before the spike
SPIKE = START + timedelta(days=63)


def _history(*, spike: int = 40):
    """Three appeals a day in one cell (020101 in 370811) at 10:00, and ``spike`` more on SPIKE."""
    seed = make_appeal(title="小区停水")
    rows = []
    n = 0
    for d in range(70):
        day = START + timedelta(days=d)
        k = 3 + (spike if day == SPIKE else 0)
        for i in range(k):
            n += 1
            at = timezone.make_aware(datetime.combine(day, time(9, 0))) + timedelta(minutes=i)
            rows.append(Appeal(number=f"T{n:06d}", channel_id=seed.channel_id, received_at=at, title="小区停水",
                               content="停水了", county_id=seed.county_id, category_id=seed.category_id,
                               status="received", citizen_phone=f"139{n:08d}"))
    Appeal.objects.bulk_create(rows)
    seed.delete()


def _replay(start, end):
    out = StringIO()
    call_command("warnings", "replay", "--from", start.isoformat(), "--to", end.isoformat(), "--json",
                 stdout=out, stderr=StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_replay_raises_the_spike_on_its_day_and_nothing_before(reference_data):
    _history()
    lines = _replay(SPIKE - timedelta(days=4), SPIKE + timedelta(days=1))
    spikes = [x for x in lines if x["kind"] == "spike"]
    assert spikes, lines
    for x in spikes:
        assert set(x) == {"kind", "raised_at", "category", "county", "observed", "expected", "score", "appeals"}
        assert datetime.fromisoformat(x["raised_at"]) > timezone.make_aware(datetime.combine(SPIKE, time(9, 0)))
    leaf = [x for x in spikes if x["category"] == "020101" and x["county"] == "370811"]
    assert len(leaf) == 1  # one warning for the ongoing spike, not one per hour
    assert leaf[0]["observed"] >= 40 and leaf[0]["expected"] < 10 and len(leaf[0]["appeals"]) >= 40
    # The same 40 identical appeals are one hot event, raised on the day, joined not repeated.
    hot = [x for x in lines if x["kind"] == "event"]
    assert len(hot) == 1 and hot[0]["raised_at"].startswith(SPIKE.isoformat()), hot
    assert hot[0]["county"] == "370811" and hot[0]["observed"] >= 5


def test_replay_of_a_quiet_history_raises_no_spike(reference_data):
    _history(spike=0)
    lines = _replay(SPIKE - timedelta(days=3), SPIKE + timedelta(days=1))
    assert [x for x in lines if x["kind"] == "spike"] == []


def test_live_scan_raises_one_warning_and_ends_it(reference_data):
    _history()
    at = timezone.make_aware(datetime.combine(SPIKE, time(15, 0)))
    scan.run(at, kinds=("spike",))
    leaf = EarlyWarning.objects.get(key="spike:020101:370811")
    assert leaf.observed >= 40 and leaf.appeals.count() >= 40 and "负二项" in leaf.why
    scan.run(at + timedelta(hours=1), kinds=("spike",))
    assert EarlyWarning.objects.filter(key="spike:020101:370811").count() == 1
    later = timezone.make_aware(datetime.combine(SPIKE + timedelta(days=2), time(15, 0)))
    scan.run(later, kinds=("spike",))
    leaf.refresh_from_db()
    assert leaf.state == "closed" and leaf.ended_at is not None


def test_risk_flag_becomes_a_warning(personas):
    appeal = make_appeal(title="讨要工资", content="老板拖欠工资半年，几十名工人要去堵路")
    Appeal.objects.filter(pk=appeal.pk).update(tags=["risk:wage_arrears", "risk:group_incident"])
    r = scan.run(timezone.now(), kinds=("risk",))
    assert r.raised == 1
    w = EarlyWarning.objects.get(kind="risk")
    assert list(w.appeals.values_list("pk", flat=True)) == [appeal.pk] and appeal.number in w.why
    assert scan.run(timezone.now(), kinds=("risk",)).raised == 0


def test_petition_words_make_a_repeat_warning(personas):
    make_appeal(title="物业问题", content="再不解决我就去市里上访，还要找媒体曝光")
    scan.run(timezone.now(), kinds=("repeat",))
    w = EarlyWarning.objects.get(kind="repeat")
    assert "上访" in w.why


def test_near_duplicates_make_one_hot_event_that_new_appeals_join(personas, settings):
    from jishiban.smart.dedupe_db import reset_live_index

    settings.JISHIBAN_WARNINGS_EVENT_MIN_APPEALS = 3
    reset_live_index()
    text = "太白湖路与共青团路交叉口的路灯全部不亮，晚上行人车辆通行很危险，请尽快维修"
    first = [make_appeal(title="太白湖路路灯不亮", content=text, citizen_phone=f"1390000000{i}") for i in range(3)]
    make_appeal(title="噪音扰民", content="楼下饭店油烟和噪音扰民严重", citizen_phone="13911112222")
    scan.run(timezone.now(), kinds=("event",))
    event = EarlyWarning.objects.get(kind="event")
    assert set(event.appeals.values_list("pk", flat=True)) == {a.pk for a in first}
    assert event.title == "太白湖路路灯不亮" and event.observed == 3
    later = make_appeal(title="太白湖路路灯不亮", content=text, citizen_phone="13900000009")
    scan.run(timezone.now(), kinds=("event",))
    assert EarlyWarning.objects.filter(kind="event").count() == 1
    assert event.appeals.filter(pk=later.pk).exists()


def test_day_counts_from_the_daily_tables_equal_those_from_the_appeals(personas):
    from zoneinfo import ZoneInfo

    from jishiban.analytics import rollup
    from jishiban.analytics.tests.histories import make_history
    from jishiban.warnings.counts import live_history

    make_history(personas, n=40)
    now = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    rollup.fill(now=now)
    tables, appeals = live_history(now), live_history(now, tables=False)
    assert tables.cells.keys() == appeals.cells.keys() and len(tables.cells) > 3
    for key, arr in appeals.cells.items():
        assert (tables.cells[key] == arr).all(), key
    assert tables.cells[(0, 0)].sum() == 40


def test_repeat_complainant_and_dissatisfied_callbacks(personas, settings):
    settings.JISHIBAN_REPEAT_THRESHOLD = 2
    for i in range(3):
        make_appeal(title=f"楼道漏水{i}", content="楼上漏水到我家，物业一直不管", citizen_phone="13977776666")
    scan.run(timezone.now(), kinds=("repeat",))
    w = EarlyWarning.objects.get(kind="repeat")
    assert "重复诉求规则" in w.why and w.appeals.count() == 1
    Appeal.objects.filter(citizen_phone="13977776666").update(satisfaction="dissatisfied")
    assert scan.run(timezone.now(), kinds=("repeat",)).raised == 0  # the same caller: one warning
    w.refresh_from_db()
    assert "回访不满意" in w.why


def test_the_scheduled_job_runs_a_scan(reference_data):
    from jishiban.warnings import jobs

    assert jobs.scan() == {"raised": 0, "updated": 0, "ended": 0}


def test_a_spike_is_raised_at_the_lowest_cell_where_it_is_significant(reference_data):
    """The 40 extra appeals lift their leaf, its parents, "all" and the city alike: one warning,
    in the leaf × county cell, not one per cell above it."""
    _history()
    at = timezone.make_aware(datetime.combine(SPIKE, time(15, 0)))
    scan.run(at, kinds=("spike",))
    keys = set(EarlyWarning.objects.filter(kind="spike").values_list("key", flat=True)) - {"spike:all:city:hour"}
    assert keys == {"spike:020101:370811"}, keys
