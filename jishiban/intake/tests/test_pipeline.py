import pytest

from jishiban.appeals.errors import AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.intake.pipeline import Citizen, Location, Submission, normalise_phone, normalise_text, submit


def test_full_width_and_blank_runs_are_normalised():
    assert normalise_text("  小区ＡＢＣ栋　　停水\r\n\r\n\r\n\r\n三天 ") == "小区ABC栋 停水\n\n三天"


@pytest.mark.parametrize("raw,clean", [("+86 138-0000-1111", "13800001111"), ("0537-2345678", "05372345678"),
                                       ("１３９００００２２２２", "13900002222")])
def test_phone_formats_are_normalised(raw, clean):
    assert normalise_phone(raw) == clean


def test_retry_with_external_id_returns_the_same_appeal(reference_data):
    sub = Submission(channel="12345-web", content="路灯不亮", external_id="W-1",
                     citizen=Citizen(name="李四", phone="+86 139 0000 1111"), location=Location(county="370811"))
    first, second = submit(sub), submit(sub)
    assert first.created and not second.created
    assert first.appeal.pk == second.appeal.pk
    assert first.appeal.citizen_phone == "13900001111"
    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 1


def test_same_payload_without_external_id_is_recognised(reference_data):
    sub = Submission(channel="12345-wechat", content="垃圾没人清运", citizen=Citizen(phone="13900001111"))
    assert submit(sub).created
    again = submit(Submission(channel="12345-wechat", content="垃圾没人清运 ", citizen=Citizen(phone="139 0000 1111")))
    assert not again.created and Appeal.objects.count() == 1


def test_unknown_channel_and_missing_content_write_nothing(reference_data):
    with pytest.raises(AppealValidationError) as err:
        submit(Submission(channel="no-such", content="  "))
    assert set(err.value.errors) == {"channel", "content"}
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_chinese_punctuation_is_kept():
    assert normalise_text("停水了，什么时候恢复？（急）") == "停水了，什么时候恢复？（急）"


def test_same_text_at_another_place_is_another_appeal(reference_data):
    first = submit(Submission(channel="open311", content="路灯不亮", location=Location(lat="35.41", lon="116.58")))
    second = submit(Submission(channel="open311", content="路灯不亮", location=Location(lat="35.45", lon="116.60")))
    assert first.created and second.created and first.appeal.pk != second.appeal.pk
