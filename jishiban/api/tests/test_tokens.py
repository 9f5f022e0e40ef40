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
