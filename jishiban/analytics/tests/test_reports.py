"""The reports: their figures agree with the daily tables, each format opens, and a .docx
converted by LibreOffice renders pages with Chinese text and a chart (not blank)."""

import io
import json
import shutil
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from jishiban.analytics import documents, reports
from jishiban.analytics.borrowed import FigureScope
from jishiban.analytics.selectors import totals
from jishiban.regions.models import Region

NOW = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
ALL = FigureScope("everything")
pytestmark = pytest.mark.django_db



def test_monthly_bulletin_figures_are_the_daily_tables_figures(filled):
    r = reports.monthly(ALL, "2026-09")
    t = totals(ALL, date(2026, 9, 1), date(2026, 9, 30))
    assert r.figures["this_month"]["intake"]["value"] == t["received"] == 40
    assert r.figures["this_month"]["satisfaction_rate"]["denominator"] == t["cb_rated"]
    headings = [s.heading for s in r.sections]
    assert "二、县市区排名" in headings and "三、市直部门单位排名" in headings
    county_table = r.sections[1].tables[0]
    assert len(county_table.rows) == 14


def test_a_county_reader_sees_only_their_county_and_no_rankings(filled):
    county = Region.objects.get(code="370812")
    r = reports.monthly(FigureScope("county", county.pk), "2026-09")
    t = totals(ALL, date(2026, 9, 1), date(2026, 9, 30), group="county")
    assert r.figures["this_month"]["intake"]["value"] == t[county.pk]["received"]
    assert all("排名" not in s.heading for s in r.sections)


def test_weekly_daily_and_health_reports_build(filled):
    w = reports.weekly(ALL, date(2026, 9, 7))
    assert w.figures["this_week"]["intake"]["value"] > 0
    d = reports.daily(ALL, date(2026, 9, 1), user=filled.leader, now=NOW)
    assert "受理诉求" in d.sections[0].paragraphs[0]
    h = reports.health(ALL, "2026-09", unit=filled.water.pk)
    assert h.figures["own"]["intake"]["value"] >= 0 and h.title == "体检报告"


@pytest.mark.parametrize("fmt", documents.FORMATS)
def test_every_format_renders(filled, fmt):
    data = documents.render(reports.monthly(ALL, "2026-09"), fmt)
    if fmt == "json":
        assert json.loads(data)["figures"]["this_month"]["intake"]["value"] == 40
    elif fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert "月通报" in text and "县市区排名" in text
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data))
        assert len(wb.sheetnames) >= 3
        import zipfile

        charts = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2  # the two rankings' scores, as native charts over their data sheets
        assert any(name.startswith("图1") for name in wb.sheetnames)
    else:
        assert "全市总体情况" in data.decode()


def test_report_command_writes_a_file_and_refuses_bad_input(filled, tmp_path):
    out = tmp_path / "h.json"
    call_command("report", "health", "--month", "2026-09", "--county", "370811", "--format", "json",
                 "--out", str(out), stdout=io.StringIO())
    assert json.loads(out.read_text(encoding="utf-8"))["kind"] == "health"
    for args, message in ((["health", "--month", "2026-09", "--county", "999999"], "没有代码"),
                          (["monthly", "--month", "2026-99"], "YYYY-MM"),
                          (["daily", "--date", "2026-02-30"], "日期")):
        with pytest.raises(CommandError, match=message):
            call_command("report", *args, "--out", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None or shutil.which("pdftoppm") is None,
                    reason="libreoffice and pdftoppm are needed to check the rendered pages")
def test_the_bulletin_opens_in_libreoffice_with_chinese_text_and_charts(filled, tmp_path):
    docx = tmp_path / "bulletin.docx"
    docx.write_bytes(documents.render(reports.monthly(ALL, "2026-09"), "docx"))
    profile = tmp_path / "lo-profile"
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "bulletin.pdf"
    assert pdf.exists()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert "月通报" in text and "县市区排名" in text and "任城区" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    from PIL import Image

    for page in pages[:3]:
        img = Image.open(page).convert("L")
        dark = sum(img.histogram()[:200])
        assert dark > img.width * img.height * 0.01, f"{page.name} is blank"


