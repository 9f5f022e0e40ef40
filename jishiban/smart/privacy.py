"""Find and mask personal data in free text: phones, ID numbers, bank cards, vehicle plates.

Pure Python, no Django. ``find_personal_data`` returns non-overlapping matches in text order;
``mask_text`` replaces each with a masked form that keeps a hint for the reader
(``138****5678``, ``3708**********1234``, ``鲁H·***45``).

Numbers are only taken when they stand alone (no digit directly before or after), and the
checksummed kinds are validated: an 18-digit ID must pass the GB 11643 check digit and carry a
real birth date, a bank card must pass Luhn. An 18/19-digit run that is neither is left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MOBILE = "mobile"
LANDLINE = "landline"
ID_CARD = "id_card"
BANK_CARD = "bank_card"
PLATE = "plate"

KINDS = (MOBILE, LANDLINE, ID_CARD, BANK_CARD, PLATE)


@dataclass(frozen=True)
class Match:
    kind: str
    start: int
    end: int
    value: str


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CHARS = "A-HJ-NP-Z0-9"  # plates never use I or O

_ID18_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}\d{2}\d{2}\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<!\d)([1-9]\d{5}\d{2}\d{2}\d{2}\d{3})(?!\d)")
# 16-19 digits, optionally in groups of four separated by one space or dash.
_CARD_RE = re.compile(r"(?<![\d-])([3-6]\d{3}(?:[ -]?\d{4}){2}[ -]?\d{4,7})(?![\d-])")
_MOBILE_RE = re.compile(r"(?<![\d+])((?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2})(?!\d)")
_LANDLINE_RE = re.compile(
    r"(?<!\d)((?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[ -]?)[2-9]\d{6,7}(?:[-转](?:\d{1,5}))?)(?!\d)"
)
_PLATE_RE = re.compile(
    rf"(?<![A-Za-z0-9])([{_PROVINCES}][A-HJ-NP-Z][·•\.\- ]?"
    rf"(?:[DF][{_PLATE_CHARS}]\d{{4}}|\d{{5}}[DF]|[{_PLATE_CHARS}]{{4}}[{_PLATE_CHARS}挂学警港澳]))(?![A-Za-z0-9])"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(1880, 1, 1) <= born <= dt.date(2100, 1, 1)


def id18_is_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits, a check character, and a real birth date."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    return _valid_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def id15_is_valid(number: str) -> bool:
    """Legacy 15-digit ID: region, YYMMDD birth date (19xx), sequence; no check digit exists."""
    if len(number) != 15 or not number.isdigit():
        return False
    return _valid_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def luhn_is_valid(digits: str) -> bool:
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _candidates(text: str):
    for m in _ID18_RE.finditer(text):
        if id18_is_valid(m.group(1)):
            yield Match(ID_CARD, m.start(1), m.end(1), m.group(1))
    for m in _CARD_RE.finditer(text):
        digits = _digits(m.group(1))
        if 16 <= len(digits) <= 19 and luhn_is_valid(digits):
            yield Match(BANK_CARD, m.start(1), m.end(1), m.group(1))
    for m in _ID15_RE.finditer(text):
        if id15_is_valid(m.group(1)):
            yield Match(ID_CARD, m.start(1), m.end(1), m.group(1))
    for m in _MOBILE_RE.finditer(text):
        yield Match(MOBILE, m.start(1), m.end(1), m.group(1))
    for m in _LANDLINE_RE.finditer(text):
        yield Match(LANDLINE, m.start(1), m.end(1), m.group(1))
    for m in _PLATE_RE.finditer(text):
        yield Match(PLATE, m.start(1), m.end(1), m.group(1))


def find_personal_data(text: str, kinds: tuple[str, ...] | None = None) -> list[Match]:
    """All personal-data matches in ``text``, non-overlapping, in text order.

    Where two candidates overlap, the one found first in priority order wins: a valid ID
    number over a bank card (both can be 18 digits), a card over a phone number.
    """
    if not text:
        return []
    taken: list[Match] = []
    for cand in _candidates(text):
        if kinds is not None and cand.kind not in kinds:
            continue
        if any(cand.start < m.end and m.start < cand.end for m in taken):
            continue
        taken.append(cand)
    return sorted(taken, key=lambda m: m.start)


def mask_value(kind: str, value: str) -> str:
    """The masked form of one match, keeping a hint (prefix and last digits)."""
    if kind == PLATE:
        head, rest = value[:2], re.sub(r"[·•\.\- ]", "", value[2:])
        return f"{head}·{'*' * (len(rest) - 2)}{rest[-2:]}"
    if kind == LANDLINE:
        m = re.match(r"[\(（]?(0\d{2,3})[\)）]?[ -]?(\d+)(.*)", value)
        if m:
            local = m.group(2)
            return f"{m.group(1)}-{'*' * (len(local) - 4)}{local[-4:]}"
        return "*" * len(value)
    digits = _digits(value) if kind != ID_CARD else value
    if kind == MOBILE:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    if kind == ID_CARD:
        return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"
    if kind == BANK_CARD:
        return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"
    return "*" * len(value)


def mask_text(text: str, kinds: tuple[str, ...] | None = None) -> str:
    """``text`` with every personal-data match replaced by its masked form."""
    out: list[str] = []
    pos = 0
    for m in find_personal_data(text, kinds):
        out.append(text[pos : m.start])
        out.append(mask_value(m.kind, m.value))
        pos = m.end
    out.append(text[pos:])
    return "".join(out)
