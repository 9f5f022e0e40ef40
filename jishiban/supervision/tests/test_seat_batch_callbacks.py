"""逐件回访: the pending callbacks one after another, each through the callback desk's action."""

import pytest
from django.test import Client
from django.urls import reverse

from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_one_result_form_after_another(personas):
    appeals = [advance(make_appeal(citizen_phone=f"1391234000{i}"), personas, "replied") for i in range(3)]
    c = _client(personas.supervisor)
    url = reverse("supervision:callback_batch")
    for i, appeal in enumerate(appeals):
        page = c.get(url).content.decode()
        assert f"第 1 件，共 {3 - i} 件待回访" in page and appeal.number in page
        from jishiban.supervision.models import CallbackTask

        task = CallbackTask.objects.get(appeal=appeal)
        response = c.post(reverse("supervision:callback_action", args=[task.pk, "result"]), {
            "satisfaction": "satisfied", "solved": "yes", "close_after": "on", "comment": "满意",
            "expected_version": appeal.version, "next": f"{url}?at=0"})
        assert response.status_code == 302 and response["Location"] == f"{url}?at=0"
        appeal.refresh_from_db()
        assert appeal.status == "closed"
    assert "已全部回访完毕" in c.get(url).content.decode()


def test_skipping_moves_on_without_writing(personas):
    first, second = (advance(make_appeal(citizen_phone=p), personas, "replied") for p in ("13912340001", "13912340002"))
    c = _client(personas.supervisor)
    page = c.get(reverse("supervision:callback_batch") + "?at=1").content.decode()
    assert second.number in page and "第 2 件，共 2 件" in page
    first.refresh_from_db()
    assert first.status == "replied"
    # out of range or not a number: the nearest task, no error
    assert c.get(reverse("supervision:callback_batch") + "?at=x").status_code == 200
    assert second.number in c.get(reverse("supervision:callback_batch") + "?at=99").content.decode()


def test_only_the_callback_desk_calls_through_the_list(personas):
    assert _client(personas.handler).get(reverse("supervision:callback_batch")).status_code == 403
    assert _client(personas.leader).get(reverse("supervision:callback_batch")).status_code == 403
