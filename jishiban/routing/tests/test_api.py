"""Read-only API: the catalogue for those who may read it, suggestions for appeals the caller
may see (404 otherwise)."""

import pytest

from jishiban.api.tokens import create_token
from jishiban.routing.services import seed_catalogue
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, personas):
    def get(who, path, **params):
        headers = {}
        if who:
            _row, token = create_token(getattr(personas, who))
            headers["Authorization"] = f"Bearer {token}"
        return client.get("/api/v1" + path, params, headers=headers)
    return get


@pytest.fixture
def seeded(reference_data):
    seed_catalogue()


def test_rules_for_catalogue_readers(call, seeded):
    response = call("dispatcher", "/routing/rules", county="370811", category="0204")
    assert response.status_code == 200
    body = response.json()
    heating = [r for r in body["results"] if r["lead_unit"]["code"] == "ent-heating"]
    assert body["count"] == len(body["results"]) == 1 and heating[0]["co_units"][0]["code"] == "370811-housing"
    assert heating[0]["origin"] == "seeded" and heating[0]["priority"] == 10
    paged = call("supervisor", "/routing/rules", limit=5, offset=5).json()
    assert paged["count"] > 100 and len(paged["results"]) == 5
    assert call("admin", "/routing/rules", county="nowhere").json() == {"count": 0, "results": []}


@pytest.mark.parametrize("who", ["operator", "handler", "county_rencheng", "citizen"])
def test_rules_refused_to_others(call, seeded, who):
    assert call(who, "/routing/rules").status_code == 403


def test_anonymous_gets_401(call, seeded):
    assert call(None, "/routing/rules").status_code == 401


def test_suggestions_for_a_visible_appeal(call, seeded):
    appeal = make_appeal(county="370883", category="020101")
    response = call("dispatcher", f"/appeals/{appeal.number}/routing")
    assert response.status_code == 200
    first = response.json()[0]
    assert first["lead_unit"] == {"code": "370883-water", "name": "邹城市水务局"}
    assert first["source"] == "catalogue" and first["source_label"] == "派单目录"
    assert first["explanation"].startswith("分类 停水 + 县市区 邹城市 → 规则 #")
    assert len(call("dispatcher", f"/appeals/{appeal.number}/routing", limit=1).json()) == 1


def test_suggestions_404_when_the_appeal_is_not_visible(call, seeded):
    appeal = make_appeal(county="370883", category="020101")
    assert call("county_other", f"/appeals/{appeal.number}/routing").status_code == 404  # 兖州区 staff
    assert call("handler", f"/appeals/{appeal.number}/routing").status_code == 404  # not their unit's
    assert call("dispatcher", "/appeals/JN-NONE/routing").status_code == 404


def test_citizen_sees_own_appeal_but_not_its_routing(call, seeded, personas):
    appeal = make_appeal(county="370883", category="020101", citizen_user=personas.citizen)
    assert call("citizen", f"/appeals/{appeal.number}/routing").status_code == 403