def test_topic_report_compares_with_the_year_before_and_the_period_before(filled, tmp_path):
    from jishiban.analytics.selectors import Filter
    from jishiban.taxonomy.models import Category

    water = Category.objects.get(code="020101")
    root = water.parent.parent if water.parent and water.parent.parent else water
    r = reports.topic(ALL, date(2026, 9, 1), date(2026, 9, 30), Filter(category=root.pk), title="水电气暖")
    t = totals(ALL, date(2026, 9, 1), date(2026, 9, 30), Filter(category=root.pk))
    assert r.figures["period"]["intake"]["value"] == t["received"] == 40
    assert r.figures["year_ago"]["intake"]["value"] == 0 and "去年同期无数据" in r.sections[0].paragraphs[0]
    assert reports.heating_season(2021) == (date(2021, 11, 15), date(2022, 3, 15))
    out = tmp_path / "topic.json"
    call_command("report", "topic", "--from", "2026-09-01", "--to", "2026-09-30", "--category", root.code,
                 "--format", "json", "--out", str(out), stdout=io.StringIO())
    assert json.loads(out.read_text(encoding="utf-8"))["figures"]["period"]["intake"]["value"] == 40
    with pytest.raises(CommandError, match="没有代码"):
        call_command("report", "topic", "--heating-season", "2021", "--category", "nope", "--out", str(tmp_path / "x"))


def test_scheduled_reports_are_kept_listed_and_downloaded_by_those_who_may_read_them(filled):
    """GIVEN the schedule's monthly run on 1 October WHEN it has kept the September bulletin
    (city-wide and one per county, .docx and .xlsx) THEN an analyst lists and downloads them
    all; a county's staff only their county's; the same run again replaces, not adds."""
    from django.test import Client
    from django_q.models import Schedule

    from jishiban.analytics import jobs, services
    from jishiban.analytics.models import KeptReport

    assert set(Schedule.objects.filter(name__startswith="analytics-").values_list("name", flat=True)) >= {
        "analytics-daily-report", "analytics-weekly-report", "analytics-monthly-report"}
    on = datetime(2026, 10, 1, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    kept = services.keep_reports("monthly", now=on)
    assert len(kept) == 2 * 15 and {k.period for k in kept} == {"2026-09"}
    services.keep_reports("monthly", now=on)
    assert KeptReport.objects.count() == 30
    p = filled
    analyst = Client()
    analyst.force_login(p.analyst)
    page = analyst.get("/analytics/reports/kept/").content.decode()
    assert "月通报 2026年09月" in page and "任城区 · 月通报" in page
    city = KeptReport.objects.get(scope_kind="everything", fmt="docx")
    response = analyst.get(f"/analytics/reports/kept/{city.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    county = Client()
    county.force_login(p.county_rencheng)
    page = county.get("/analytics/reports/kept/").content.decode()
    assert "任城区 · 月通报" in page and "兖州区" not in page and ">月通报 2026年09月<" not in page
    assert county.get(f"/analytics/reports/kept/{city.pk}/").status_code == 404
    assert jobs.keep_report("daily")["kept"] == 2


def test_a_topic_by_words_in_the_text_reconciles_with_a_plain_query(filled, tmp_path):
    """The generated appeals all read 停水…: the utilities preset finds all of September's, the
    telecom preset none; the figures are the same counters read through the footprints."""
    from django.db.models import Q

    from jishiban.analytics.selectors import Filter
    from jishiban.appeals.models import Appeal

    sep = (date(2026, 9, 1), date(2026, 9, 30))
    water = Filter(keywords=reports.TOPIC_PRESETS["utilities"]["keywords"])
    t = totals(ALL, *sep, water)
    lo, hi = datetime(2026, 9, 1, tzinfo=ZoneInfo("Asia/Shanghai")), datetime(2026, 10, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    plain = Appeal.objects.filter(received_at__gte=lo, received_at__lt=hi).filter(
        Q(content__icontains="停水") | Q(title__icontains="停水") | Q(content__icontains="供水"))
    assert t["received"] == plain.count() == 40
    assert t == totals(ALL, *sep)  # every appeal matches, so every counter equals the unfiltered one
    assert totals(ALL, *sep, water, group="county") == totals(ALL, *sep, group="county")
    assert totals(ALL, *sep, Filter(keywords=reports.TOPIC_PRESETS["telecom"]["keywords"])) == {}
    out = tmp_path / "t.json"
    call_command("report", "topic", "--from", "2026-09-01", "--to", "2026-09-30", "--preset", "utilities",
                 "--format", "json", "--out", str(out), stdout=io.StringIO())
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["title"] == "水电气暖专题" and data["figures"]["period"]["intake"]["value"] == 40
