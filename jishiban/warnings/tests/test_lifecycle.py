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
