"""A signed-in citizen only ever sees the portal: not the staff search screen, the workbench
detail with handler names and routing reasons, nor the staff callback form."""

import pytest

from jishiban.appeals import services as workflow
from jishiban.testing import make_appeal

from .helpers import hand_in

pytestmark = pytest.mark.django_db


def test_workbench_pages_send_a_citizen_to_the_portal(client, personas):
    p = personas
    mine = make_appeal(citizen_user=p.citizen)
    mine = workflow.dispatch(mine, by=p.dispatcher, lead_unit=p.water, explanation="职能领域 education")
    client.force_login(p.citizen)
    for path in ("/", "/appeals/", f"/appeals/{mine.pk}/", "/supervision/callbacks/", "/supervision/", "/dashboard/",
                 "/intake/", "/admin/", "/api/v1/appeals", f"/api/v1/appeals/{mine.number}"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/portal/", path
    page = client.get("/portal/").content.decode()
    assert "我的诉求" in page and mine.number in page
    detail = client.get(f"/portal/appeals/{mine.number}/").content.decode()
    assert "职能领域" not in detail and "dept_water" not in detail and p.water.name in detail


def test_a_citizen_sees_only_their_own_appeals(client, personas):
    p = personas
    theirs = make_appeal(citizen_user=p.other_citizen)
    client.force_login(p.citizen)
    assert theirs.number not in client.get("/portal/").content.decode()
    assert client.get(f"/portal/appeals/{theirs.number}/").status_code == 404


def test_an_appeal_handed_in_while_signed_in_is_the_citizens_own(client, personas):
    client.force_login(personas.citizen)
    appeal, _code = hand_in(client)
    assert appeal.citizen_user == personas.citizen
    other = client.__class__()
    other.force_login(personas.citizen)
    assert other.get(f"/portal/appeals/{appeal.number}/").status_code == 200  # no code needed: it is theirs


def test_staff_keep_their_pages(client, personas):
    client.force_login(personas.supervisor)
    assert client.get("/appeals/").status_code == 200
    assert client.get("/portal/").status_code == 200
