"""Supervision figures reconcile exactly with a hand count of the underlying appeals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.supervision import selectors
from jishiban.supervision.models import CallbackTask, SupervisionOrder
from jishiban.supervision.rules import appeal_is_solved, parse_period, rate
from jishiban.supervision.services import callbacks, orders
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _appeal(personas, i, unit, county="370811"):
    return advance(make_appeal(citizen_phone=f"1370000{i:04d}", county=county), personas, "accepted", unit=unit)


def _finish(personas, appeal, unit_user, outcome):
    appeal = services.reply(appeal, by=unit_user, result_type="solved", text="已处理")
    if outcome == "open":
        return appeal
    task = CallbackTask.objects.get(appeal=appeal)
    if outcome == "unreachable":
        for _ in range(3):
            callbacks.record_attempt(task, by=personas.supervisor, outcome="no_answer")
        return appeal
    satisfaction, solved = {"satisfied": ("satisfied", True), "basically": ("basically", True),
                            "unsolved_basically": ("basically", False),
                            "dissatisfied": ("dissatisfied", False)}[outcome]
    callbacks.record_result(task, by=personas.supervisor, satisfaction=satisfaction, solved=solved)
    appeal.refresh_from_db()
    services.close(appeal, by=personas.supervisor, reason="办结")
    return appeal


def test_figures_reconcile_with_a_hand_count(personas):
    now = timezone.now()
    period = parse_period(timezone.localdate(now).strftime("%Y-%m"))
    sup = personas.supervisor
    plan = [  # (unit, outcome, extra leader order)
        (personas.water, "satisfied", True),  # two orders, one appeal
        (personas.water, "basically", False),
        (personas.water, "dissatisfied", False),
        (personas.water, "unreachable", False),
        (personas.water, "open", False),
        (personas.urban, "satisfied", False),
        (personas.urban, "unsolved_basically", False),  # basically satisfied counts as solved
        (personas.urban, "satisfied", False),
    ]
    appeals = []
    for i, (unit, outcome, leader) in enumerate(plan):
        user = personas.handler if unit == personas.water else personas.other_handler
        appeal = _appeal(personas, i, unit)
        orders.open_order(appeal, reason="key", by=sup)
        if leader:
            orders.open_order(appeal, reason="leader", by=sup, instruction="限期办结")
        appeals.append(_finish(personas, appeal, user, outcome))
    # outside the period, and outside 任城区: not counted / not seen by the county
    old = _appeal(personas, 90, personas.water)
    orders.open_order(old, reason="key", by=sup, now=now - timedelta(days=40))
    yanzhou = _appeal(personas, 91, personas.water, county="370812")
    orders.open_order(yanzhou, reason="key", by=sup)

    # by hand: 9 appeals supervised this month (8 in 任城区 + 1 in 兖州区); solved: satisfied ×3,
    # basically ×1, unsolved-but-basically-satisfied ×1 = 5
    figures = selectors.supervision_figures(sup, period)
    assert (figures.supervised, figures.solved) == (9, 5)
    # the two unsolved verdicts also opened automatic "dissatisfied" orders: more orders, same appeals
    assert figures.rate == Decimal("55.56") and figures.orders == 12
    per_unit = {u.unit: (u.supervised, u.solved, u.rate) for u in figures.by_unit}
    assert per_unit == {"济宁市城乡水务局": (6, 2, Decimal("33.33")), "济宁市城市管理局": (3, 3, Decimal("100.00"))}
    assert figures.by_reason == {"dissatisfied": 2, "key": 9, "leader": 1}

    # the same from the rows themselves, without the selector
    in_period = SupervisionOrder.objects.filter(created_at__date__gte=period.start, created_at__date__lte=period.end)
    ids = {o.appeal_id for o in in_period}
    recount = sum(1 for o in {o.appeal for o in in_period} if appeal_is_solved(o.status, o.solved, o.satisfaction))
    assert (len(ids), recount) == (figures.supervised, figures.solved)
    assert rate(recount, len(ids)) == figures.rate

    county = selectors.supervision_figures(personas.county_rencheng, period)
    assert (county.supervised, county.solved) == (8, 5)
    assert selectors.supervision_figures(personas.county_other, period).supervised == 1
    assert selectors.supervision_figures(personas.handler, period).supervised == 0  # figures are for the centre
    assert selectors.supervision_figures(personas.leader, period).supervised == 9
