"""Search and lists: filters, sorting, keyset paging, saved filters, export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jishiban.appeals.models import Appeal
from jishiban.intake.models import ExportLog
from jishiban.testing import advance, make_appeal
from jishiban.web.models import SavedFilter
from jishiban.web.selectors.listing import keyset_page

pytestmark = pytest.mark.django_db


def _numbers(response):
    return [a.number for a in response.context["page"].rows]


def test_filters_by_status_channel_county_category_unit_and_text(login, personas):
    water = advance(make_appeal(content="幸福小区停水"), personas, "dispatched")
    noisy = make_appeal(content="夜间施工噪音", category="010101", county="370812", channel="12345-web")
    client = login(personas.supervisor)
    assert _numbers(client.get("/appeals/", {"status": "dispatched"})) == [water.number]
    assert _numbers(client.get("/appeals/", {"status": "open"})) == [noisy.number, water.number]
    assert _numbers(client.get("/appeals/", {"channel": "12345-web"})) == [noisy.number]
    assert _numbers(client.get("/appeals/", {"county": "370812"})) == [noisy.number]
    assert _numbers(client.get("/appeals/", {"category": "02"})) == [water.number]
    assert _numbers(client.get("/appeals/", {"unit": "city-water"})) == [water.number]
    assert _numbers(client.get("/appeals/", {"q": "噪音"})) == [noisy.number]
    assert _numbers(client.get("/appeals/", {"q": water.number})) == [water.number]


def test_deadline_state_and_date_range_filters(login, personas):
    now = timezone.now()
    late = advance(make_appeal(content="超期"), personas, "accepted")
    Appeal.objects.filter(pk=late.pk).update(reply_deadline=now - timedelta(hours=1))
    fine = advance(make_appeal(content="正常"), personas, "accepted")
    old = make_appeal(content="旧件", received_at=now - timedelta(days=20))
    client = login(personas.supervisor)
    assert _numbers(client.get("/appeals/", {"deadline": "overdue"})) == [late.number]
    assert _numbers(client.get("/appeals/", {"deadline": "normal"})) == [fine.number]
    today = timezone.localdate().isoformat()
    assert old.number not in _numbers(client.get("/appeals/", {"date_from": today}))
    response = client.get("/appeals/", {"date_from": today, "date_to": "2000-01-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_list_starts_from_what_the_user_may_see(login, personas):
    mine = advance(make_appeal(content="水务件"), personas, "dispatched")
    advance(make_appeal(content="城管件"), personas, "dispatched", unit=personas.urban)
    assert _numbers(login(personas.handler).get("/appeals/")) == [mine.number]
    assert login(personas.citizen).get("/appeals/")["Location"] == "/portal/"  # citizens stay in the portal


def test_keyset_paging_walks_forward_and_back_without_gaps(personas):
    base = timezone.now() - timedelta(hours=1)
    for i in range(7):
        make_appeal(content=f"第{i}件", citizen_phone=f"1390000{i:04d}", received_at=base + timedelta(minutes=i))
    qs = Appeal.objects.visible_to(personas.supervisor)
    seen, after, pages = [], "", []
    while True:
        page = keyset_page(qs, sort="-received_at", after=after, size=3)
        pages.append(page)
        seen += [a.pk for a in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == list(qs.order_by("-received_at", "-pk").values_list("pk", flat=True))
    assert [len(p.rows) for p in pages] == [3, 3, 1] and pages[0].count == 7
    back = keyset_page(qs, sort="-received_at", before=pages[2].prev_cursor, size=3)
    assert [a.pk for a in back.rows] == [a.pk for a in pages[1].rows]
    by_deadline = keyset_page(qs, sort="reply_deadline", size=3)
    assert by_deadline.rows == []  # none has a deadline yet


def test_sort_links_toggle_direction(login, personas):
    response = login(personas.supervisor).get("/appeals/", {"sort": "number"})
    assert response.context["sort_links"]["number"].endswith("sort=-number")


def test_saved_filters_are_private(login, personas):
    client = login(personas.supervisor)
    client.post("/appeals/filters/", {"name": "超期件", "querystring": "deadline=overdue"})
    saved = SavedFilter.objects.get()
    assert saved.user == personas.supervisor and saved.querystring == "deadline=overdue"
    assert "超期件" in client.get("/appeals/").content.decode()
    assert "超期件" not in login(personas.dispatcher).get("/appeals/").content.decode()
    assert login(personas.dispatcher).post(f"/appeals/filters/{saved.pk}/delete/").status_code == 404
    client.post(f"/appeals/filters/{saved.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_saving_a_filter_without_a_name_is_refused(login, personas):
    response = login(personas.supervisor).post("/appeals/filters/", {"name": "", "querystring": "q=x"}, follow=True)
    assert "请填写筛选名称" in " ".join(str(m) for m in response.context["messages"])
    assert not SavedFilter.objects.exists()


def test_csv_export_is_masked_filtered_and_logged(login, personas):
    make_appeal(content="幸福小区停水", citizen_phone="13912345678")
    make_appeal(content="噪音扰民", category="010101")
    response = login(personas.supervisor).get("/appeals/export.csv", {"q": "停水"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert "139****5678" in rows[1] and "13912345678" not in body
    log = ExportLog.objects.get()
    assert log.user == personas.supervisor and log.row_count == 1 and log.format == "csv"
    assert log.filters == {"q": ["停水"]}


def test_xlsx_export_respects_access(login, personas):
    advance(make_appeal(content="水务件"), personas, "dispatched")
    advance(make_appeal(content="城管件"), personas, "dispatched", unit=personas.urban)
    response = login(personas.dept_head).get("/appeals/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == 2 and values[1][values[0].index("标题")] == "水务件"
    assert ExportLog.objects.get().row_count == 1


def test_export_follows_the_export_roles(login, personas):
    make_appeal()
    assert login(personas.handler).get("/appeals/export.csv").status_code == 403
    assert "导出 CSV" not in login(personas.handler).get("/appeals/").content.decode()
    assert not ExportLog.objects.exists()


def test_formula_like_cells_are_defused_in_exports(login, personas):
    make_appeal(content="=HYPERLINK(\"http://x\")", title="=1+1")
    body = b"".join(login(personas.supervisor).get("/appeals/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=1+1" in body


def test_list_query_count_does_not_grow_with_rows(login, personas, django_assert_max_num_queries):
    for i in range(20):
        advance(make_appeal(content=f"停水{i}", citizen_phone=f"1390000{i:04d}"), personas, "dispatched")
    client = login(personas.supervisor)
    # 13: the page reads its ids in order, then those rows with what they show (keyset_page).
    with django_assert_max_num_queries(13):
        assert client.get("/appeals/", {"county": "370811", "status": "open"}).status_code == 200


def test_small_set_paging_gives_the_same_order_as_the_index(personas):
    now = timezone.now()
    for i in range(5):
        a = advance(make_appeal(content=f"第{i}件", citizen_phone=f"1390000{i:04d}"), personas, "accepted")
        Appeal.objects.filter(pk=a.pk).update(reply_deadline=now - timedelta(hours=i + 1))
    qs = Appeal.objects.filter(status="accepted")
    walked, after = [], ""
    while True:
        page = keyset_page(qs, sort="reply_deadline", after=after, size=2, small_set=True)
        walked += [a.pk for a in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert walked == list(qs.order_by("reply_deadline", "pk").values_list("pk", flat=True))


def test_fast_select_renders_like_a_select(personas):
    from jishiban.web.forms.widgets import FastSelect, FastSelectMultiple

    html = FastSelect(choices=[("", "—"), ("组", [(1, "甲<b>"), (2, "乙")])]).render("unit", 2, {"id": "u"})
    assert html.startswith('<select id="u" name="unit">')
    assert '<optgroup label="组">' in html and '<option value="2" selected>乙</option>' in html
    assert "甲&lt;b&gt;" in html
    multi = FastSelectMultiple(choices=[(1, "a"), (2, "b")]).render("co", [1, 2])
    assert "multiple" in multi and multi.count("selected") == 2


def test_text_search_looks_at_two_weeks_unless_dates_are_given(login, personas):
    old = make_appeal(content="很久以前的噪音问题", received_at=timezone.now() - timedelta(days=40))
    client = login(personas.supervisor)
    assert _numbers(client.get("/appeals/", {"q": "噪音"})) == []
    since = (timezone.localdate() - timedelta(days=60)).isoformat()
    assert _numbers(client.get("/appeals/", {"q": "噪音", "date_from": since})) == [old.number]
    assert _numbers(client.get("/appeals/", {"q": old.number})) == [old.number]
