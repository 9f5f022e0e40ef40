"""The pages: who opens them, bad input answered in Chinese with nothing written, the schedule."""

import pytest
from django.test import Client

from jishiban.regions.models import Region
from jishiban.testing import make_appeal
from jishiban.warnings import services
from jishiban.warnings.models import EarlyWarning, WarningEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def warning(personas):
    appeal = make_appeal(title="拖欠工资")
    w, _ = services.raise_signal(services.Signal(
        kind="risk", key=f"risk:{appeal.pk}", title="风险预警：拖欠工资", why="识别到风险：拖欠工资",
        county_id=Region.objects.get(code="370811").pk, appeal_ids=[appeal.pk], observed=1, score=1))
    return w


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_and_page_in_scope(personas, warning):
    p = personas
    page = _client(p.leader).get("/warnings/")
    assert page.status_code == 200 and "风险预警：拖欠工资" in page.content.decode()
    assert _client(p.county_rencheng).get(f"/warnings/{warning.pk}/").status_code == 200
    assert _client(p.county_other).get(f"/warnings/{warning.pk}/").status_code == 404
    assert _client(p.handler).get("/warnings/").status_code == 403
    body = _client(p.leader).get(f"/warnings/{warning.pk}/").content.decode()
    assert "确认预警" not in body  # a leader reads, only managers get the buttons
    assert "确认预警" in _client(p.supervisor).get(f"/warnings/{warning.pk}/").content.decode()


def test_bad_input_is_refused_in_chinese_and_nothing_written(personas, warning):
    c = _client(personas.supervisor)
    events = WarningEvent.objects.count()
    page = c.post(f"/warnings/{warning.pk}/close/", {"note": ""}, follow=True)
    assert "请填写关闭说明" in page.content.decode()
    page = c.post(f"/warnings/{warning.pk}/assign/", {"assignee": "x", "unit": "no-such-unit"}, follow=True)
    assert "请选择督办人员或承办单位" in page.content.decode()
    page = c.post(f"/warnings/{warning.pk}/link/", follow=True)  # not acknowledged yet
    assert "不能执行该操作" in page.content.decode()
    assert c.post(f"/warnings/{warning.pk}/nonsense/").status_code == 404
    assert _client(personas.leader).post(f"/warnings/{warning.pk}/acknowledge/").status_code == 403
    assert WarningEvent.objects.count() == events
    assert EarlyWarning.objects.get().state == "new"


def test_a_step_by_htmx_answers_the_panel(personas, warning):
    c = _client(personas.supervisor)
    part = c.post(f"/warnings/{warning.pk}/acknowledge/", HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert part.status_code == 200 and body.startswith('<div id="warning-panel">') and "已确认预警" in body


def test_the_scan_is_scheduled():
    from django_q.models import Schedule

    assert Schedule.objects.filter(name="warnings-scan", func="jishiban.warnings.jobs.scan").exists()


def test_a_warning_shows_the_number_that_matters_for_its_kind(personas, warning):
    """A risk or repeat warning has no expected count: the list shows how many flags or reasons,
    not "1 / 0.0"; a spike shows observed against expected."""
    services.raise_signal(services.Signal(kind="spike", key="spike:020101:370811", title="停水诉求激增", why="测试",
                                          observed=12, expected=3.4, score=5))
    body = _client(personas.leader).get("/warnings/").content.decode()
    assert "1 / 0.0" not in body and "1 项风险" in body
    assert "12 / 3.4" in body
    page = _client(personas.leader).get(f"/warnings/{warning.pk}/").content.decode()
    assert "风险项" in page and "期望数" not in page
