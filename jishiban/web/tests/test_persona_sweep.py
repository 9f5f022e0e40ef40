"""Every persona over every named workbench URL: the menu offers exactly the pages the gates open.

Personas: one user of every ``Role`` (plus a second citizen), an inactive operator and an
anonymous visitor. URLs: every named page of the workbench, supervision and routing apps that
needs no argument, and those that do with arguments from fixtures (an appeal, a routing rule).
For each, the answer must follow the role policy: a gated page answers 403 exactly when its gate
(``core.views.gate``) refuses, anonymous and inactive users are sent to sign in, nothing answers
5xx; and a page is in the user's menu (``web.navigation.nav_for``, the supervision area's menu)
exactly when its gate admits them.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from jishiban.accounts import policy
from jishiban.accounts.models import Role
from jishiban.supervision.templatetags.supervision import AREA
from jishiban.testing import make_appeal, make_user
from jishiban.web.navigation import NAV, nav_for

pytestmark = pytest.mark.django_db

NAMESPACES = ("web", "supervision", "routing", "analytics", "warnings", "knowledge", "calls", "grid", "cockpit")
# Pages that answer anyone by design (signing in and out, a citizen's callback link).
OPEN_PAGES = {"web:login", "web:logout", "supervision:public_callback"}


def named_patterns():
    """``(url name, pattern)`` of every named URL in the workbench apps."""
    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace in NAMESPACES:
                yield f"{namespace}:{p.name}", p
    return sorted(walk(get_resolver().url_patterns, None), key=lambda item: item[0])


@pytest.fixture
def people(personas):
    """Name → user (``None`` for the anonymous visitor); one of every role."""
    by_name = {name: user for name, user in vars(personas).items() if hasattr(user, "role")}
    by_name["inactive"] = make_user("gone", Role.OPERATOR, org="centre-city", is_active=False)
    by_name["anonymous"] = None
    assert {u.role for u in by_name.values() if u is not None} >= set(Role)
    return by_name


@pytest.fixture
def arguments(personas):
    """Values for the URL arguments the sweep fills in (others are left out: see ``urls``)."""
    from jishiban.routing.models import DispatchRule

    appeal = make_appeal()
    rule = DispatchRule.objects.create(keywords="停水", lead_unit=personas.water)
    return {"web:appeal_detail": {"pk": appeal.pk}, "routing:rule_detail": {"pk": rule.pk},
            "routing:rule_edit": {"pk": rule.pk}, "web:appeal_export": {"fmt": "csv"},
            "cockpit:live": {"what": "in-hand"}}


def urls(arguments) -> list[tuple[str, str]]:
    found = []
    for name, pattern in named_patterns():
        if name in OPEN_PAGES:
            continue
        if pattern.pattern.regex.groups == 0:
            found.append((name, reverse(name)))
        elif name in arguments:
            found.append((name, reverse(name, kwargs=arguments[name])))
    return found


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _check_gate(who, user, name, url, response):
    """The answer to ``user``'s GET of ``url`` follows the page's gate."""
    assert response.status_code < 500, (who, name, response.status_code)
    check = getattr(resolve(url).func, "gate_check", None)
    if user is None or not user.is_active:
        assert response.status_code in (302, 405), (who, name)
        if response.status_code == 302:  # to sign in; the site's root sends visitors to the portal
            expected = "/portal/" if name == "web:home" else "/accounts/login/"
            assert response["Location"].startswith(expected), (who, name)
        return
    if check is None:
        return  # signing in is enough; what the page shows is visible_to's business
    if check(user):
        assert response.status_code != 403, (who, name)
        return
    if user.role == Role.CITIZEN:  # a citizen is kept on the portal's pages
        assert response.status_code == 302 and response["Location"] == "/portal/", (who, name)
        return
    if response.status_code == 405:  # a form's target: the refused are refused before the form is read
        response = _client(user).post(url)
    assert response.status_code == 403, (who, name, response.status_code)


def _supervision_menu(user) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/supervision/")
    request.user = user
    return Template("{% load supervision %}{% area_nav %}").render(Context({"request": request}))


def test_every_persona_over_every_page_gate_and_menu_agree(people, arguments):
    pages = urls(arguments)
    assert len(pages) > 30  # the walk found the apps' pages
    assert {entry.key for entry in NAV} == set(policy.PAGES)
    for who, user in people.items():
        client = _client(user)
        opens = {}
        for name, url in pages:
            response = client.get(url)
            _check_gate(who, user, name, url, response)
            opens[name] = response.status_code == 200
        # The main menu: an entry is shown exactly when its page opens, from the same gate.
        shown = {entry["key"] for entry in nav_for(user)}
        for entry in NAV:
            assert resolve(reverse(entry.url_name)).func.gate_page == entry.key, entry
            assert (entry.key in shown) == opens[entry.url_name], (who, entry.key)
        assert shown == (policy.pages_for(user) if user is not None else set())
        # The supervision area's own menu, likewise (a citizen never reaches the area's pages).
        if user is not None and user.is_active and user.role != Role.CITIZEN:
            html = _supervision_menu(user)
            for _key, name, _label in AREA:
                assert (f'href="{reverse(name)}"' in html) == opens[name], (who, name)


def test_a_handler_whose_orders_wait_in_supervision_has_it_in_the_menu(personas):
    keys = [e["key"] for e in nav_for(personas.handler)]
    assert "supervision" in keys
    assert _client(personas.handler).get("/supervision/").status_code == 200
