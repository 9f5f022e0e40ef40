"""``/api/v1/grid/…``: an idempotent report from a phone app, the worker's tasks, refusals."""

import uuid

import pytest
from django.test import Client

from jishiban.grid.models import GridEvent

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_report_sent_twice_is_stored_once(grid_world):
    client = _client(grid_world["worker"])
    body = {"id": str(uuid.uuid4()), "kind": "mediation", "title": "邻里噪音纠纷", "description": "楼上楼下因噪音争吵",
            "details": {"parties": "3-201 与 3-301", "agreement": "晚十点后不再装修"}, "lat": 35.415, "lon": 116.565}
    first = client.post("/api/v1/grid/events", body, content_type="application/json")
    again = client.post("/api/v1/grid/events", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["state_label"] == "案卷建立" and [s["action"] for s in first.json()["steps"]] == ["collect", "file"]
    assert GridEvent.objects.count() == 1
    assert client.get(f"/api/v1/grid/events/{body['id']}").status_code == 200
    assert client.get("/api/v1/grid/tasks").json() == []


def test_refusals_are_clear(grid_world):
    p = grid_world["p"]
    body = {"id": str(uuid.uuid4()), "kind": "x", "title": "", "description": "d"}
    bad = _client(grid_world["worker"]).post("/api/v1/grid/events", body, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"kind", "title"}
    assert _client(p.handler).post("/api/v1/grid/events", body, content_type="application/json").status_code == 403
    assert _client(p.handler).get("/api/v1/grid/tasks").status_code == 403
    assert _client(p.other_handler).get(f"/api/v1/grid/events/{uuid.uuid4()}").status_code == 404
