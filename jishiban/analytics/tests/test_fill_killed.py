"""kill -9 of ``jishiban stats fill`` midway: the next run resumes after the last committed batch,
and the daily tables then equal a recomputation from raw rows (nothing lost, nothing doubled).

A real process on a database of its own (the fault tests' scratch copies), killed with SIGKILL
as a whole process group. The history is a synthetic month written by ``bench/analytics_figures.py``'s
writer (appeals and events straight into the tables)."""

from __future__ import annotations

import sys
import time

import pytest

from jishiban.core.tests.processes import Server, copy_of, make_template, wait_for

pytestmark = pytest.mark.slow

WRITE = """
import django, sys
django.setup()
sys.path.insert(0, "bench")
from datetime import date, timedelta
from analytics_figures import Writer
w = Writer(seed=3)
for i in range(20):
    w.write(date(2026, 9, 1) + timedelta(days=i), 40)
from jishiban.appeals.models import AppealEvent
print(AppealEvent.objects.order_by("-id").values_list("id", flat=True)[0])
"""

FINISH = """
import django
django.setup()
from datetime import date
from jishiban.analytics import rollup
from jishiban.analytics.models import FillState
r = rollup.fill(batch=50)
print(FillState.objects.get().event_mark, len(rollup.check(date(2026, 8, 1), date(2026, 12, 31))),
      sum(rollup.table_counts(date(2026, 9, 1), date(2026, 9, 30)).values()) > 0)
"""


@pytest.fixture
def scratch(tmp_path):
    (tmp_path / "template").mkdir()
    template = make_template(tmp_path / "template")
    copy = copy_of(template, tmp_path, 1)
    yield copy
    copy.drop()
    if template[2]:
        from jishiban.core.tests.processes import _drop_pg

        _drop_pg(template[2])


def _mark(scratch) -> int:
    try:
        rows = scratch.query("SELECT event_mark FROM analytics_fillstate")
    except Exception:  # the table is being written for the first time  # noqa: BLE001
        return 0
    return rows[0][0] if rows else 0


def test_a_killed_fill_resumes_without_double_counting(scratch, tmp_path):
    last_event = int(scratch.django(WRITE, timeout=600).strip().splitlines()[-1])
    fill = Server([sys.executable, "manage.py", "stats", "fill", "--batch", "50"], scratch.env(),
                  tmp_path / "fill.log").start()
    try:
        wait_for(lambda: _mark(scratch) > 0, timeout=120, what="a first committed batch")
        time.sleep(0.3)
        fill.kill()
    finally:
        fill.kill()
    killed_at = _mark(scratch)
    assert 0 < killed_at < last_event, "the fill was not killed midway; the test shows nothing"
    mark, differences, counted = scratch.django(FINISH, timeout=600).split()
    assert int(mark) == last_event
    assert differences == "0" and counted == "True"
