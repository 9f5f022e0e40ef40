"""API keys: the ``apikey`` command, hashing, revoking, and the admin that never shows a secret."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jishiban.channels.models import Channel
from jishiban.open311.keys import authenticate, create_key
from jishiban.open311.models import ApiKey

from .conftest import BASE, valid_form


def run(*args) -> list[str]:
    out = StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_create_prints_the_key_last_and_stores_only_its_hash(client, reference_data):
    lines = run("create", "--channel", "open311", "--name", "市民APP")
    raw = lines[-1]
    key = ApiKey.objects.get()
    prefix, secret = raw.split(".", 1)
    assert key.prefix == prefix and key.name == "市民APP" and key.channel.code == "open311"
    assert len(secret) >= 43  # 32 random bytes, base64
    assert key.hashed_key == hashlib.sha256(raw.encode()).hexdigest() and secret not in key.hashed_key
    assert client.post(f"{BASE}/requests.json", valid_form(raw)).status_code == 200


def test_revoke_and_list(client, reference_data):
    raw = run("create", "--channel", "open311")[-1]
    prefix = raw.split(".")[0]
    assert prefix in run("revoke", prefix)[0]
    assert "已于" in run("revoke", prefix)[0]  # revoking twice says when it was revoked
    listing = "\n".join(run("list"))
    assert prefix in listing and "已吊销" in listing and raw.split(".")[1] not in listing
    assert client.post(f"{BASE}/requests.json", valid_form(raw)).status_code == 403


@pytest.mark.parametrize("args,needle", [
    (("create", "--channel", "nowhere"), "nowhere"),
    (("revoke", "ffffffff"), "ffffffff"),
])
def test_command_errors_name_what_is_wrong(reference_data, args, needle):
    with pytest.raises(CommandError, match=needle):
        run(*args)


def test_key_for_another_channel_posts_on_that_channel(client, reference_data):
    _key, raw = create_key(channel=Channel.objects.get(code="12345-web"))
    number = client.post(f"{BASE}/requests.json", valid_form(raw)).json()[0]["service_request_id"]
    from jishiban.appeals.models import Appeal

    assert Appeal.objects.get(number=number).channel.code == "12345-web"


def test_authenticate_refuses_tampered_keys(reference_data):
    key, raw = create_key(channel=Channel.objects.get(code="open311"))
    assert authenticate(raw) == key
    assert authenticate(raw.upper()) is None
    assert authenticate(key.prefix) is None and authenticate(None) is None and authenticate("." * 300) is None


def test_admin_lists_keys_without_secrets_and_revokes(client, personas, api_key):
    key, raw = api_key
    client.force_login(personas.admin)
    listing = client.get("/admin/open311/apikey/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert key.prefix in page and raw.split(".")[1] not in page and key.hashed_key not in page
    detail = client.get(f"/admin/open311/apikey/{key.pk}/change/").content.decode()
    assert key.hashed_key not in detail and raw.split(".")[1] not in detail
    assert client.get("/admin/open311/apikey/add/").status_code == 403
    client.post("/admin/open311/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_admin_edits_service_attributes_in_chinese(client, personas, streetlight_attributes):
    client.force_login(personas.admin)
    page = client.get(f"/admin/open311/serviceattribute/{streetlight_attributes[0].pk}/change/")
    assert page.status_code == 200 and "数据类型" in page.content.decode()
    add = client.post("/admin/open311/serviceattribute/add/", {
        "category": streetlight_attributes[0].category_id, "code": "color", "datatype": "singlevaluelist",
        "description": "灯光颜色", "order": 9, "values": "[]", "variable": "on",
    })
    assert add.status_code == 200 and "单选/多选属性须填写可选值" in add.content.decode()


@pytest.mark.parametrize("user", ["dispatcher", "handler", "citizen"])
def test_non_admin_staff_cannot_manage_keys(client, personas, api_key, user):
    client.force_login(getattr(personas, user))
    assert client.get("/admin/open311/apikey/").status_code in (302, 403)


def test_a_key_used_a_moment_ago_is_checked_from_memory(reference_data, api_key, django_assert_num_queries):
    key, raw = api_key
    assert authenticate(raw).pk == key.pk
    with django_assert_num_queries(0):
        assert authenticate(raw).pk == key.pk
        assert authenticate(raw.split(".")[0] + ".wrong-secret") is None  # the secret is still compared


def test_revoked_key_and_switched_off_channel_are_refused_at_once(client, personas, api_key):
    key, raw = api_key
    assert authenticate(raw) is not None
    channel = Channel.objects.get(pk=key.channel_id)
    channel.is_active = False
    channel.save()
    assert authenticate(raw) is None
    channel.is_active = True
    channel.save()
    assert authenticate(raw) is not None
    client.force_login(personas.admin)
    client.post("/admin/open311/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert authenticate(raw) is None
