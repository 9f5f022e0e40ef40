"""The knowledge base: versions, who maintains what, search while typing, 直接办结 with an
entry through the call desk, usage and freshness figures (page and API)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jishiban.appeals.errors import ActionForbidden, AppealValidationError
from jishiban.appeals.models import Appeal, Status
from jishiban.knowledge import selectors, services
from jishiban.knowledge.models import Entry, EntryUse
from jishiban.taxonomy.models import Category

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(personas):
    return services.create_entry(by=personas.handler, owner_unit=personas.water,
                                 category=Category.objects.get(code="020101"),
                                 title="计划停水通知与恢复供水时间查询",
                                 body="突发停水抢修一般6小时内恢复供水，停水超过24小时安排临时送水。")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_every_edit_is_a_new_version_with_history(personas, entry):
    services.edit_entry(entry, by=personas.handler, title=entry.title, body="抢修一般8小时内恢复供水。",
                        note="时限调整")
    entry.refresh_from_db()
    assert entry.version == 2
    assert [v.number for v in selectors.history(entry)] == [2, 1]
    page = _client(personas.operator).get(reverse("knowledge:entry", args=[entry.pk])).content.decode()
    assert "第2版" in page and "时限调整" in page and "8小时" in page


def test_a_stale_edit_is_refused_and_writes_nothing(personas, entry):
    services.edit_entry(entry, by=personas.supervisor, title=entry.title, body="新内容一", expected_version=1)
    stale = Entry.objects.get(pk=entry.pk)
    stale.version = 1
    with pytest.raises(AppealValidationError):
        services.edit_entry(stale, by=personas.handler, title=entry.title, body="新内容二", expected_version=1)
    assert Entry.objects.get(pk=entry.pk).body == "新内容一"


def test_only_the_owner_unit_and_supervisors_maintain_an_entry(personas, entry):
    with pytest.raises(ActionForbidden):
        services.edit_entry(entry, by=personas.other_handler, title=entry.title, body="改")
    with pytest.raises(ActionForbidden):
        services.edit_entry(entry, by=personas.operator, title=entry.title, body="改")
    response = _client(personas.other_handler).post(reverse("knowledge:entry", args=[entry.pk]),
                                                    {"title": "x", "body": "y"})
    assert response.status_code == 404
    assert Entry.objects.get(pk=entry.pk).version == 1


def test_unit_staff_edit_their_entry_on_its_page(personas, entry):
    c = _client(personas.handler)
    response = c.post(reverse("knowledge:entry", args=[entry.pk]), {
        "kind": "policy", "title": entry.title, "body": "抢修4小时内恢复供水。", "category": entry.category_id,
        "owner_unit": personas.water.pk, "review_days": 90, "note": "提速", "version": 1})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.version == 2 and entry.review_days == 90


def test_bad_input_is_refused_in_chinese(personas, entry):
    response = _client(personas.handler).post(reverse("knowledge:entry", args=[entry.pk]), {
        "kind": "policy", "title": "", "body": "", "owner_unit": personas.water.pk, "review_days": 2, "version": 1})
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写标题" in page and "复核周期至少 7 天" in page
    assert Entry.objects.get(pk=entry.pk).version == 1


def test_search_finds_the_entry_from_the_call_being_typed(entry):
    hits = selectors.search("我们小区突然停水了，什么时候能恢复？")
    assert hits and hits[0].entry == entry
    assert selectors.search("路灯不亮") == []


def test_an_entry_of_another_county_is_not_suggested(personas, entry):
    from jishiban.regions.models import Region

    Entry.objects.filter(pk=entry.pk).update(region=Region.objects.get(code="370812"))
    assert selectors.search("停水了什么时候恢复", county=Region.objects.get(code="370811")) == []
    assert selectors.search("停水了什么时候恢复", county=Region.objects.get(code="370812"))


def _call(**extra):
    return {"citizen_phone": "13912340000", "channel": "12345-phone", "appeal_type": "consult",
            "category": "020101", "content": "小区停水了，什么时候恢复供水", "county": "370811", **extra}


def test_desk_suggests_entries_while_typing(personas, entry):
    response = _client(personas.operator).post(reverse("knowledge:suggest"), _call())
    assert response.status_code == 200
    assert entry.title in response.content.decode()
    assert "用此条直接办结" in response.content.decode()


def test_answer_directly_with_an_entry_quotes_and_links_it(personas, entry):
    c = _client(personas.operator)
    response = c.post(reverse("knowledge:answer"), _call(knowledge_entry=entry.pk, answer_text="您好，"))
    assert response.status_code == 302
    appeal = Appeal.objects.get(citizen_phone="13912340000")
    assert appeal.status == Status.ANSWERED
    assert entry.title in appeal.result_text and entry.body in appeal.result_text
    assert appeal.result_text.startswith("您好，")
    use = EntryUse.objects.get(appeal=appeal)
    assert use.entry == entry and use.version == 1 and use.by == personas.operator
    event = appeal.events.get(action="answer")
    assert event.payload["knowledge"]["entry"] == entry.pk
    page = c.get(reverse("web:appeal_detail", args=[appeal.pk])).content.decode()
    assert "引用的知识库条目" in page and reverse("knowledge:entry", args=[entry.pk]) in page


def test_answer_with_an_unknown_entry_writes_nothing(personas):
    response = _client(personas.operator).post(reverse("knowledge:answer"), _call(knowledge_entry="999999"))
    assert response.status_code == 422
    assert "所选知识条目不存在" in response.content.decode()
    assert not Appeal.objects.filter(citizen_phone="13912340000").exists()


def test_answer_needs_the_desk_fields(personas, entry):
    response = _client(personas.operator).post(reverse("knowledge:answer"),
                                               _call(knowledge_entry=entry.pk, category=""))
    assert response.status_code == 422
    assert "请选择分类" in response.content.decode()
    assert not EntryUse.objects.exists()


def test_the_desk_helpers_refuse_who_does_not_take_calls(personas):
    assert _client(personas.handler).post(reverse("knowledge:answer"), _call()).status_code == 403
    assert _client(personas.citizen).get(reverse("knowledge:entries")).status_code in (302, 403)


def test_figures_per_owner_unit_page_and_api(personas, entry):
    services.create_entry(by=personas.supervisor, owner_unit=personas.water, title="水质检测",
                          body="免费入户检测", review_days=7, now=None)
    Entry.objects.filter(title="水质检测").update(review_due=dt.date(2020, 1, 1))
    _client(personas.operator).post(reverse("knowledge:answer"), _call(knowledge_entry=entry.pk))
    rows = {r["unit_code"]: r for r in selectors.figures(personas.supervisor)}
    water = rows["city-water"]
    assert (water["entries"], water["overdue"], water["uses"], water["edits"]) == (2, 1, 1, 2)
    assert water["fresh_rate"] == 0.5
    page = _client(personas.supervisor).get(reverse("knowledge:figures")).content.decode()
    assert "50%" in page
    api = _client(personas.supervisor).get("/api/v1/knowledge/figures").json()
    assert api[0]["unit_code"] == "city-water" and api[0]["uses"] == 1
    # a unit reads its own row only; an operator reads none
    assert [r["unit_code"] for r in selectors.figures(personas.other_handler)] == []
    assert _client(personas.operator).get(reverse("knowledge:figures")).status_code == 403


def test_search_api(personas, entry):
    hits = _client(personas.operator).get("/api/v1/knowledge/search", {"q": "停水什么时候恢复"}).json()
    assert hits[0]["id"] == entry.pk and hits[0]["freshness"] == "fresh"


def test_confirming_an_entry_restarts_its_review(personas, entry):
    Entry.objects.filter(pk=entry.pk).update(review_due=dt.date(2020, 1, 1))
    _client(personas.handler).post(reverse("knowledge:entry_confirm", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.review_due > timezone.localdate() and entry.version == 1


def test_demo_entries_load_once(reference_data):
    from jishiban.knowledge import demo

    assert demo.load() == len(demo.ENTRIES)
    assert demo.load() == 0
    assert selectors.search("健身房跑路了预付卡怎么退费")[0].entry.title == "预付卡退费维权途径"
