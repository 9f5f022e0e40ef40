"""An extension whose new deadline falls on a rest day or outside working hours is refused with a
clear message offering the nearest working deadline; the offered one is accepted."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from jishiban.appeals import services
from jishiban.appeals.errors import AppealValidationError
from jishiban.core.dates import when
from jishiban.sla.clock import WorkCalendar
from jishiban.testing import advance, make_appeal

TZ = ZoneInfo("Asia/Shanghai")


def test_the_clock_finds_the_last_working_moment_before_a_rest_time():
    calendar = WorkCalendar(covered_years=[2026], tz=TZ)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=TZ)
    assert not calendar.is_working_time(saturday)
    assert calendar.working_moment_before(saturday) == datetime(2026, 12, 4, 17, 30, tzinfo=TZ)
    night = datetime(2026, 12, 3, 22, 0, tzinfo=TZ)
    assert calendar.working_moment_before(night) == datetime(2026, 12, 3, 17, 30, tzinfo=TZ)
    working = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)
    assert calendar.is_working_time(working) and calendar.working_moment_before(working) == working


@pytest.mark.django_db
def test_a_saturday_deadline_is_refused_with_the_nearest_working_deadline_offered(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    deadline = appeal.reply_deadline.astimezone(TZ)
    saturday = (deadline + timedelta(days=(5 - deadline.weekday()) % 7 or 7)).replace(hour=10, minute=0)
    with pytest.raises(AppealValidationError) as refused:
        services.request_extension(appeal, by=personas.handler, new_deadline=saturday, reason="需协调施工")
    message = " ".join(refused.value.errors["new_deadline"])
    assert "不在工作时间" in message and when(saturday) in message
    friday = datetime.combine(saturday.date() - timedelta(days=1), time(17, 30), tzinfo=TZ)
    offered = friday if friday > deadline else datetime.combine(
        saturday.date() + timedelta(days=2), time(17, 30), tzinfo=TZ)
    assert when(offered) in message
    appeal.refresh_from_db()
    done = services.request_extension(appeal, by=personas.handler, new_deadline=offered, reason="需协调施工")
    assert done.status == "extension_requested"
