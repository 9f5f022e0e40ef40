"""In-process caches of reference rows (channels, categories, regions) on the intake path."""

from jishiban.channels.models import Channel
from jishiban.core.lookups import Lookup


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_hit_is_served_without_a_query(reference_data, django_assert_num_queries):
    lookup = Lookup(Channel, lambda code: Channel.objects.filter(code=code).first())
    assert lookup.get("12345-web").code == "12345-web"
    with django_assert_num_queries(0):
        assert lookup.get("12345-web").code == "12345-web"


def test_saving_a_row_clears_the_cache_of_this_process(reference_data):
    lookup = Lookup(Channel, lambda code: Channel.objects.filter(code=code).first())
    assert lookup.get("12345-web").is_active
    channel = Channel.objects.get(code="12345-web")
    channel.is_active = False
    channel.save()
    assert not lookup.get("12345-web").is_active


def test_entries_expire(reference_data):
    clock = Clock()
    lookup = Lookup(Channel, lambda code: Channel.objects.filter(code=code).first(), ttl=60, clock=clock)
    assert lookup.get("12345-web").is_active
    Channel.objects.filter(code="12345-web").update(is_active=False)  # no signal: another process
    assert lookup.get("12345-web").is_active  # still cached
    clock.now += 61
    assert not lookup.get("12345-web").is_active


def test_misses_are_not_remembered(reference_data):
    lookup = Lookup(Channel, lambda code: Channel.objects.filter(code=code).first())
    assert lookup.get("new-channel") is None
    Channel.objects.filter(code="12345-web").update(code="new-channel")
    assert lookup.get("new-channel") is not None


def test_intake_rejects_a_channel_switched_off_here_at_once(reference_data):
    """The intake path's own caches follow a change made through the admin (save())."""
    import pytest

    from jishiban.appeals.creation import NewAppeal, create_appeal
    from jishiban.appeals.errors import AppealValidationError

    create_appeal(NewAppeal(channel="wenzheng", content="一"))
    channel = Channel.objects.get(code="wenzheng")
    channel.is_active = False
    channel.save()
    with pytest.raises(AppealValidationError) as caught:
        create_appeal(NewAppeal(channel="wenzheng", content="二"))
    assert "channel" in caught.value.errors
