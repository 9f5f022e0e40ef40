"""Pages show labels and one date format, never codes, ISO timestamps, Django's dashes or its
own wording of form errors."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms

from jishiban.core.dates import day, when
from jishiban.core.forms import PlainForm
from jishiban.testing import advance, make_appeal

TZ = ZoneInfo("Asia/Shanghai")


def test_times_show_the_year_only_when_it_is_not_this_year():
    today = date(2026, 12, 2)
    assert when(datetime(2026, 12, 9, 17, 30, tzinfo=TZ), today=today) == "12-09 17:30"
    assert when(datetime(2025, 12, 9, 17, 30, tzinfo=TZ), today=today) == "2025-12-09 17:30"
    assert when("2026-12-09T17:30:00+08:00", today=today) == "12-09 17:30"
    assert day(datetime(2027, 1, 4, 9, 0, tzinfo=TZ), today=today) == "2027-01-04"
    assert when(None) == "—" and when("不是日期") == "不是日期"


class _Sample(PlainForm, forms.Form):
    text = forms.CharField(max_length=5)
    kind = forms.ChoiceField(required=False, choices=[("", "---------"), ("a", "甲")])


def test_form_errors_and_empty_choices_read_plainly():
    form = _Sample({"text": "一二三四五六七", "kind": "zzz"})
    assert not form.is_valid()
    assert form.errors["text"] == ["最多 5 个字，现有 7 个字，请删减后再提交"]
    assert form.errors["kind"] == ["所选的值不在可选范围内，请重新选择"]
    assert "---------" not in str(form["kind"]) and "（不选）" in str(form["kind"])


@pytest.mark.django_db
def test_pages_show_no_raw_codes_iso_times_or_dashes(login, personas):
    appeal = advance(make_appeal(content="幸福小区停水", tags=["risk:threat_to_life"]), personas, "accepted")
    pages = {
        personas.supervisor: [f"/appeals/{appeal.pk}/", "/routing/new/", "/supervision/letters/", "/appeals/"],
        personas.handler: ["/inbox/", f"/appeals/{appeal.pk}/"],
    }
    for user, urls in pages.items():
        client = login(user)
        for url in urls:
            body = client.get(url).content.decode()
            text = re.sub(r'<[^>]+>', " ", body)  # what a reader sees, not attribute values
            assert "---------" not in body, url
            assert "英语" not in text and not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), url
            assert "risk:" not in text and "threat_to_life" not in text, url
    detail = login(personas.supervisor).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "生命安全风险" in detail and ">English<" in detail
