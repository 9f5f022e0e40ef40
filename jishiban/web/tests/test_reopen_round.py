"""After 重办 the appeal page shows no reply as this round's until the unit answers again; the
earlier round's reply stays in the record, labelled as that round's."""

import pytest

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db

OLD = "已安排维修人员处理，现已恢复"  # the reply ``advance`` writes
NEW = "已更换主管道，供水恢复正常"


def _reopened_after_dissatisfied_callback(personas, client):
    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    response = client.post(f"/appeals/{appeal.pk}/act/reopen/",
                           {"expected_version": appeal.version, "reason": "群众反映仍未恢复供水"})
    assert response.status_code == 302, response.content
    return Appeal.objects.get(pk=appeal.pk)


def _current_card(page: str) -> str:
    return page.split('id="current-reply"', 1)[1].split("</section>", 1)[0] if 'id="current-reply"' in page else ""


def _timeline(page: str) -> str:
    return page.split("办理记录", 1)[1].split("</ol>", 1)[0]


def test_after_a_reopening_the_page_shows_no_current_reply_and_labels_the_earlier_one(login, personas):
    client = login(personas.supervisor)
    appeal = _reopened_after_dissatisfied_callback(personas, client)
    assert appeal.status == "reopened"
    assert (appeal.result_type, appeal.result_text, appeal.promise, appeal.follow_up_date) == ("", "", "", None)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert _current_card(page) == ""  # no 办理结果 card: nothing answers this round yet
    reply_line = _timeline(page).split(OLD, 1)[0].rsplit("<li>", 1)[1]
    assert "第 1 轮，已重办" in reply_line
    callback_line = _timeline(page).split("不满意", 1)[0].rsplit("<li>", 1)[1]
    assert "第 1 轮，已重办" in callback_line


def test_the_new_reply_is_the_current_one_and_the_old_stays_labelled(login, personas):
    client = login(personas.supervisor)
    appeal = _reopened_after_dissatisfied_callback(personas, client)
    appeal = services.accept(appeal, by=personas.handler)
    services.reply(appeal, by=personas.handler, result_type="solved", text=NEW)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    card = _current_card(page)
    assert "本轮答复（第 2 轮）" in card and NEW in card and OLD not in card
    timeline = _timeline(page)
    assert "第 1 轮，已重办" in timeline.split(OLD, 1)[0].rsplit("<li>", 1)[1]
    assert "已重办" not in timeline.split(NEW, 1)[0].rsplit("<li>", 1)[1]


def test_the_reopen_event_keeps_the_reply_it_moved_out_of_current(personas):
    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    appeal = services.reopen(appeal, by=personas.supervisor, reason="群众反映仍未恢复供水")
    event = appeal.events.get(action="reopen")
    earlier = event.payload["previous_reply"]
    assert earlier["round"] == 1 and earlier["result_type"] == "solved" and earlier["text"] == OLD
    assert earlier["satisfaction"] == "dissatisfied" and earlier["solved"] is False
    assert appeal.events.get(action="reply").payload["text"] == OLD  # the reply's own event is untouched


def test_the_figures_read_the_events_not_the_cleared_fields(personas):
    """The 答复/回访 counts of the first round stand after the reopening cleared the appeal's
    reply fields; putting the old fields back changes no figure."""
    from django.utils import timezone

    from jishiban.analytics.rollup import compute_entries

    appeal = advance(make_appeal(), personas, "replied")
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="dissatisfied", solved=False)
    appeal = services.reopen(appeal, by=personas.supervisor, reason="群众反映仍未恢复供水")
    now = timezone.now()
    cleared = compute_entries([appeal.pk], now)[appeal.pk]
    names = {entry[0] for entry in cleared}
    assert {"replied", "cb_dissatisfied", "reopened"} <= names
    Appeal.objects.filter(pk=appeal.pk).update(result_type="solved", result_text=OLD,
                                               satisfaction="dissatisfied", solved=False)
    assert compute_entries([appeal.pk], now)[appeal.pk] == cleared
