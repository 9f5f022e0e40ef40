"""Creating appeals: bad input is answered with field errors and nothing is written."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jishiban.appeals.creation import NewAppeal, create_appeal
from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent, NumberSequence

pytestmark = pytest.mark.django_db


def _nothing_written():
    return Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_number_is_readable_and_daily(reference_data):
    at = timezone.make_aware(timezone.datetime(2026, 11, 27, 9, 0))
    a, _ = create_appeal(NewAppeal(channel="12345-phone", content="一", received_at=at), now=at)
    b, _ = create_appeal(NewAppeal(channel="12345-phone", content="二", received_at=at), now=at)
    assert (a.number, b.number) == ("JN2026112700001", "JN2026112700002")
    assert a.events.get().action == "receive" and a.events.get().at == at


def test_retry_returns_existing_appeal(reference_data):
    data = NewAppeal(channel="12345-web", content="噪音扰民", external_id="WEB-7")
    first, created = create_appeal(data)
    again, created_again = create_appeal(data)
    assert created and not created_again and first.pk == again.pk
    assert Appeal.objects.count() == 1


def test_same_external_id_on_another_channel_is_another_appeal(reference_data):
    create_appeal(NewAppeal(channel="12345-web", content="噪音", external_id="7"))
    create_appeal(NewAppeal(channel="12345-wechat", content="噪音", external_id="7"))
    assert Appeal.objects.count() == 2


@pytest.mark.parametrize(("field", "kwargs"), [
    ("channel", {"channel": "fax"}),
    ("content", {"content": "   "}),
    ("content", {"content": "长" * 20001}),
    ("received_at", {"received_at": "2026-13-45 25:61"}),
    ("received_at", {"received_at": "yesterday"}),
    ("appeal_type", {"appeal_type": "rumour"}),
    ("category", {"category": "999999"}),
    ("county", {"county": "110101"}),
    ("citizen_id_number", {"citizen_id_number": "12345"}),
    ("citizen_phone", {"citizen_phone": "call me"}),
    ("lat", {"lat": "north"}),
    ("lon", {"lon": 500}),
    ("title", {"title": "题" * 201}),
])
def test_bad_input_names_the_field_and_writes_nothing(reference_data, field, kwargs):
    data = {"channel": "12345-phone", "content": "小区停水", **kwargs}
    with pytest.raises(AppealValidationError) as err:
        create_appeal(NewAppeal(**data))
    assert field in err.value.errors and err.value.errors[field][0]
    assert _nothing_written() and NumberSequence.objects.count() == 0


def test_all_field_errors_come_at_once(reference_data):
    with pytest.raises(AppealValidationError) as err:
        create_appeal(NewAppeal(channel="fax", content="", appeal_type="x"))
    assert set(err.value.errors) == {"channel", "content", "appeal_type"}


def test_future_receipt_time_is_refused(reference_data):
    with pytest.raises(AppealValidationError):
        create_appeal(NewAppeal(channel="12345-phone", content="x", received_at=timezone.now() + timedelta(hours=1)))


def test_inactive_channel_is_refused(reference_data):
    from jishiban.channels.models import Channel

    Channel.objects.filter(code="wenzheng").update(is_active=False)
    with pytest.raises(AppealValidationError) as err:
        create_appeal(NewAppeal(channel="wenzheng", content="x"))
    assert "已停用" in err.value.errors["channel"][0]


def test_report_type_is_confidential_by_default_and_town_fills_county(reference_data):
    appeal, _ = create_appeal(NewAppeal(channel="12345-phone", content="举报非法排污", appeal_type="report",
                                        town="370883101"))
    assert appeal.confidential and appeal.county.code == "370883"


def test_title_defaults_to_start_of_content(reference_data):
    appeal, _ = create_appeal(NewAppeal(channel="12345-phone", content="请问新生儿医保怎么办理？需要哪些材料"))
    assert appeal.title == "请问新生儿医保怎么办理？需要哪些材料"[:30]


def test_creation_is_a_handful_of_queries(reference_data):
    with CaptureQueriesContext(connection) as ctx:
        create_appeal(NewAppeal(channel="12345-phone", content="路灯坏了", county="370811", category="030201"))
    assert len(ctx.captured_queries) <= 14, "\n".join(q["sql"][:100] for q in ctx.captured_queries)
