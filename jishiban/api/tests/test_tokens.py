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
