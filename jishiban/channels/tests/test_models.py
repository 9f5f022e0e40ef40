"""The channel registry: the seeded channels and the checks on what an administrator enters."""

import pytest
from django.core.exceptions import ValidationError

from jishiban.channels.models import Channel

pytestmark = pytest.mark.django_db


def test_the_seeded_channels_are_there_with_their_reply_rules():
    phone = Channel.objects.get(code="12345-phone")
    assert phone.kind == "phone" and not phone.public_reply and not phone.wants_results
    assert Channel.objects.get(code="people-board").public_reply
    assert list(Channel.objects.values_list("code", flat=True)[:2]) == ["12345-phone", "12345-web"]  # by sort


def test_a_reply_deadline_override_must_be_a_duration():
    channel = Channel(code="test-x", name="测试", kind="web", reply_deadline="三天")
    with pytest.raises(ValidationError) as raised:
        channel.full_clean()
    assert "reply_deadline" in raised.value.message_dict
    channel.reply_deadline = "3d"
    channel.full_clean()


def test_a_result_signing_secret_is_long_enough():
    channel = Channel(code="test-y", name="测试", kind="web", webhook_secret="short")
    with pytest.raises(ValidationError) as raised:
        channel.full_clean()
    assert "32" in " ".join(raised.value.message_dict["webhook_secret"])
