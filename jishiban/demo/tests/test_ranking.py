"""``jishiban demo ranking`` (what ``make run`` does after the figures are filled) publishes last
month's county and unit rankings once, so the demo's cockpit and ranking page show one."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from jishiban.analytics import rollup
from jishiban.analytics.models import Ranking
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def test_demo_ranking_publishes_last_month_once(personas, settings):
    settings.DEMO = True
    last_month = timezone.localdate().replace(day=1) - timedelta(days=3)
    make_appeal(received_at=timezone.now().replace(year=last_month.year, month=last_month.month, day=last_month.day))
    rollup.fill()
    out = StringIO()
    call_command("demo", "ranking", stdout=out)
    month = last_month.strftime("%Y-%m")
    published = {r.level: r for r in Ranking.objects.filter(month=month)}
    assert set(published) == {"county", "unit"} and len(published["county"].rows) == 14, out.getvalue()
    at = published["county"].published_at
    call_command("demo", "ranking", stdout=StringIO())
    assert Ranking.objects.get(month=month, level="county").published_at == at  # kept, not published again
