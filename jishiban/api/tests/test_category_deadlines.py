"""``/api/v1/categories`` shows each category's own deadlines and the ones it applies, inherited
up the tree or from the settings' defaults, with where each comes from."""

import pytest

from jishiban.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def test_categories_show_own_and_inherited_deadlines(api, settings):
    leaf = Category.objects.select_related("parent__parent").get(code="020101")
    Category.objects.filter(pk=leaf.parent.parent_id).update(reply_deadline="7d", sign_deadline="")
    Category.objects.filter(pk=leaf.parent_id).update(reply_deadline="", sign_deadline="")
    Category.objects.filter(pk=leaf.pk).update(reply_deadline="", sign_deadline="4h")
    rows = {r["code"]: r for r in api("dispatcher").get("/categories").json()}
    got = rows["020101"]
    assert got["reply_deadline"] == {"own": "", "effective": "7d", "source": leaf.parent.parent.code}
    assert got["sign_deadline"] == {"own": "4h", "effective": "4h", "source": "020101"}
    top = rows[leaf.parent.parent.code]
    assert top["reply_deadline"]["own"] == "7d"
    assert top["sign_deadline"]["source"] == "default"
    assert top["sign_deadline"]["effective"] == settings.JISHIBAN["SIGN_DEADLINE"]


def test_working_time_endpoint_counts_working_days_and_hours(api):
    friday = "2026-12-04T16:00:00+08:00"
    days = api("dispatcher").get(f"/working-time?start={friday.replace('+', '%2B')}&duration=1d")
    assert days.status_code == 200, days.content
    assert days.json()["end"].startswith("2026-12-07T17:30")  # Monday's close of business
    hours = api("dispatcher").get(f"/working-time?start={friday.replace('+', '%2B')}&duration=2h").json()
    assert hours["end"].startswith("2026-12-07T") and hours["duration"] == "2h"
    bad = api("dispatcher").get(f"/working-time?start={friday.replace('+', '%2B')}&duration=soon")
    assert bad.status_code == 422 and "工作日" in bad.json()["detail"]
