"""The replay uses what was known at each moment: an appeal's category and tags as they were then
(from the event log), and dissatisfied callbacks from the moment they were taken."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.taxonomy.models import Category
from jishiban.testing import make_appeal
from jishiban.warnings.replay import replay

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2).date()
SPIKE = START + timedelta(days=63)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _bulk(seed, day, n, category_id, *, prefix, hour=9):
    rows = [Appeal(number=f"{prefix}{i:05d}", channel_id=seed.channel_id, received_at=_at(day, hour) + timedelta(minutes=i),
                   title="小区停水", content="停水了", county_id=seed.county_id, category_id=category_id,
                   status="received", citizen_phone=f"137{prefix}{i:05d}"[:11]) for i in range(n)]
    return Appeal.objects.bulk_create(rows)


def test_a_spike_counts_in_the_category_the_appeals_had_then(reference_data):
    """GIVEN three appeals a day in 020101 and, on SPIKE, 40 appeals received as 010101 and
    corrected to 020101 two days later, WHEN the spike day is replayed, THEN the spike is in
    010101 (where they were counted at the time), not in 020101."""
    seed = make_appeal(title="小区停水")
    water = seed.category_id
    other = Category.objects.get(code="010101")
    n = 0
    for d in range(64):
        _bulk(seed, START + timedelta(days=d), 3, water, prefix=f"H{d:03d}")
        n += 3
    spike = _bulk(seed, SPIKE, 40, other.pk, prefix="S")
    fix = _at(SPIKE + timedelta(days=2), 10)
    for a in Appeal.objects.filter(pk__in=[a.pk for a in spike]):
        services.annotate(a, by=None, at=fix, category=Category.objects.get(pk=water), reason="改类")
    seed.delete()
    lines = [x for x in replay(SPIKE, SPIKE, kinds=("spike",)) if x["county"] == "370811"]
    cats = {x["category"] for x in lines}
    assert "010101" in cats, lines
    assert not cats & {"020101", "0201", "02"}, lines


def test_a_risk_tag_counts_from_when_it_was_added(reference_data):
    seed = make_appeal(title="讨要工资", content="老板拖欠工资")
    early, late = _bulk(seed, SPIKE, 2, seed.category_id, prefix="R")
    seed.delete()
    services.annotate(Appeal.objects.get(pk=early.pk), by=None, at=_at(SPIKE, 12, 30), tags=["risk:wage_arrears"])
    # A flag added days later (after the look-back window) was never a live warning of that day.
    services.annotate(Appeal.objects.get(pk=late.pk), by=None, at=_at(SPIKE + timedelta(days=3), 9),
                      tags=["risk:wage_arrears"])
    lines = [x for x in replay(SPIKE, SPIKE, kinds=("risk",))]
    assert [(x["appeals"], x["raised_at"]) for x in lines] == [([early.number], _at(SPIKE, 13).isoformat())]


def test_dissatisfied_callbacks_make_a_repeat_warning_from_the_callback_on(reference_data, settings):
    settings.JISHIBAN_WARNINGS_DISSATISFIED = 2
    phone = "13966665555"
    first = make_appeal(title="路灯不亮", category="020101", citizen_phone=phone)
    second = make_appeal(title="噪音", category="010101", citizen_phone=phone)
    Appeal.objects.filter(pk__in=[first.pk, second.pk]).update(received_at=_at(SPIKE - timedelta(days=10), 9))
    for a, hour in ((first, 8), (second, 14)):
        AppealEvent.objects.create(appeal=a, action="callback", from_status="replied", to_status="callback_done",
                                   payload={"satisfaction": "dissatisfied", "solved": False}, at=_at(SPIKE, hour))
    Appeal.objects.filter(pk__in=[first.pk, second.pk]).update(satisfaction="dissatisfied")
    new = make_appeal(title="又来反映", category="030101", citizen_phone=phone)
    Appeal.objects.filter(pk=new.pk).update(received_at=_at(SPIKE, 10, 30))
    lines = [x for x in replay(SPIKE, SPIKE, kinds=("repeat",))]
    unhappy = [x for x in lines if "回访不满意" in x.get("why", "")]
    assert len(unhappy) == 1, lines
    # Known only once the second callback is taken (14:00), not when the new appeal came (10:30).
    assert unhappy[0]["raised_at"] == _at(SPIKE, 15).isoformat() and unhappy[0]["appeals"] == [new.number]


def _caller_history(phone, category, days_before, n=2):
    made = []
    for i in range(n):
        a = make_appeal(title=f"噪音扰民{i}", category=category, citizen_phone=phone, address="")
        Appeal.objects.filter(pk=a.pk).update(received_at=_at(SPIKE - timedelta(days=days_before + i), 9))
        made.append(Appeal.objects.get(pk=a.pk))
    return made


def test_the_repeat_rule_reads_the_categories_as_they_were_at_the_step(reference_data):
    """GIVEN a caller's two earlier appeals in 010101 and a new one in 010101 on SPIKE at 10:30
    (a repeat then), all three corrected to 020101 / 030101 two days later (no longer the same
    subtree today), WHEN SPIKE is replayed, THEN the repeat warning is raised at 11:00 in the
    category the new appeal had then; and a caller whose earlier appeals were elsewhere then and
    corrected into the new appeal's subtree later raises none."""
    phone, other = "13955554444", "13955553333"
    earlier = _caller_history(phone, "010101", 3)
    new = make_appeal(title="又是噪音", content="楼下噪音", category="010101", citizen_phone=phone, address="")
    Appeal.objects.filter(pk=new.pk).update(received_at=_at(SPIKE, 10, 30))
    fix = _at(SPIKE + timedelta(days=2), 10)
    for a, code in ((earlier[0], "020101"), (earlier[1], "020101"), (Appeal.objects.get(pk=new.pk), "030101")):
        services.annotate(a, by=None, at=fix, category=Category.objects.get(code=code), reason="改类")
    # Today the rule no longer sees a repeat: the replay must not be asking today's rows.
    from jishiban.appeals import repeats

    assert repeats.earlier_count(Appeal.objects.get(pk=new.pk)) == 0
    later = _caller_history(other, "020101", 3)
    second = make_appeal(title="噪音", content="噪音", category="010101", citizen_phone=other, address="")
    Appeal.objects.filter(pk=second.pk).update(received_at=_at(SPIKE, 14, 10))
    for a in later:
        services.annotate(a, by=None, at=fix, category=Category.objects.get(code="010101"), reason="改类")
    assert repeats.earlier_count(Appeal.objects.get(pk=second.pk)) == 2

    lines = [x for x in replay(SPIKE, SPIKE, kinds=("repeat",))]
    assert [(x["appeals"], x["raised_at"], x["category"], x["observed"]) for x in lines] == [
        ([new.number], _at(SPIKE, 11).isoformat(), "010101", 2)], lines


def test_an_appeal_judged_invalid_after_the_step_still_counted_then(reference_data):
    """The rule's merged-or-invalid exclusion is as of the step too: an earlier appeal declared
    invalid the day after still made the new appeal a repeat at the time."""
    phone = "13955552222"
    earlier = _caller_history(phone, "010101", 5)
    new = make_appeal(title="又是噪音", content="楼下噪音", category="010101", citizen_phone=phone, address="")
    Appeal.objects.filter(pk=new.pk).update(received_at=_at(SPIKE, 8, 5))
    gone = earlier[0]
    AppealEvent.objects.create(appeal=gone, action="invalidate", from_status="received", to_status="invalid",
                               payload={}, at=_at(SPIKE + timedelta(days=1), 9))
    Appeal.objects.filter(pk=gone.pk).update(status="invalid")
    from jishiban.appeals import repeats

    assert repeats.earlier_count(Appeal.objects.get(pk=new.pk)) == 1  # today: one earlier left
    lines = [x for x in replay(SPIKE, SPIKE, kinds=("repeat",))]
    assert [(x["appeals"], x["raised_at"], x["observed"]) for x in lines] == [
        ([new.number], _at(SPIKE, 9).isoformat(), 2)], lines
