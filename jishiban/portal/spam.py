"""The content filter at submit, beside the form's challenge: what makes a submission look like
spam, each finding a reason in Chinese. Pure (no Django import): ``findings(text, phrases)``;
the phrases are the admin's list (``SpamPhrase``), read by the caller.

A finding never refuses: the submission is held for an operator (``held.py``), who hands it in
or sets it aside; nothing the citizen wrote is lost.
"""

from __future__ import annotations

import re
import unicodedata

# The same character 8 times or more in a row (啊啊啊啊啊啊啊啊, !!!!!!!!, 11111111 is left to digits
# of phone or house numbers: only non-digits count), or a short piece repeated 6 times or more.
RUN = re.compile(r"(\D)\1{7,}")
PIECE = re.compile(r"(\D{2,6}?)\1{5,}")
# Links and contact-for-business patterns of advertising.
LINK = re.compile(r"(?i)(https?://|www\.|\b[a-z0-9-]{2,}\.(?:com|cn|net|org|top|xyz|vip|cc|info|club|shop)\b)")
CONTACT = re.compile(r"(?i)(加\s*(?:微信|薇信|威信|vx|v信|qq|扣扣|群)|(?:微信|vx|wx|qq)\s*[:：号]?\s*[a-z0-9_-]{5,})")
CJK = re.compile(r"[\u4e00-\u9fff]")
VOWELS = set("aeiouy")


def _gibberish(text: str) -> bool:
    """Keyboard mashing: a text of some length with no Chinese at all whose letters rarely make
    syllables, or a Chinese text made of very few different characters."""
    letters = [c for c in text.lower() if c.isascii() and c.isalpha()]
    if len(text.strip()) >= 12 and not CJK.search(text):
        if not letters:
            return True  # only digits, signs and symbols
        return sum(c in VOWELS for c in letters) / len(letters) < 0.2
    chars = [c for c in text if not c.isspace()]
    return len(chars) >= 30 and len(set(chars)) / len(chars) < 0.12


def findings(text: str, phrases: list[str] = ()) -> list[str]:
    """The reasons ``text`` looks like spam (empty: it does not)."""
    text = unicodedata.normalize("NFKC", text or "")
    reasons = []
    if RUN.search(text) or PIECE.search(text):
        reasons.append("内容中有大量重复的字符")
    if LINK.search(text):
        reasons.append("内容中含有网址链接")
    if CONTACT.search(text):
        reasons.append("内容中含有加微信、QQ 等广告联系方式")
    if _gibberish(text):
        reasons.append("内容看起来是无意义的乱码")
    folded = text.casefold()
    hits = [p for p in phrases if p and unicodedata.normalize("NFKC", p).casefold() in folded]
    if hits:
        reasons.append("内容中含有已知的垃圾信息用语：" + "、".join(hits[:3]))
    return reasons
