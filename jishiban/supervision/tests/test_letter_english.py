"""A reminder letter (提醒函) rendered under ``en`` speaks English: its words, dates, table header
and issue labels; only the names of the units (data) stay as they are."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from docx import Document

from jishiban.appeals import services
from jishiban.supervision import letters
from jishiban.supervision.rules import parse_period
from jishiban.testing import make_appeal, return_reviewed

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _text(data: bytes) -> tuple[str, list[str]]:
    doc = Document(io.BytesIO(data))
    return "\n".join(p.text for p in doc.paragraphs), [c.text for c in doc.tables[0].rows[0].cells] + [
        row.cells[3].text for row in doc.tables[0].rows[1:]]


def _letter(personas, language: str) -> tuple[str, list[str]]:
    p, now = personas, timezone.now()
    late = services.dispatch(make_appeal(citizen_phone="13600000001"), by=p.dispatcher, lead_unit=p.water,
                             at=now - timedelta(days=30))
    late = services.accept(late, by=p.handler, at=now - timedelta(days=29))
    services.reply(late, by=p.handler, result_type="solved", text="已处理")
    bounced = services.dispatch(make_appeal(citizen_phone="13600000002"), by=p.dispatcher, lead_unit=p.water)
    return_reviewed(bounced, by=p.handler, reason="非本单位职责")
    period = parse_period(f"{timezone.localdate() - timedelta(days=60)}..{timezone.localdate()}")
    with translation.override(language):
        figures = letters.letter_figures(p.water, period)
        data = letters.render(p.water, period, figures, number="JN-1", reasons=[])
    return _text(data)


def test_the_letter_under_en_has_no_chinese_words_left(personas):
    text, table = _letter(personas, "en")
    assert "To 济宁市城乡水务局:" in text and "Reminder on the handling of appeals" in text
    assert "your unit handled 2 appeals" in text and "1 returned" in text and "within 5 working days" in text
    assert "Appeals concerned (2):" in text and "{{" not in text
    assert table[:4] == ["Number", "Received", "Title", "Issues"]
    assert sorted(table[4:]) == ["Overdue", "Return"]
    names = {"济宁市城乡水务局", "济宁市社会治理服务中心"}
    for name in names:
        text = text.replace(name, "")
    assert not CJK.findall(text), CJK.findall(text)
    assert not CJK.findall(" ".join(table)), table
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", text)  # the date as English writes it


def test_the_letter_in_chinese_is_unchanged(personas):
    text, table = _letter(personas, "zh-hans")
    assert "济宁市城乡水务局：" in text and "贵单位共承办诉求件 2 件" in text and "退单 1 件" in text
    assert "涉及诉求件清单（2 件）：" in text and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert table[:4] == ["编号", "受理日期", "标题", "问题"]
