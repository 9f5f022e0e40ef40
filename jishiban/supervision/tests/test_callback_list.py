"""One callback list (回访): every replied appeal is in it until its callback is done, paged, and
every count of it — the tabs, 逐件回访, the supervision home, the oversight list 不满意/未解决 and
the API — is the number of rows it shows."""

import re
from functools import partial

import pytest
from django.test import Client

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.supervision import selectors
from jishiban.supervision.models import CallbackTask
from jishiban.supervision.services import callbacks
from jishiban.supervision.views import callbacks as callback_views
from jishiban.supervision.views.common import page
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _tab(html: str, state: str) -> int:
    return int(re.search(rf'data-count="{state}"[^>]*>[^（]*（(\d+)）', html).group(1))


def _oversight_count(client) -> int:
    html = client.get("/oversight/", {"list": "dissatisfied"}).content.decode()
    return int(re.search(r'list=dissatisfied"[^>]*>[^<]*<span class="n">(\d+)', html).group(1))


def _api_total(user, state) -> tuple[int, int]:
    from ninja.testing import TestClient

    from jishiban.api.urls import api

    response = TestClient(api).get(f"/supervision/callbacks?state={state}&limit=500", user=user)
    assert response.status_code == 200, response.content
    return int(response["X-Total-Count"]), len(response.json())


def test_a_freshly_replied_appeal_is_listed_and_counted_everywhere(personas):
    appeal = advance(make_appeal(content="刚答复的停水诉求"), personas, "replied")
    client = _client(personas.supervisor)
    page_ = client.get("/supervision/callbacks/")
    html = page_.content.decode()
    assert appeal.number in html and _tab(html, "pending") == 1 == page_.context["tasks"].paginator.count
    home = client.get("/supervision/").content.decode()
    assert "待回访 1 件" in home
    batch = client.get("/supervision/callbacks/batch/").content.decode()
    assert "共 1 件待回访" in batch and appeal.number in batch


def test_dissatisfied_and_unsolved_counts_agree_between_pages(personas):
    dissatisfied = advance(make_appeal(content="不满意"), personas, "replied")
    unsolved = advance(make_appeal(content="基本满意但未解决"), personas, "replied")
    settled = advance(make_appeal(content="满意"), personas, "replied")
    for appeal, verdict, solved in ((dissatisfied, "dissatisfied", True), (unsolved, "basically", False),
                                    (settled, "satisfied", True)):
        callbacks.record_result(CallbackTask.objects.get(appeal=appeal), by=personas.operator,
                                satisfaction=verdict, solved=solved)
    client = _client(personas.supervisor)
    html = client.get("/supervision/callbacks/", {"state": "decision"}).content.decode()
    assert _tab(html, "decision") == 2 and dissatisfied.number in html and unsolved.number in html
    assert settled.number not in html
    assert _oversight_count(client) == 2
    oversight = {a.number for a in client.get("/oversight/", {"list": "dissatisfied"}).context["rows"]}
    assert oversight == {dissatisfied.number, unsolved.number}
    home = client.get("/supervision/").content.decode()
    assert re.search(r"不满意待处理 <strong>2</strong>", home)
    # decided: gone from both at once
    callbacks.decide(CallbackTask.objects.get(appeal=unsolved), by=personas.supervisor, decision="close",
                     reason="已解释政策")
    assert _oversight_count(client) == 1 == selectors.callback_counts(personas.supervisor)["decision"]


def test_the_list_is_paged_and_the_count_is_the_whole_list(personas, monkeypatch):
    monkeypatch.setattr(callback_views, "page", partial(page, size=2))
    numbers = {advance(make_appeal(content=f"第{i}件"), personas, "replied").number for i in range(3)}
    client = _client(personas.supervisor)
    first = client.get("/supervision/callbacks/")
    second = client.get("/supervision/callbacks/", {"state": "pending", "page": 2})
    shown = [t.appeal.number for t in first.context["tasks"]] + [t.appeal.number for t in second.context["tasks"]]
    assert len(shown) == 3 and set(shown) == numbers
    html = first.content.decode()
    assert _tab(html, "pending") == 3 and "共 3 件，本页第 1–2 件" in html and "下一页" in html


def test_the_list_filter_narrows_rows_and_counts_alike(personas):
    here = advance(make_appeal(content="任城区的诉求", county="370811"), personas, "replied")
    there = advance(make_appeal(content="邹城市的诉求", county="370883"), personas, "replied")
    client = _client(personas.supervisor)
    response = client.get("/supervision/callbacks/", {"county": "370811"})
    html = response.content.decode()
    assert here.number in html and there.number not in html and _tab(html, "pending") == 1
    assert 'href="?state=decision&amp;county=370811"' in html  # the tabs keep the filter
    by_number = client.get("/supervision/callbacks/", {"q": there.number}).content.decode()
    assert there.number in by_number and here.number not in by_number and _tab(by_number, "pending") == 1
    batch = client.get("/supervision/callbacks/batch/", {"county": "370883"}).content.decode()
    assert "共 1 件待回访" in batch and there.number in batch


def test_a_bad_filter_value_says_so_in_chinese_and_lists_everything(personas):
    advance(make_appeal(), personas, "replied")
    response = _client(personas.supervisor).get("/supervision/callbacks/", {"county": "nowhere"})
    html = response.content.decode()
    assert response.status_code == 200 and "县市区：" in html and _tab(html, "pending") == 1


def test_a_reply_written_without_the_reactions_gets_its_task_from_the_backfill(personas):
    appeal = advance(make_appeal(), personas, "replied")
    CallbackTask.objects.filter(appeal=appeal).delete()  # as an import or the demo's history leaves it
    assert selectors.callback_counts(personas.supervisor)["pending"] == 0
    assert callbacks.backfill_tasks() == 1 and callbacks.backfill_tasks() == 0
    assert [t.appeal_id for t in selectors.callback_tasks(personas.supervisor)] == [appeal.pk]


def test_the_api_total_is_the_lists_count(personas):
    appeal = advance(make_appeal(), personas, "replied")
    advance(make_appeal(), personas, "replied")
    services.callback(Appeal.objects.get(pk=appeal.pk), by=personas.supervisor, satisfaction="dissatisfied",
                      solved=False)
    counts = selectors.callback_counts(personas.supervisor)
    assert counts == {"pending": 1, "decision": 1}
    for state in ("pending", "decision"):
        assert _api_total(personas.supervisor, state) == (counts[state], counts[state])
