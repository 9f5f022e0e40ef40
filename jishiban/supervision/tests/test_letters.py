"""Reminder letters: the unit's figures from the event log, a .docx from the template, the
command line, and downloads for authorised users only."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from docx import Document

from jishiban.appeals import services
from jishiban.supervision import letters
from jishiban.supervision.models import ReminderLetter
from jishiban.supervision.rules import parse_period
from jishiban.testing import make_appeal

pytestmark = pytest.mark.django_db


def _period():
    today = timezone.localdate()
    return parse_period(f"{today - timedelta(days=60)}..{today}")


@pytest.fixture
def record(personas):
    """The water bureau's record: one still overdue, one replied late, one dissatisfied, one returned."""
    p, now = personas, timezone.now()
    long_ago = now - timedelta(days=30)

    def appeal(i):
        return make_appeal(citizen_phone=f"1360000{i:04d}")

    services.dispatch(appeal(1), by=p.dispatcher, lead_unit=p.water, at=long_ago)
    late = services.dispatch(appeal(2), by=p.dispatcher, lead_unit=p.water, at=long_ago)
    late = services.accept(late, by=p.handler, at=long_ago + timedelta(hours=1))
    services.reply(late, by=p.handler, result_type="solved", text="已处理")
    unhappy = services.accept(services.dispatch(appeal(3), by=p.dispatcher, lead_unit=p.water), by=p.handler)
    unhappy = services.reply(unhappy, by=p.handler, result_type="solved", text="已处理")
    services.callback(unhappy, by=p.supervisor, satisfaction="dissatisfied", solved=False)
    bounced = services.dispatch(appeal(4), by=p.dispatcher, lead_unit=p.water)
    services.return_appeal(bounced, by=p.handler, reason="非本单位职责")
    return p


def test_unit_figures_come_from_the_event_log(record):
    figures = letters.letter_figures(record.water, _period())
    assert (figures.dispatched, figures.replied, figures.on_time) == (4, 2, 1)
    assert figures.on_time_rate == "50.00%"
    assert (figures.overdue, figures.returned, figures.dissatisfied) == (2, 1, 1)
    assert len(figures.appeals) == 4 and {a["issues"] for a in figures.appeals} == {"超期", "不满意", "退单"}
    assert not letters.letter_figures(record.urban, _period()).needs_letter


def test_letter_is_a_docx_with_the_figures_and_the_appeals(record):
    letter = letters.generate(record.water, _period(), by=record.supervisor)
    doc = Document(io.BytesIO(letter.file.read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "济宁市城乡水务局：" in text and "按时答复率 50.00%" in text and "超期 2 件" in text
    assert "{{" not in text and "济宁市社会治理服务中心" in text
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["编号", "受理日期", "标题", "问题"] and len(table.rows) == 5
    assert letter.figures["dissatisfied"] == 1 and len(letter.appeal_numbers) == 4
    again = letters.generate(record.water, _period(), by=record.supervisor)
    assert again.pk == letter.pk and again.revision == 2 and ReminderLetter.objects.count() == 1


def test_command_line_generates_for_units_that_need_it(record, capsys):
    call_command("supervision", "letters", "--period", _period().label)
    out = capsys.readouterr().out
    assert "city-water" in out and "共生成 1 份提醒函" in out
    call_command("supervision", "letters", "--period", _period().label, "--unit", "city-urban")
    assert set(ReminderLetter.objects.values_list("unit__code", flat=True)) == {"city-water", "city-urban"}
    with pytest.raises(CommandError, match="--unit"):
        call_command("supervision", "letters", "--period", "2026-11", "--unit", "nope")
    with pytest.raises(CommandError, match="--period"):
        call_command("supervision", "letters", "--period", "November")


def test_command_line_runs_the_jobs(record, capsys):
    call_command("supervision", "run", "cards")
    assert "red=" in capsys.readouterr().out


def test_download_is_for_the_centre_and_the_unit_only(record):
    letter = letters.generate(record.water, _period())
    url = f"/supervision/letters/{letter.pk}/download/"
    for who, status in (("supervisor", 200), ("leader", 200), ("handler", 200), ("other_handler", 404),
                        ("county_other", 404), ("citizen", 302), ("analyst", 403)):  # 302: to the portal
        client = Client()
        client.force_login(getattr(record, who))
        response = client.get(url)
        assert response.status_code == status, who
        if status == 200:
            assert response["Content-Disposition"].startswith("attachment")
            assert b"".join(response.streaming_content)[:2] == b"PK"


def test_only_managers_generate_letters_for_units_in_their_scope(record):
    from jishiban.appeals.errors import ActionForbidden

    with pytest.raises(ActionForbidden):
        letters.generate(record.water, _period(), by=record.leader)
    with pytest.raises(ActionForbidden):
        letters.generate(record.water, _period(), by=record.county_rencheng)  # a city unit
    county_unit = record.water.__class__.objects.get(code="370811-water")
    assert letters.generate(county_unit, _period(), by=record.county_rencheng).pk
