"""The warning shown while this or next year has no holiday data."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jishiban.sla.context_processors import calendar_warning
from jishiban.sla.models import CalendarYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_year() -> int:
    return timezone.localdate().year


@pytest.fixture
def both_years_covered(this_year):
    for year in (this_year, this_year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})


@pytest.fixture
def next_year_missing(this_year):
    CalendarYear.objects.get_or_create(year=this_year, defaults={"source": "test"})
    CalendarYear.objects.filter(year=this_year + 1).delete()


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return request


def test_an_admin_is_warned_when_next_year_has_no_data(next_year_missing, this_year, personas):
    context = calendar_warning(request_as(personas.admin))
    assert str(this_year + 1) in context["calendar_warning"]
    assert "法定节假日" in context["calendar_warning"]


def test_other_roles_are_not_warned_on_every_page(next_year_missing, personas):
    for user in (personas.operator, personas.handler, personas.supervisor):
        assert calendar_warning(request_as(user)) == {}


def test_the_warning_can_be_dismissed_for_the_session(next_year_missing, this_year, personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.admin)
    assert f"尚未导入 {this_year + 1} 年" in client.get("/appeals/").content.decode()
    response = client.post("/notices/calendar/dismiss/", {"next": "/appeals/"})
    assert response.status_code == 302 and response["Location"] == "/appeals/"
    assert "尚未导入" not in client.get("/appeals/").content.decode()


def test_no_warning_when_this_and_next_year_are_covered(both_years_covered, personas):
    assert calendar_warning(request_as(personas.admin)) == {}


def test_anonymous_visitor_gets_no_warning(next_year_missing):
    assert calendar_warning(request_as(AnonymousUser())) == {}


def test_admin_holiday_list_shows_the_banner(admin_client, next_year_missing, this_year):
    response = admin_client.get(reverse("admin:sla_holiday_changelist"))
    assert response.status_code == 200
    assert f"尚未导入 {this_year + 1} 年" in response.content.decode()


def test_admin_year_list_shows_the_banner(admin_client, next_year_missing, this_year):
    response = admin_client.get(reverse("admin:sla_calendaryear_changelist"))
    assert f"尚未导入 {this_year + 1} 年" in response.content.decode()


def test_admin_shows_no_banner_when_years_are_covered(admin_client, both_years_covered):
    response = admin_client.get(reverse("admin:sla_holiday_changelist"))
    assert "尚未导入" not in response.content.decode()


def test_admin_holiday_list_filters_by_year_and_searches_names(admin_client):
    response = admin_client.get(reverse("admin:sla_holiday_changelist"), {"year": "2026", "q": "中秋"})
    shown = [holiday.date.isoformat() for holiday in response.context["cl"].result_list]
    assert sorted(shown) == ["2026-09-25", "2026-09-26", "2026-09-27"]


def test_admin_year_list_searches_by_exact_year(admin_client):
    response = admin_client.get(reverse("admin:sla_calendaryear_changelist"), {"q": "2026"})
    assert [row.year for row in response.context["cl"].result_list] == [2026]
