"""The submit form's own challenge against automated floods (no outside captcha service).

Each form carries a signed token. A browser with scripts solves a small proof of work on it
while the citizen types (``portal.js``: a counter whose SHA-256 with the token's nonce starts with
``POW_BITS`` zero bits — well under a second on a phone); without scripts the citizen answers a
sum written on the page. A token is good for ``CHALLENGE_MINUTES`` and for one submission.
``PORTAL["CHALLENGE"]``: ``"pow"`` (the work, the sum as fallback), ``"question"`` (the sum
only) or ``"off"``. Every refusal is a Chinese sentence; the form keeps what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

from . import conf

SALT = "jishiban.portal.challenge"
MODES = ("pow", "question", "off")


@dataclass(frozen=True)
class Challenge:
    token: str
    seed: str  # what the work is done on (the token's nonce: one SHA-256 block per try)
    question: str  # "7 加 5 等于几？"
    bits: int  # 0: no proof of work asked


def mode() -> str:
    value = conf.get("CHALLENGE")
    return value if value in MODES else "pow"


def _answer_mac(nonce: str, answer: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{SALT}:{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()[:20]


def issue() -> Challenge | None:
    """A fresh challenge for a form, or ``None`` when challenges are off."""
    if mode() == "off":
        return None
    a, b = 2 + secrets.randbelow(8), 1 + secrets.randbelow(9)
    nonce = secrets.token_urlsafe(12)
    bits = int(conf.get("POW_BITS")) if mode() == "pow" else 0
    token = signing.dumps({"n": nonce, "b": bits, "a": _answer_mac(nonce, a + b)}, salt=SALT, compress=False)
    return Challenge(token, nonce, _("%(a)d 加 %(b)d 等于几？") % {"a": a, "b": b}, bits)


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def work_done(seed: str, solution: str, bits: int) -> bool:
    """Whether ``solution`` is a proof of ``bits`` bits of work on ``seed``."""
    if not solution or len(solution) > 20 or not solution.isdigit():
        return False
    return leading_zero_bits(hashlib.sha256(f"{seed}:{solution}".encode()).digest()) >= bits


def check(token: str, *, solution: str = "", answer: str = "") -> str:
    """``""`` when the challenge is met (and the token is used up), else why not, in Chinese."""
    if mode() == "off":
        return ""
    expired = _("安全验证已过期，请再点一次“提交”（您填写的内容已保留）")
    try:
        data = signing.loads(token or "", salt=SALT, max_age=int(conf.get("CHALLENGE_MINUTES")) * 60)
    except signing.BadSignature:  # also SignatureExpired
        return expired
    bits = int(data.get("b") or 0)
    answer = (answer or "").strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    solved = bits > 0 and work_done(str(data.get("n", "")), (solution or "").strip(), bits)
    answered = answer.isdigit() and len(answer) < 4 and hmac.compare_digest(
        _answer_mac(data.get("n", ""), int(answer)), data.get("a", ""))
    if not (solved or answered):
        if answer:
            return _("安全验证未通过：算术题的答案不正确，请重新计算后提交（您填写的内容已保留）")
        return _("请完成安全验证：回答表单末尾的算术题后再提交（您填写的内容已保留）")
    if not cache.add(f"portal-challenge:{hashlib.sha256(token.encode()).hexdigest()[:32]}", 1,
                     timeout=int(conf.get("CHALLENGE_MINUTES")) * 60):
        return expired  # a token answers one submission only
    return ""
