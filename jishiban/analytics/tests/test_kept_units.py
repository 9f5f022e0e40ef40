"""A county's and a department's own scheduled reports (``ReportPlan``): kept by the schedule,
holding only that scope's figures, listed and downloaded (page and API) by its own staff and by
readers of the whole city, refused to another county and to a department of another scope."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from jishiban.analytics import jobs, metrics, services
from jishiban.analytics.borrowed import FigureScope
from jishiban.analytics.models import KeptReport, ReportPlan
from jishiban.analytics.reports import show
from jishiban.analytics.selectors import totals
from jishiban.regions.models import Region
from jishiban.testing import make_user

pytestmark = pytest.mark.django_db
OCT_1 = datetime(2026, 10, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
SEP = (date(2026, 9, 1), date(2026, 9, 30))


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _intake_cell(xlsx: bytes, row_label: str) -> str:
    """The value next to ``row_label`` in the first row of the workbook that starts with it."""
    from openpyxl import load_workbook

    for sheet in load_workbook(io.BytesIO(xlsx), read_only=True).worksheets:
        for row in sheet.iter_rows(values_only=True):
            if row and row[0] == row_label:
                return str(row[1])
    raise AssertionError(f"no row {row_label}")


def _plans(p):
    rencheng = Region.objects.get(code="370811")
    for kind in ("monthly", "health"):
        ReportPlan.objects.create(kind=kind, unit=p.water)
    ReportPlan.objects.create(kind="health", county=rencheng)
    ReportPlan.objects.create(kind="daily", county=rencheng)
    return rencheng


def test_a_departments_own_monthly_report_holds_only_its_figures_and_only_its_readers_get_it(filled):
    """GIVEN plans for 城市供水 (月通报, 体检报告) and 任城区 (体检报告, 日统计) WHEN the schedule runs
    on 1 October THEN the unit's September bulletin shows the unit's intake, not the city's; its
    head lists and downloads it (page and API) and no city-wide or county report; another
    department's head, and a county's staff, get a 404 for it and see none of the unit's."""
    p = filled
    _plans(p)
    kept = services.keep_reports("monthly", now=OCT_1)
    assert len(kept) == 2 * (1 + 14 + 1)  # the city, each county, the unit's own
    mine = KeptReport.objects.get(kind="monthly", scope_kind="unit", scope_id=p.water.pk, fmt="xlsx")
    assert mine.title.startswith(f"{p.water.name} · 月通报")
    own = totals(FigureScope("unit", p.water.pk), *SEP)["received"]
    city = totals(FigureScope("everything"), *SEP)["received"]
    assert 0 < own < city
    with mine.file.open("rb") as f:
        assert _intake_cell(f.read(), metrics.BY_NAME["intake"].label) == show(metrics.evaluate_all(
            totals(FigureScope("unit", p.water.pk), *SEP))["intake"])

    head = _client(p.dept_head)
    page = head.get("/analytics/reports/kept/").content.decode()
    assert f"{p.water.name} · 月通报" in page and "任城区 · 月通报" not in page and ">月通报 2026年09月<" not in page
    assert head.get(f"/analytics/reports/kept/{mine.pk}/").status_code == 200
    listed = head.get("/api/v1/reports/kept").json()
    assert {r["id"] for r in listed} == set(KeptReport.objects.filter(scope_kind="unit", scope_id=p.water.pk)
                                            .values_list("pk", flat=True))
    assert {r["scope"] for r in listed} == {"unit"}
    file = head.get(f"/api/v1/reports/kept/{mine.pk}/file")
    assert file.status_code == 200 and file.content[:2] == b"PK"
    city_row = KeptReport.objects.get(kind="monthly", scope_kind="everything", fmt="docx")
    missing = head.get(f"/api/v1/reports/kept/{city_row.pk}/file")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    for bad in ("-1", "99999999999999999999", "²"):  # an id out of range is a JSON 422, not an HTML page
        refused = head.get(f"/api/v1/reports/kept/{bad}/file")
        assert refused.status_code == 422 and refused["Content-Type"].startswith("application/json")

    urban_head = make_user("urban_head", "dept_head", org="city-urban")
    for other in (urban_head, p.county_rencheng):
        c = _client(other)
        assert c.get(f"/analytics/reports/kept/{mine.pk}/").status_code == 404
        assert c.get(f"/api/v1/reports/kept/{mine.pk}/file").status_code == 404
        assert mine.pk not in {r["id"] for r in c.get("/api/v1/reports/kept").json()}
        assert p.water.name not in c.get("/analytics/reports/kept/").content.decode()
    assert _client(urban_head).get("/api/v1/reports/kept").json() == []
    # a handler reads no figures, so no kept report either
    assert _client(p.handler).get("/api/v1/reports/kept").status_code == 403
    analyst = _client(p.analyst).get("/api/v1/reports/kept", {"kind": "monthly"}).json()
    assert mine.pk in {r["id"] for r in analyst} and len(analyst) == 32


def test_a_countys_own_health_check_and_daily_report_are_kept_for_its_staff_only(filled):
    """GIVEN 任城区's plans WHEN the 1 October health run and the daily run have kept their
    files THEN the county's 体检报告 holds its own intake and is its staff's, not 兖州区's nor
    a department head's; the daily run keeps the city's and the county's; no city-wide 体检报告."""
    p = filled
    rencheng = _plans(p)
    kept = services.keep_reports("health", now=OCT_1)
    assert {(k.scope_kind, k.scope_id) for k in kept} == {("county", rencheng.pk), ("unit", p.water.pk)}
    health = KeptReport.objects.get(kind="health", scope_kind="county", fmt="xlsx")
    assert health.title == "体检报告 任城区 · 2026年09月" and health.period == "2026-09"
    own = metrics.evaluate_all(totals(FigureScope("county", rencheng.pk), *SEP))["intake"]
    with health.file.open("rb") as f:
        assert _intake_cell(f.read(), metrics.BY_NAME["intake"].label) == show(own)

    staff = _client(p.county_rencheng)
    assert staff.get(f"/analytics/reports/kept/{health.pk}/").status_code == 200
    assert {r["id"] for r in staff.get("/api/v1/reports/kept").json()} == set(
        KeptReport.objects.filter(scope_kind="county", scope_id=rencheng.pk).values_list("pk", flat=True))
    for other in (p.county_other, p.dept_head):
        c = _client(other)
        assert c.get(f"/analytics/reports/kept/{health.pk}/").status_code == 404
        assert c.get(f"/api/v1/reports/kept/{health.pk}/file").status_code == 404
        assert "体检报告 任城区" not in c.get("/analytics/reports/kept/").content.decode()

    daily = services.keep_reports("daily", now=datetime(2026, 9, 2, 7, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert {(k.scope_kind, k.period) for k in daily} == {("everything", "2026-09-01"), ("county", "2026-09-01")}
    ReportPlan.objects.filter(kind="daily").update(active=False)
    assert jobs.keep_report("daily")["kept"] == 2  # the city's only, once the plan is off
