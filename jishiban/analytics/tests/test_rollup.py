"""The daily tables against plain queries over appeals and events, on a generated history."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Min, Q

from jishiban.analytics import rollup
from jishiban.analytics.borrowed import FigureScope
from jishiban.analytics.models import DailyCount, FillState
from jishiban.analytics.selectors import totals
from jishiban.appeals import services
from jishiban.appeals.models import Appeal, AppealEvent

from .histories import make_history

Z = ZoneInfo("Asia/Shanghai")
SEP = (date(2026, 9, 1), date(2026, 9, 30))
AUTUMN = (date(2026, 8, 1), date(2026, 12, 31))
NOW = datetime(2026, 11, 20, 12, tzinfo=Z)
EVERYTHING = FigureScope("everything")
pytestmark = pytest.mark.django_db


@pytest.fixture
def history(personas):
    return make_history(personas, n=40)


def _lo_hi(start, end):
    return rollup.day_bounds(start, end)


def _events(action, start=SEP[0], end=SEP[1], **payload):
    lo, hi = _lo_hi(start, end)
    qs = AppealEvent.objects.filter(action=action, at__gte=lo, at__lt=hi)
    return qs.filter(**{f"payload__{k}": v for k, v in payload.items()})


def test_counts_reconcile_with_plain_queries_over_appeals_and_events(history):
    rollup.fill(now=NOW)
    t = totals(EVERYTHING, *SEP)
    lo, hi = _lo_hi(*SEP)
    assert t["received"] == Appeal.objects.filter(received_at__gte=lo, received_at__lt=hi).count() == 40
    valid = Appeal.objects.filter(received_at__gte=lo, received_at__lt=hi).exclude(status__in=["merged", "invalid"])
    assert t["valid_received"] == valid.count()
    assert t["repeat"] == sum(1 for tags in valid.values_list("tags", flat=True) if "repeat" in tags)
    assert t["answered"] == _events("answer").count()
    assert t["returned"] == _events("return").count()
    assert t.get("return_rejected", 0) == _events("reject-return").count()
    assert t["dispatches"] == _events("dispatch").count() + _events("reopen").count()
    first = Appeal.objects.annotate(first=Min("events__at", filter=Q(events__action="dispatch"))).filter(first__gte=lo, first__lt=hi)
    assert t["dispatched"] == first.count()
    assert t["accepted"] == _events("accept").count()
    assert t["replied"] == _events("reply").count()
    assert t["reopened"] == _events("reopen").count()
    assert t["extension_approved"] == _events("decide-extension", approved=True).count()
    assert t.get("cb_rated", 0) == _events("callback").count()
    for verdict in ("satisfied", "basically", "dissatisfied"):
        assert t.get(f"cb_{verdict}", 0) == _events("callback", satisfaction=verdict).count()
    assert t.get("cb_solved", 0) == _events("callback", solved=True).count()
    # every scenario is present
    assert t["answered"] and t["returned"] and t["reopened"] and t["extension_approved"] and t["cb_dissatisfied"]
    assert t["return_rejected"] and _events("return", reviewed=True).exists()


def test_reply_on_time_matches_the_reply_events_own_verdict_for_single_cycle_appeals(history):
    rollup.fill(now=NOW)
    # Appeals with one cycle: the reply event records whether it met the deadline then in force.
    single = [a.pk for a in Appeal.objects.all() if a.events.filter(action__in=["dispatch", "reopen"]).count() == 1]
    replies = AppealEvent.objects.filter(action="reply", appeal_id__in=single)
    entries = rollup.compute_entries(single, NOW)
    on_time = sum(e[8] for es in entries.values() for e in es if e[0] == "reply_on_time")
    assert on_time == replies.filter(payload__on_time=True).count()


def test_table_equals_raw_recomputation_and_check_finds_nothing(history):
    rollup.fill(now=NOW, batch=7)
    assert rollup.table_counts(*AUTUMN) == rollup.raw_counts(*AUTUMN, NOW)
    assert rollup.check(*AUTUMN) == []


def test_fill_is_incremental_and_a_second_run_changes_nothing(history):
    first = rollup.fill(now=NOW, batch=50)
    assert first.events == AppealEvent.objects.count() and first.batches > 1
    before = rollup.table_counts(*AUTUMN)
    again = rollup.fill(now=NOW)
    assert again.events == 0 and again.rows_changed == 0
    assert rollup.table_counts(*AUTUMN) == before


def test_a_late_callback_updates_the_day_it_belongs_to(history, personas):
    rollup.fill(now=NOW)
    waiting = next(a for a in Appeal.objects.filter(status="replied"))
    at = datetime(2026, 11, 3, 10, tzinfo=Z)
    services.callback(waiting, by=personas.supervisor, satisfaction="satisfied", solved=True, at=at)
    before = totals(EVERYTHING, date(2026, 11, 3), date(2026, 11, 3)).get("cb_satisfied", 0)
    rollup.fill(now=NOW)
    assert totals(EVERYTHING, date(2026, 11, 3), date(2026, 11, 3))["cb_satisfied"] == before + 1
    assert rollup.check(*AUTUMN) == []


def test_a_corrected_county_moves_the_counts(history, personas):
    rollup.fill(now=NOW)
    from jishiban.regions.models import Region

    a = Appeal.objects.filter(county__code="370811").first()
    other = Region.objects.get(code="370812")
    scope_from, scope_to = FigureScope("county", a.county_id), FigureScope("county", other.pk)
    r_from, r_to = totals(scope_from, *SEP)["received"], totals(scope_to, *SEP)["received"]
    services.annotate(a, by=personas.supervisor, county=other, reason="区划更正")
    rollup.fill(now=NOW)
    assert totals(scope_from, *SEP)["received"] == r_from - 1
    assert totals(scope_to, *SEP)["received"] == r_to + 1


def test_an_interrupted_batch_writes_nothing_and_the_next_run_resumes(history, monkeypatch):
    real = rollup._apply
    calls = {"n": 0}

    def crash_on_third(delta):
        calls["n"] += 1
        if calls["n"] == 3:
            real(delta)  # half the work written inside the transaction, then the process dies
            raise KeyboardInterrupt
        return real(delta)

    monkeypatch.setattr(rollup, "_apply", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        rollup.fill(now=NOW, batch=20)
    mark = FillState.objects.get().event_mark
    assert 0 < mark < AppealEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    monkeypatch.setattr(rollup, "_apply", real)
    rollup.fill(now=NOW, batch=20)
    assert rollup.check(*AUTUMN) == []


def test_a_second_fill_that_finds_the_watermark_moved_stops(history):
    state = FillState.objects.get_or_create(name="default")[0]
    real_filter = FillState.objects.filter

    class Moved:
        def update(self, **kw):
            return 0

    def filter_(*a, **kw):
        if "event_mark" in kw:
            return Moved()
        return real_filter(*a, **kw)

    import unittest.mock as mock

    with mock.patch.object(FillState.objects, "filter", side_effect=filter_), pytest.raises(rollup.FillBusy):
        rollup.fill(now=NOW)
    assert DailyCount.objects.count() == 0 and state.event_mark == 0


def test_rebuilding_a_month_gives_identical_numbers_and_repairs_a_damaged_row(history):
    rollup.fill(now=NOW)
    before = rollup.table_counts(*AUTUMN)
    row = DailyCount.objects.filter(day__gte=SEP[0], day__lte=SEP[1]).first()
    DailyCount.objects.filter(pk=row.pk).update(n=row.n + 5)
    assert rollup.check(*SEP)
    rollup.rebuild(*SEP)
    assert rollup.table_counts(*AUTUMN) == before
    rollup.rebuild(*SEP)
    assert rollup.table_counts(*AUTUMN) == before


def test_a_deadline_passing_later_is_taken_in_by_the_next_fill(personas):
    from jishiban.testing import make_appeal

    t = datetime(2026, 11, 16, 9, tzinfo=Z)
    a = services.dispatch(make_appeal(received_at=t), by=personas.dispatcher, lead_unit=personas.water, at=t)
    rollup.fill(now=t + (a.sign_deadline - t) / 2)
    day = a.sign_deadline.astimezone(Z).date()
    assert totals(EVERYTHING, day, day).get("sign_due", 0) == 0
    rollup.fill(now=a.sign_deadline + (a.sign_deadline - t))
    assert totals(EVERYTHING, day, day)["sign_due"] == 1
    assert totals(EVERYTHING, day, day).get("sign_on_time", 0) == 0


def test_stats_commands_fill_check_and_rebuild(history):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("stats", "fill", "--batch", "30", stdout=out)
    assert "完成" in out.getvalue()
    # check recomputes as of the fill; the month is clean
    call_command("stats", "check", "--month", "2026-09", stdout=out)
    assert "一致" in out.getvalue()
    call_command("stats", "rebuild", "--from", "2026-09-01", "--to", "2026-09-30", stdout=out)
    row = DailyCount.objects.filter(day__month=9).first()
    DailyCount.objects.filter(pk=row.pk).update(n=row.n + 1)
    with pytest.raises(SystemExit) as exit_:
        call_command("stats", "check", "--month", "2026-09", stdout=out)
    assert exit_.value.code == 1


@pytest.mark.parametrize("args,message", [
    (["check", "--month", "2026-13"], "YYYY-MM"),
    (["rebuild", "--from", "2026-09-31", "--to", "2026-10-01"], "日期"),
    (["rebuild", "--from", "2026-10-02", "--to", "2026-10-01"], "不能早于"),
    (["fill", "--batch", "0"], "正整数"),
])
def test_stats_commands_refuse_bad_input_in_chinese(db, args, message):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=message):
        call_command("stats", *args)
    assert DailyCount.objects.count() == 0


def test_the_coarse_table_is_exactly_the_daily_tables_sums_after_every_kind_of_change(history, personas):
    from jishiban.analytics import count_tables, selectors
    from jishiban.analytics.models import UnitDayCount, UnitMonthCount

    rollup.fill(now=NOW, batch=9)
    waiting = next(a for a in Appeal.objects.filter(status="replied"))
    services.callback(waiting, by=personas.supervisor, satisfaction="dissatisfied", solved=False,
                      at=datetime(2026, 11, 3, 10, tzinfo=Z))
    rollup.fill(now=NOW)
    assert count_tables.coarse_counts(*AUTUMN) == count_tables.coarse(rollup.table_counts(*AUTUMN))
    assert UnitDayCount.objects.count() < DailyCount.objects.count()
    # the same sums whichever table answers
    by_county = totals(EVERYTHING, *SEP, group="county")
    fine = totals(EVERYTHING, *SEP, selectors.Filter(appeal_type=""), group="town")
    assert sum(t["received"] for t in by_county.values()) == sum(t["received"] for t in fine.values()) == 40
    # a damaged coarse row is found by check and repaired by rebuild
    row = UnitDayCount.objects.filter(day__gte=SEP[0], day__lte=SEP[1]).first()
    UnitDayCount.objects.filter(pk=row.pk).update(n=row.n + 3)
    assert [d[0][0] for d in rollup.check(*SEP)] == ["UnitDayCount"]
    rollup.rebuild(*SEP)
    assert rollup.check(*AUTUMN) == []
    # the month table is the day table's sums by month; whole months read it, the same figures
    months = count_tables.monthly(count_tables.coarse_counts(*AUTUMN))
    assert count_tables.month_counts(date(2026, 8, 1), date(2026, 12, 1)) == months
    assert totals(EVERYTHING, *SEP) == selectors._summed(selectors._rows(EVERYTHING, *SEP, selectors.Filter(),
                                                                         model=UnitDayCount), None)
    assert totals(EVERYTHING, date(2026, 8, 20), date(2026, 10, 10), group="unit") == selectors._summed(
        selectors._rows(EVERYTHING, date(2026, 8, 20), date(2026, 10, 10), selectors.Filter(), model=UnitDayCount),
        "unit")
    month_row = UnitMonthCount.objects.filter(month=SEP[0]).first()
    UnitMonthCount.objects.filter(pk=month_row.pk).update(n=month_row.n - 1)
    assert [d[0][0] for d in rollup.check(*SEP)] == ["UnitMonthCount"]
    assert rollup.check(SEP[0], date(2026, 9, 29)) == []  # no whole month: the month table is not read
    rollup.rebuild(date(2026, 9, 10), date(2026, 9, 12))  # a few days: their month is made again
    assert rollup.check(*AUTUMN) == []
