"""The submit form's offline challenge: a proof of work the page's script solves, or a sum to
answer without scripts; a refusal explains itself in Chinese and keeps what was typed."""

import hashlib
import re

import pytest

from jishiban.appeals.models import Appeal
from jishiban.portal.challenge import leading_zero_bits, work_done

from .helpers import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenged(settings):
    settings.JISHIBAN = {**settings.JISHIBAN, "PORTAL": {"CHALLENGE": "pow", "POW_BITS": 8}}


def _challenge(client) -> tuple[str, int]:
    page = client.get("/portal/").content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"安全验证：(\d+) 加 (\d+) 等于几？", page).groups())
    return token, a + b


def _seed(client_page: str) -> str:
    return re.search(r'data-seed="([^"]+)"', client_page).group(1)


def _work(token: str, bits: int = 8) -> str:
    n = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{n}".encode()).digest()) < bits:
        n += 1
    return str(n)


def test_without_the_challenge_nothing_is_written_and_the_text_stays(client, reference_data, challenged):
    token, _sum = _challenge(client)
    response = client.post("/portal/", form_data(challenge=token))
    assert response.status_code == 422
    page = response.content.decode()
    assert "请完成安全验证" in page and "小区门口的路灯坏了一个多月" in page and "13912340000" in page
    response = client.post("/portal/", form_data(challenge=token, challenge_answer="99"))
    assert "算术题的答案不正确" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_proof_of_work_passes(client, reference_data, challenged):
    page = client.get("/portal/").content.decode()
    token, seed = re.search(r'name="challenge" value="([^"]+)"', page).group(1), _seed(page)
    wrong = _work(token)  # work on the token, not on its seed
    if not work_done(seed, wrong, 8):
        assert client.post("/portal/", form_data(challenge=token, pow=wrong)).status_code == 422
    assert client.post("/portal/", form_data(challenge=token, pow=_work(seed))).status_code == 302
    assert Appeal.objects.count() == 1


def test_the_sum_passes_without_scripts_and_a_token_answers_once(client, reference_data, challenged):
    token, total = _challenge(client)
    data = form_data(challenge=token, challenge_answer=str(total))
    assert client.post("/portal/", data).status_code == 302
    assert client.post("/portal/", data).status_code == 302  # the same submission again: no new check
    response = client.post("/portal/", form_data(challenge=token, challenge_answer=str(total), phone="13800003333"))
    assert response.status_code == 422 and "安全验证已过期" in response.content.decode()
    assert Appeal.objects.count() == 1


def test_a_forged_or_tampered_token_is_refused(client, reference_data, challenged):
    token, total = _challenge(client)
    response = client.post("/portal/", form_data(challenge=token[:-2] + "xx", challenge_answer=str(total)))
    assert response.status_code == 422 and "安全验证已过期" in response.content.decode()
    assert not Appeal.objects.exists()


def test_work_is_measured_in_leading_zero_bits():
    assert leading_zero_bits(b"\x00\x00\xff") == 16
    assert leading_zero_bits(b"\x00\x10") == 11
    assert leading_zero_bits(b"\x80") == 0
