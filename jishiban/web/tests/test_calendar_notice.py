"""Whoever sets or gets a deadline that reaches into a year without holiday data is told so on
the page where it is set (dispatch, an extension asked or granted, a supervision order), in
Chinese; the deadline is still computed (weekends only) and marked 仅按周末计算 where it is shown."""

from datetime import datetime

import pytest
from django.utils import timezone

from jishiban.appeals.models import Appeal
from jishiban.sla.models import CalendarYear
from jishiban.sla.services import deadline_notice, weekend_only_years
from jishiban.testing import advance, make_appeal, working_days_later

pytestmark = pytest.mark.django_db

NOTICE = "该年的法定节假日与调休尚未导入"


@pytest.fixture
def this_year_uncovered():
    year = timezone.localdate().year
    CalendarYear.objects.filter(year=year).delete()
    return year


@pytest.fixture
def this_year_covered():
    year = timezone.localdate().year
    for covered in (year, year + 1):  # a deadline set in December may reach into January
        CalendarYear.objects.get_or_create(year=covered, defaults={"source": "test"})
    return year


def test_the_years_without_data_between_start_and_deadline(this_year_uncovered):
    year = this_year_uncovered
    CalendarYear.objects.get_or_create(year=year - 1, defaults={"source": "test"})
    start = timezone.make_aware(datetime(year - 1, 12, 30, 9))
    end = timezone.make_aware(datetime(year, 1, 6, 17, 30))
    assert weekend_only_years(start, end) == [year] and weekend_only_years(start) == []
    text = deadline_notice(start, end)
    assert f"涉及 {year} 年" in text and NOTICE in text and "暂按周末计算" in text
    assert deadline_notice(start) is None and weekend_only_years(None) == []


def test_the_dispatcher_is_told_and_the_deadline_is_marked_on_the_appeal(login, personas, this_year_uncovered):
    appeal = make_appeal()
    dispatcher = login(personas.dispatcher)
    response = dispatcher.post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": personas.water.pk}, follow=True)
    html = response.content.decode()  # the desk moved on to the (now empty) queue, with the notice
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.status == "dispatched" and appeal.reply_deadline is not None  # computed all the same
    assert NOTICE in html and f"涉及 {this_year_uncovered} 年" in html and "msg-warning" in html
    # the confirmation links back to the appeal, where the deadline carries the mark
    assert f'<a href="/appeals/{appeal.pk}/" class="msg-link">{appeal.number}</a>' in html
    assert "仅按周末计算" in dispatcher.get(f"/appeals/{appeal.pk}/").content.decode()
    # the handler who gets it sees the mark on the appeal and in the inbox, not the banner for admins
    handler = login(personas.handler)
    assert "仅按周末计算" in handler.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "仅按周末计算" in handler.get("/inbox/").content.decode()


def test_no_notice_when_the_year_is_covered(login, personas, this_year_covered):
    appeal = make_appeal()
    response = login(personas.dispatcher).post(f"/appeals/{appeal.pk}/act/dispatch/", {
        "expected_version": appeal.version, "lead_unit": personas.water.pk}, follow=True)
    html = response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "dispatched"
    assert NOTICE not in html and "仅按周末计算" not in html


def test_the_handler_asking_for_more_time_is_told(login, personas, this_year_uncovered):
    appeal = advance(make_appeal(), personas, "accepted")
    new_deadline = timezone.localtime(working_days_later(appeal.reply_deadline, 2))
    response = login(personas.handler).post(f"/appeals/{appeal.pk}/act/request-extension/", {
        "expected_version": appeal.version, "new_deadline": new_deadline.strftime("%Y-%m-%dT%H:%M"),
        "reason": "需协调管网施工"}, follow=True)
    html = response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == "extension_requested", html[-3000:]
    assert NOTICE in html


def test_the_supervisor_opening_an_order_is_told(login, personas, this_year_uncovered):
    appeal = advance(make_appeal(), personas, "accepted")
    response = login(personas.supervisor).post(f"/supervision/appeals/{appeal.pk}/supervise/", {
        "requirement": "请三日内办结", "deadline_days": "3", "next": f"/appeals/{appeal.pk}/"}, follow=True)
    assert NOTICE in response.content.decode()
