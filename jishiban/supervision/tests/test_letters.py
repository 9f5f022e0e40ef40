"""Reminder letters: the unit's figures from the event log, a .docx from the template, the
command line, and downloads for authorised users only."""

import io
import re
import shutil
import subprocess
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
from jishiban.testing import make_appeal, return_reviewed

pytestmark = pytest.mark.django_db


def _overdue_line(n):
    from jishiban.analytics import assessment
    from jishiban.analytics import services as analytics

    analytics.save_scheme({**assessment.DEFAULT_SCHEME, "letter_overdue": n})


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
    return_reviewed(bounced, by=p.handler, reason="非本单位职责")
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


def test_command_line_generates_for_units_that_need_it(record, capsys, settings):
    call_command("supervision", "letters", "--period", _period().label)
    assert "共生成 0 份提醒函" in capsys.readouterr().out  # 2 overdue: under the scheme's line of 5
    _overdue_line(2)
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
    client = Client()
    client.force_login(record.handler)
    assert client.get(url).status_code == 404  # a draft stays with the centre
    letter = letters.send(letter)
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


def test_drafts_only_for_the_units_the_assessment_names(record):
    """GIVEN the water bureau with 2 overdue appeals and the urban bureau with none
    WHEN drafts are made for the period: none under the scheme's line of 5, the water bureau
    alone at a line of 2, with the reason in the letter."""
    assert letters.generate_for_period(_period()) == []
    _overdue_line(2)
    made = letters.generate_for_period(_period())
    assert [x.unit.code for x in made] == ["city-water"]
    assert made[0].status == "draft" and made[0].number == ""
    assert made[0].reasons == ["超期 2 件，达到提醒线（2 件）。"]
    text = "\n".join(p.text for p in Document(io.BytesIO(made[0].file.read())).paragraphs)
    assert "达到提醒线" in text and "〔　　〕号" in text


def test_sending_numbers_letters_per_year_without_gaps(record):
    first = letters.send(letters.generate(record.water, _period()), by=record.supervisor)
    second = letters.send(letters.generate(record.urban, _period()), by=record.supervisor)
    year = timezone.localdate().year
    assert (first.number, second.number) == (f"济社治函〔{year}〕1号", f"济社治函〔{year}〕2号")
    assert first.status == "sent" and first.sent_by == record.supervisor
    doc = Document(io.BytesIO(ReminderLetter.objects.get(pk=first.pk).file.read()))
    assert f"济社治函〔{year}〕1号" in [p.text for p in doc.paragraphs]
    from jishiban.appeals.errors import ActionForbidden

    with pytest.raises(ActionForbidden, match="已发出"):
        letters.send(first, by=record.supervisor)
    with pytest.raises(ActionForbidden, match="已发出"):
        letters.generate(record.water, _period())
    assert letters.next_number(year + 1) == f"济社治函〔{year + 1}〕1号"


def test_a_supervisor_generates_with_progress_previews_and_sends(record, django_capture_on_commit_callbacks):
    _overdue_line(2)
    client = Client()
    client.force_login(record.supervisor)
    with django_capture_on_commit_callbacks(execute=True):  # the queued run (jobs run in-process here)
        run = client.post("/supervision/letters/", {"period": _period().label})
    response = client.get(run["Location"])
    body = response.content.decode()
    assert "的提醒函草稿已生成 1 份" in body and "草稿" in body
    letter = ReminderLetter.objects.get()
    preview = client.get(f"/supervision/letters/{letter.pk}/").content.decode()
    assert "letter-red letter-organ" in preview and "济宁市社会治理服务中心" in preview
    assert "济宁市城乡水务局：" in preview and "确认发出" in preview
    sent = client.post(f"/supervision/letters/{letter.pk}/send/", follow=True).content.decode()
    assert "已发出：济社治函〔" in sent and "确认发出" not in sent
    handler = Client()
    handler.force_login(record.handler)
    assert "济社治函〔" in handler.get("/supervision/letters/").content.decode()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("libreoffice") is None or shutil.which("pdftoppm") is None,
                    reason="libreoffice and pdftoppm are needed to check the rendered page")
def test_a_sent_letter_renders_in_the_official_layout(record, tmp_path):
    """The .docx converted by LibreOffice: the red organ over the rule at the top, the number
    〔year〕n号, the title, the addressee, the table with whole appeal numbers, the date."""
    from PIL import Image

    letter = letters.send(letters.generate(record.water, _period()))
    docx = tmp_path / "letter.docx"
    docx.write_bytes(ReminderLetter.objects.get(pk=letter.pk).file.read())
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "letter.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    compact = re.sub(r"[ \t]+", "", text)  # pdftotext spaces digits off Chinese characters
    assert re.search(r"济社治函〔\d{4}〕\d+号", compact)
    assert "提醒函" in compact and "济宁市城乡水务局：" in compact and "济宁市社会治理服务中心" in compact
    for number in letter.appeal_numbers:
        assert number in text  # on one line: the number column does not wrap
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", compact)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    img = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    w, h = img.size
    pixels = img.load()
    dark = sum(1 for x in range(0, w, 2) for y in range(0, h, 2) if sum(pixels[x, y]) < 300)
    assert dark > (w * h / 4) * 0.01, "the page is blank"
    red_rows = [y for y in range(h) if any(pixels[x, y][0] > 200 and pixels[x, y][1] < 80 and pixels[x, y][2] < 80
                                           for x in range(0, w, 3))]
    assert red_rows and max(red_rows) < h * 0.3, "the red organ and rule are at the top of the page"
