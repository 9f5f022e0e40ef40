"""One warning through its lifecycle, with its events and one notification per change."""

import pytest

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed, AppealValidationError
from jishiban.regions.models import Region
from jishiban.supervision.models import Notification, SupervisionOrder
from jishiban.testing import advance, make_appeal
from jishiban.warnings import selectors, services
from jishiban.warnings.models import EarlyWarning, WarningState

pytestmark = pytest.mark.django_db


def _signal(appeal, **kw):
    county = Region.objects.get(code="370811")
    values = dict(kind="risk", key=f"risk:{appeal.pk}", title="风险预警：" + appeal.title, why="识别到群体性事件风险",
                  county_id=county.pk, category_id=appeal.category_id, observed=1, score=1, appeal_ids=[appeal.pk],
                  first_at=appeal.received_at, latest_at=appeal.received_at)
    values.update(kw)
    return services.Signal(**values)


def test_raised_once_updated_without_repeating_the_notice(personas):
    appeal = make_appeal(title="拖欠工资")
    w, what = services.raise_signal(_signal(appeal))
    assert what == "raised" and w.state == WarningState.NEW
    told = set(Notification.objects.filter(kind="warning_raised").values_list("user__username", flat=True))
    assert told == {"supervisor", "county_rencheng"}  # the city's supervisors and the county's staff
    again, what = services.raise_signal(_signal(appeal))
    assert what == "same" and again.pk == w.pk
    other = make_appeal(title="拖欠工资二")
    grown, what = services.raise_signal(_signal(appeal, observed=2, score=2, appeal_ids=[appeal.pk, other.pk]))
    assert what == "updated" and grown.observed == 2 and grown.appeals.count() == 2
    assert EarlyWarning.objects.count() == 1
    assert Notification.objects.filter(kind="warning_raised").count() == 2
    assert [e.action for e in w.events.all()] == ["raise", "update"]


def test_walked_through_the_lifecycle(personas):
    p = personas
    appeal = advance(make_appeal(title="多名工人讨薪"), p, "accepted")
    w, _ = services.raise_signal(_signal(appeal))
    w = services.acknowledge(w, by=p.supervisor)
    assert w.state == WarningState.ACKNOWLEDGED
    with pytest.raises(ActionNotAllowed):
        services.acknowledge(w, by=p.supervisor)
    with pytest.raises(AppealValidationError):
        services.assign(w, by=p.supervisor)
    w = services.assign(w, by=p.supervisor, unit=p.water)
    assert w.state == WarningState.ASSIGNED and w.unit == p.water
    w = services.link_order(w, by=p.supervisor)
    order = SupervisionOrder.objects.get()
    assert w.state == WarningState.LINKED and w.order == order and order.appeal_id == appeal.pk
    with pytest.raises(AppealValidationError):
        services.close(w, by=p.supervisor, note="  ")
    w = services.close(w, by=p.supervisor, note="已约谈企业，工资已发放")
    assert w.state == WarningState.CLOSED and w.close_note.startswith("已约谈")
    assert [e.action for e in w.events.all()] == ["raise", "acknowledge", "assign", "link", "close"]
    changed = Notification.objects.filter(kind="warning_changed", user=p.supervisor)
    assert changed.count() == 4  # exactly one per change
    assert Notification.objects.filter(kind="warning_changed", user=p.handler).exists()  # the unit heard


def test_who_may_see_and_act(personas):
    p = personas
    appeal = make_appeal(title="群体聚集")
    w, _ = services.raise_signal(_signal(appeal))
    with pytest.raises(ActionForbidden):
        services.acknowledge(w, by=p.county_other)  # another county's staff
    with pytest.raises(ActionForbidden):
        services.acknowledge(w, by=p.leader)  # reads, does not act
    assert selectors.open_warnings(p.county_other) == []
    assert [d["id"] for d in selectors.open_warnings(p.county_rencheng)] == [w.pk]
    assert selectors.open_warnings(p.handler) == []
    row = selectors.open_warnings(p.leader)[0]
    assert set(row) == {"id", "kind", "kind_label", "title", "why", "state", "state_label", "raised_at",
                        "county_code", "county_name", "category_name", "observed", "expected", "score",
                        "appeal_count", "url"}
    assert row["county_code"] == "370811" and row["appeal_count"] == 1 and row["kind_label"] == "风险预警"
    assert selectors.open_counts(p.leader) == {"spike": 0, "event": 0, "risk": 1, "repeat": 0}


