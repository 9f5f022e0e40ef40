"""Units learned from past dispatches: accepted and kept counts, returned ones do not."""

import pytest
from django.core.management import call_command

from jishiban.appeals import services
from jishiban.routing.models import DispatchRule, LearnedRoute
from jishiban.routing.services import learn, suggest_units
from jishiban.taxonomy.models import Category
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db

POLICY = "130101"  # 惠民政策咨询: no functional domain, so only history can tell


def returned_then_kept(personas, *, county="370811"):
    """Dispatched to 城管 (returned: not theirs), then to 水务局, who accepted and kept it."""
    appeal = make_appeal(category=POLICY, county=county, content="咨询自来水阶梯水价补贴政策")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    appeal = return_reviewed(appeal, by=personas.other_handler, reason="非城管职责")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    return services.accept(appeal, by=personas.handler)


def test_learned_units_are_those_that_accepted_and_kept(personas):
    for _ in range(3):
        returned_then_kept(personas)
    summary = learn()
    assert summary["dispatches"] == 6
    water = LearnedRoute.objects.get(category__code=POLICY, county__code="370811", unit=personas.water)
    urban = LearnedRoute.objects.get(category__code=POLICY, county__code="370811", unit=personas.urban)
    assert (water.dispatched, water.kept, water.returned) == (3, 3, 0)
    assert (urban.dispatched, urban.kept, urban.returned) == (3, 0, 3)
    [only] = suggest_units(make_appeal(category=POLICY, content="咨询水价补贴"))
    assert only.lead_unit == personas.water and only.source == "learned" and only.score == 0.9
    assert only.explanation == ("历史派单：近 365 天分类 惠民政策咨询 + 县市区 任城区 的派单中，济宁市城乡水务局 签收且未退单 3 件"
                                "（占 100%，派单 3 件）")
    assert only.share == 100 and only.rank_note == ""


def test_learning_as_of_an_earlier_time_ignores_later_dispatches(personas):
    from datetime import timedelta

    from django.utils import timezone

    returned_then_kept(personas)
    assert learn(now=timezone.now() - timedelta(hours=1))["dispatches"] == 0
    assert not LearnedRoute.objects.exists()
    assert learn()["dispatches"] == 2


def test_accepted_then_returned_does_not_count_as_kept(personas):
    for _ in range(3):
        appeal = advance(make_appeal(category=POLICY), personas, "accepted", unit=personas.urban)
        return_reviewed(appeal, by=personas.other_handler, reason="签收后发现非本单位职责")
    learn()
    row = LearnedRoute.objects.get(category__code=POLICY, unit=personas.urban)
    assert (row.dispatched, row.kept, row.returned) == (3, 0, 3)
    assert suggest_units(make_appeal(category=POLICY)) == []


def test_history_rolls_up_to_ancestors_and_stays_in_its_county(personas):
    for _ in range(3):
        returned_then_kept(personas)
    learn()
    assert LearnedRoute.objects.get(category__code="13", county__code="370811", unit=personas.water).kept == 3
    sibling = suggest_units(make_appeal(category="130102", content="咨询办事流程"))  # no history of its own
    assert sibling[0].lead_unit == personas.water and "分类 政策咨询" in sibling[0].explanation
    assert suggest_units(make_appeal(category=POLICY, county="370812")) == []  # another county


def test_too_little_history_suggests_nothing(personas):
    returned_then_kept(personas)
    learn()
    assert suggest_units(make_appeal(category=POLICY)) == []


def test_a_matching_rule_comes_before_history(personas):
    for _ in range(3):
        returned_then_kept(personas)
    learn()
    DispatchRule.objects.create(category=Category.objects.get(code=POLICY), lead_unit=personas.urban)
    assert [s.source for s in suggest_units(make_appeal(category=POLICY))] == ["catalogue"]


def test_learning_replaces_the_table_and_the_command_reports(personas, capsys):
    for _ in range(3):
        returned_then_kept(personas)
    learn()
    first = LearnedRoute.objects.count()
    call_command("routing", "learn")
    assert LearnedRoute.objects.count() == first
    assert "派单" in capsys.readouterr().out


def test_daily_schedule_is_created_once(db):
    from django_q.models import Schedule

    from jishiban.routing.services.learning import SCHEDULE_NAME, ensure_schedule

    ensure_schedule()
    ensure_schedule()
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert schedule.func == "jishiban.routing.services.learning.learn" and schedule.schedule_type == Schedule.DAILY
