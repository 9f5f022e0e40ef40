"""``jishiban token create|list|revoke`` and the tokens themselves."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jishiban.api.models import ApiToken


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_last_line_of_create_is_a_working_token(personas):
    out, _err = run("create", "dispatcher", "--name", "派单系统")
    token = out.strip().splitlines()[-1]
    response = Client().get("/api/v1/appeals", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    row = ApiToken.objects.get()
    assert row.digest != token and token not in row.digest and row.last_used_at is not None


def test_list_and_revoke_by_prefix(personas):
    out, _err = run("create", "operator", "--channel", "12345-wechat")
    token = out.strip().splitlines()[-1]
    listing, _err = run("list", "operator")
    assert token[:12] in listing and "12345-wechat" in listing and token not in listing
    run("revoke", token[:10])
    response = Client().get("/api/v1/channels", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_create_refuses_unknown_users_and_channels(personas):
    with pytest.raises(CommandError):
        run("create", "nobody")
    with pytest.raises(CommandError):
        run("create", "operator", "--channel", "no-such")
    personas.leader.is_active = False
    personas.leader.save()
    with pytest.raises(CommandError):
        run("create", "leader")
    assert ApiToken.objects.count() == 0


def test_token_of_a_deactivated_user_stops_working(personas):
    out, _err = run("create", "dept_water")
    token = out.strip().splitlines()[-1]
    personas.handler.is_active = False
    personas.handler.save()
    assert Client().get("/api/v1/channels", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def _token_for(username):
    out, _err = run("create", username)
    return out.strip().splitlines()[-1]


def test_a_checked_token_is_served_from_memory_for_a_few_seconds(personas, django_assert_num_queries, monkeypatch):
    """GIVEN a token used a moment ago WHEN it comes again THEN no query checks it; once the
    cache time has passed it is looked up again."""
    from jishiban.api import tokens

    token = _token_for("operator")
    first = tokens.user_for_token(token)
    assert first.username == "operator" and first.api_token.prefix == token[:12]
    with django_assert_num_queries(0):
        again = tokens.user_for_token(token)
    assert again.pk == first.pk and again is not first  # a copy per request
    again.some_request_attribute = "x"
    assert not hasattr(tokens.user_for_token(token), "some_request_attribute")
    later = tokens.CHECKED._clock() + 6
    monkeypatch.setattr(tokens.CHECKED, "_clock", lambda: later)
    with django_assert_num_queries(1):
        assert tokens.user_for_token(token).pk == first.pk


def test_revoking_in_this_process_takes_effect_at_once(personas):
    from jishiban.api import tokens

    token = _token_for("operator")
    assert tokens.user_for_token(token) is not None
    run("revoke", token[:10])
    assert tokens.user_for_token(token) is None


def test_another_process_revoking_is_honoured_when_the_cache_time_ends(personas, monkeypatch):
    from django.utils import timezone

    from jishiban.api import tokens

    token = _token_for("operator")
    assert tokens.user_for_token(token) is not None
    ApiToken.objects.update(revoked_at=timezone.now())  # as another server process would (no signal here)
    later = tokens.CHECKED._clock() + 6
    monkeypatch.setattr(tokens.CHECKED, "_clock", lambda: later)
    assert tokens.user_for_token(token) is None


def test_cache_can_be_turned_off(personas, settings, django_assert_num_queries):
    from jishiban.api import tokens

    settings.JISHIBAN_API_TOKEN_CACHE_SECONDS = 0
    token = _token_for("operator")
    tokens.user_for_token(token)
    with django_assert_num_queries(1):
        tokens.user_for_token(token)


# --- Expiry, scope, the admin ---------------------------------------------------------------------

def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


BODY = {"channel": "12345-web", "content": "小区路灯不亮已经一周", "location": {"address": "任城区某小区"}}


def _post(token, path="/api/v1/appeals", body=BODY):
    import json

    return Client().post(path, json.dumps(body), content_type="application/json", headers=_bearer(token))


def test_tokens_expire_after_the_default_lifetime_or_the_one_asked_for(personas, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.JISHIBAN_API_TOKEN_DAYS, settings.JISHIBAN_API_TOKEN_MAX_DAYS = 30, 60
    run("create", "operator")
    run("create", "dispatcher", "--days", "60")
    lifetimes = {row.user.username: row.expires_at - row.created_at for row in ApiToken.objects.all()}
    assert abs(lifetimes["operator"] - timedelta(days=30)) < timedelta(minutes=1)
    assert abs(lifetimes["dispatcher"] - timedelta(days=60)) < timedelta(minutes=1)
    with pytest.raises(CommandError, match="1～60"):
        run("create", "leader", "--days", "61")
    listing, _err = run("list")
    assert (timezone.localdate() + timedelta(days=30)).isoformat() in listing


def test_an_expired_token_is_refused_even_while_its_check_is_cached(personas):
    from datetime import timedelta

    from django.utils import timezone

    from jishiban.api import tokens

    token = _token_for("operator")
    user = tokens.user_for_token(token)
    cached = tokens.CHECKED.get(tokens.digest(token))
    cached.api_token.expires_at = timezone.now() - timedelta(seconds=1)  # the moment passes
    assert user is not None and tokens.user_for_token(token) is None
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    tokens.CHECKED.clear()
    assert Client().get("/api/v1/channels", headers=_bearer(token)).status_code == 401
    assert "已过期" in run("list")[0]


@pytest.mark.parametrize("scope, allowed, refused", [
    ("intake", ["POST /api/v1/appeals", "GET /api/v1/channels", "GET /api/v1/categories"],
     ["GET /api/v1/appeals", "GET /api/v1/appeals/{n}", "POST /api/v1/appeals/{n}/actions/answer",
      "GET /api/v1/supervision/notifications"]),
    ("read", ["GET /api/v1/appeals", "GET /api/v1/appeals/{n}", "GET /api/v1/channels"],
     ["POST /api/v1/appeals", "POST /api/v1/appeals/{n}/actions/answer", "POST /api/v1/supervision/notifications/read"]),
    ("act", ["POST /api/v1/appeals", "GET /api/v1/appeals", "POST /api/v1/appeals/{n}/actions/answer"], []),
])
def test_a_token_acts_with_no_more_rights_than_its_scope(personas, scope, allowed, refused):
    from jishiban.appeals.models import Appeal
    from jishiban.testing import make_appeal

    out, _err = run("create", "operator", "--scope", scope)
    token = out.strip().splitlines()[-1]
    for call in allowed + refused:
        appeal = make_appeal(channel="12345-web")
        method, path = call.split(" ")
        path = path.replace("{n}", appeal.number)
        if method == "GET":
            response = Client().get(path, headers=_bearer(token))
        else:
            response = _post(token, path, BODY if path.endswith("/appeals") else {"expected_version": 1, "text": "已答复"})
        if call in refused:
            assert response.status_code == 403, (call, response.content)
            assert "权限范围" in response.json()["detail"]
            appeal.refresh_from_db()
            assert appeal.version == 1
        else:
            assert response.status_code in (200, 201), (call, response.content)
    if refused and refused[0].startswith("POST /api/v1/appeals "):
        assert not Appeal.objects.filter(channel__code="12345-web", content=BODY["content"]).exists()


def test_the_admin_lists_tokens_with_scope_and_expiry_and_revokes_them_at_once(personas):
    from jishiban.api import tokens

    out, _err = run("create", "operator", "--scope", "intake", "--name", "微信网关")
    token = out.strip().splitlines()[-1]
    assert tokens.user_for_token(token) is not None  # checked and cached
    admin = Client()
    admin.force_login(personas.admin)
    listing = admin.get("/admin/api/apitoken/").content.decode()
    assert "微信网关" in listing and "仅受理" in listing and token not in listing
    row = ApiToken.objects.get()
    response = admin.post("/admin/api/apitoken/", {"action": "revoke_selected", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert tokens.user_for_token(token) is None
    assert Client().post("/api/v1/appeals", {}, headers=_bearer(token)).status_code == 401
