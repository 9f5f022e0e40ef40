"""The list filters' reference choices are kept per process and follow a change at once."""

import pytest

from jishiban.channels.models import Channel
from jishiban.web.forms.filters import REFERENCE_CHOICES, FilterForm

pytestmark = pytest.mark.django_db


def test_the_choices_are_read_once_and_a_new_channel_shows_at_once(django_assert_num_queries):
    first = FilterForm()
    assert ("12345-phone", Channel.objects.get(code="12345-phone").name) in first.fields["channel"].choices
    with django_assert_num_queries(0):
        FilterForm()
    Channel.objects.create(code="test-wechat", name="测试微信", kind=Channel._meta.get_field("kind").choices[0][0])
    assert ("test-wechat", "测试微信") in FilterForm().fields["channel"].choices
    assert ("", "全部") == tuple(map(str, FilterForm().fields["channel"].choices[0]))
    assert REFERENCE_CHOICES.get("filters")["channel"][0][0] != ""  # the shared list holds no "全部"