def test_hot_event_lists_and_merges(personas):
    p = personas
    appeals = [advance(make_appeal(title=f"某小区停水{i}", lat="35.4", lon="116.6"), p, "dispatched") for i in range(3)]
    sig = _signal(appeals[0], kind="event", key=f"event:{appeals[0].pk}", title="某小区停水",
                  appeal_ids=[a.pk for a in appeals], lat=35.4, lon=116.6)
    w, _ = services.raise_signal(sig)
    ev = selectors.hot_events(p.supervisor)[0]
    assert set(ev) == {"id", "title", "first_at", "latest_at", "appeal_count", "county_code", "county_name",
                       "lon", "lat", "units", "url"}
    assert ev["appeal_count"] == 3 and ev["units"] == [p.water.name] and ev["lat"] == 35.4
    merged = services.merge_event_appeals(w, by=p.dispatcher, into=appeals[0], appeals=appeals[1:])
    assert {a.status for a in merged} == {"merged"}
    assert w.events.filter(action="merge").exists()


def _event(appeals, n, **kw):
    members = appeals[:n]
    return services.Signal(kind="event", key=f"event:{members[0].pk}", title="某小区停水",
                           why=f"24 小时内 {n} 件诉求内容相近", county_id=members[0].county_id, observed=n,
                           expected=5, score=n, appeal_ids=[a.pk for a in members],
                           first_at=members[0].received_at, latest_at=members[-1].received_at, **kw)


def test_growth_is_announced_once_per_change_past_the_threshold(personas):
    """GIVEN a hot event of 5 (announced when raised) and a transport, WHEN one appeal joins at
    each scan up to 13, THEN the roles on duty hear of it again at 8 (+3 and +50 % over 5) and at
    12 (over 8) — once each, one delivery per notice — and not at the other steps, nor when a
    scan sees the same 12 again."""
    from jishiban.supervision.models import Delivery, Transport

    Transport.objects.create(name="站内", kind="webhook", url="http://127.0.0.1:9/hook", recipient="user",
                             kinds=["warning_raised", "warning_changed"])
    appeals = [make_appeal(title=f"停水{i}") for i in range(13)]
    w, what = services.raise_signal(_event(appeals, 5))
    assert what == "raised" and w.announced == 5
    on_duty = {"supervisor", "county_rencheng"}
    grown = []
    for n in range(6, 14):
        w, what = services.raise_signal(_event(appeals, n))
        assert what == "updated" and w.observed == n
        grown.append(Notification.objects.filter(kind="warning_changed").count())
    per_step = [b - a for a, b in zip([0, *grown], grown, strict=False)]
    assert per_step == [0, 0, 2, 0, 0, 0, 2, 0], per_step  # n = 6 … 13: told at 8 and 12, two people each
    again, what = services.raise_signal(_event(appeals, 12))  # a scan with a stale view of the event
    assert what == "same" and Notification.objects.filter(kind="warning_changed").count() == 4
    told = Notification.objects.filter(kind="warning_changed")
    assert {u for u in told.values_list("user__username", flat=True)} == on_duty
    assert [t.text for t in told.filter(user__username="supervisor").order_by("pk")] == [
        "预警「某小区停水」扩大：观测数 8（上次通知时 5）", "预警「某小区停水」扩大：观测数 12（上次通知时 8）"]
    assert Delivery.objects.filter(notification__kind="warning_changed").count() == 4
    assert w.announced == 12
    updates = [e.payload["announced"] for e in w.events.filter(action="update")]
    assert updates == [False, False, True, False, False, False, True, False]


def test_the_growth_threshold_is_a_setting(personas, settings):
    settings.JISHIBAN_WARNINGS_GROWTH_MIN = 1
    settings.JISHIBAN_WARNINGS_GROWTH_SHARE = 0
    appeals = [make_appeal(title=f"停水{i}") for i in range(7)]
    services.raise_signal(_event(appeals, 5))
    for n in (6, 6, 7):
        services.raise_signal(_event(appeals, n))
    sup = Notification.objects.filter(kind="warning_changed", user__username="supervisor")
    assert [t.text for t in sup.order_by("pk")] == ["预警「某小区停水」扩大：观测数 6（上次通知时 5）",
                                     "预警「某小区停水」扩大：观测数 7（上次通知时 6）"]


def test_a_stale_scan_cannot_announce_a_growth_twice(personas):
    """Two scans that read the warning before either wrote: the compare-and-set on
    ``announced`` lets only the first one tell."""
    appeals = [make_appeal(title=f"停水{i}") for i in range(9)]
    w, _ = services.raise_signal(_event(appeals, 5))
    EarlyWarning.objects.filter(pk=w.pk).update(announced=8)  # the other scan told 8 a moment ago
    stale = EarlyWarning.objects.filter(pk=w.pk, announced=5).update(announced=9)
    assert stale == 0
    services.raise_signal(_event(appeals, 9))  # +1 over what was told: not enough
    assert not Notification.objects.filter(kind="warning_changed").exists()
