"""Login, each role's home, the navigation per role and the page gates."""

import pytest
from django.test import Client

from jishiban.web.navigation import nav_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, home", [
    ("operator", "/intake/"), ("dispatcher", "/dispatch/"), ("handler", "/inbox/"), ("dept_head", "/inbox/"),
    ("supervisor", "/oversight/"), ("county_rencheng", "/oversight/"), ("leader", "/dashboard/"),
    ("analyst", "/dashboard/"), ("grid_worker", "/grid/"), ("citizen", "/portal/"),
])
def test_login_lands_each_role_on_its_own_home(personas, who, home):
    user = getattr(personas, who)
    client = Client()
    response = client.post("/accounts/login/", {"username": user.username, "password": "pw-for-tests-only"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == home
    assert client.get(home).status_code == 200


def test_wrong_password_is_answered_on_the_login_page(personas):
    response = Client().post("/accounts/login/", {"username": "operator", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode() or "correct" in response.content.decode()


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/intake/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_nav_shows_each_role_only_its_pages(personas):
    keys = {who: [e["key"] for e in nav_for(getattr(personas, who))] for who in
            ("operator", "dispatcher", "handler", "supervisor", "county_rencheng", "leader", "citizen")}
    assert keys["operator"][0] == "intake" and "dispatch" not in keys["operator"]
    assert "dispatch" in keys["dispatcher"] and "intake" in keys["dispatcher"]
    # A handler's supervision orders wait under /supervision/, so it is in their menu.
    assert keys["handler"] == ["inbox", "supervision", "list", "knowledge"]
    for who in ("supervisor", "county_rencheng", "leader", "dispatcher", "operator"):
        assert "supervision" in keys[who]
    assert "routing" not in keys["handler"] and "supervision" not in keys["citizen"]
    assert keys["citizen"] == []  # a citizen's pages are the portal's


@pytest.mark.parametrize("who, url", [
    ("handler", "/intake/"), ("handler", "/dispatch/"), ("handler", "/oversight/"), ("handler", "/dashboard/"),
    ("operator", "/dispatch/"), ("operator", "/inbox/"), ("dispatcher", "/supervision/extensions/"),
    ("grid_worker", "/dashboard/"),
])
def test_pages_refuse_roles_that_do_not_use_them(login, personas, who, url):
    assert login(getattr(personas, who)).get(url).status_code == 403


def test_base_template_offers_language_switch_and_logout(login, personas):
    html = login(personas.supervisor).get("/oversight/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/supervision/"' in html


def test_logout_ends_the_session(login, personas):
    client = login(personas.operator)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/intake/").status_code == 302


def test_english_is_available_through_the_language_switch(login, personas):
    client = login(personas.operator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/intake/"})
    html = client.get("/intake/").content.decode()
    assert '<html lang="en">' in html
    assert "Call desk" in html and "Caller number" in html
