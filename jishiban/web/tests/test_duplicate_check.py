"""One duplicate check before and after submitting: the live check while typing finds what the
success panel finds, closed appeals included, each with its answer so the operator can tell the
caller "this was handled on …, here is the answer"."""

import re

import pytest

from jishiban.appeals.models import Appeal
from jishiban.smart.services import refresh
from jishiban.testing import advance, make_appeal
from jishiban.web.tests.test_intake import CALL

pytestmark = pytest.mark.django_db


def _numbers(html: str) -> set[str]:
    return set(re.findall(r'class="dup-item">\s*<a href="/appeals/\d+/"[^>]*>([^<]+)</a>', html))


def test_a_closed_match_is_shown_with_its_answer_before_and_after_submitting(login, personas):
    earlier = advance(make_appeal(citizen_phone="13811112222", content=CALL["content"]), personas, "closed")
    Appeal.objects.filter(pk=earlier.pk).update(result_text="已更换破损水管，当日恢复供水")
    client = login(personas.operator)
    live = client.post("/intake/assist/", CALL).content.decode()
    assert earlier.number in _numbers(live)
    assert "已更换破损水管" in live and "办结" in live
    client.post("/intake/", CALL)
    new = Appeal.objects.exclude(pk=earlier.pk).get()
    refresh(new.pk)
    after = client.get("/intake/").content.decode()
    assert _numbers(after) == _numbers(live)
    assert "已更换破损水管" in after
