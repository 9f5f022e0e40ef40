"""``GET /api/v1/dispatch/units``: the dispatch picker through the API — the same search and
suggestions, only units the caller may dispatch to; a county's dispatch outside it refused."""

import pytest

from jishiban.api.tokens import create_token
from jishiban.appeals.models import Appeal
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, personas):
    def request(who, method, path, body=None, **params):
        _row, token = create_token(getattr(personas, who))
        headers = {"Authorization": f"Bearer {token}"}
        if method == "get":
            return client.get("/api/v1" + path, params, headers=headers)
        return client.post("/api/v1" + path, body, content_type="application/json", headers=headers)
    return request


def test_search_by_pinyin_initials_with_the_appeals_suggestions_on_top(call):
    appeal = make_appeal()
    body = call("dispatcher", "get", "/dispatch/units", q="zjj", appeal=appeal.number).json()
    assert body[0]["code"] == "370811-housing" and body[0]["county_name"] == "任城区"
    assert "city-housing" in [u["code"] for u in body]
    suggested = call("dispatcher", "get", "/dispatch/units", appeal=appeal.number).json()
    assert suggested[0]["code"] == "370811-water"
    assert suggested[0]["suggestion"]["explanation"].startswith("分类 停水 的职能领域")


def test_county_staff_get_only_units_they_may_dispatch_to(call):
    codes = [u["code"] for u in call("county_rencheng", "get", "/dispatch/units", q="zjj").json()]
    assert codes == ["370811-housing"]


def test_those_who_do_not_dispatch_are_refused(call):
    response = call("handler", "get", "/dispatch/units", q="zjj")
    assert response.status_code == 403 and response.json()["detail"] == "您无权派单"


def test_an_appeal_the_caller_cannot_see_is_not_found(call):
    other = make_appeal(county="370812")
    response = call("county_rencheng", "get", "/dispatch/units", q="zjj", appeal=other.number)
    assert response.status_code == 404


def test_county_dispatch_outside_the_county_is_refused_in_chinese_and_nothing_changes(call):
    appeal = make_appeal()
    response = call("county_rencheng", "post", f"/appeals/{appeal.number}/actions/dispatch",
                    {"expected_version": appeal.version, "lead_unit": "city-housing"})
    assert response.status_code == 422
    assert "县市区社会治理服务中心只能派往任城区的单位" in response.json()["errors"]["lead_unit"][0]
    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.status == "received" and stored.version == appeal.version
    ok = call("county_rencheng", "post", f"/appeals/{appeal.number}/actions/dispatch",
              {"expected_version": appeal.version, "lead_unit": "370811-housing", "co_units": ["ent-heating"]})
    assert ok.status_code == 200 and ok.json()["status"] == "dispatched"
