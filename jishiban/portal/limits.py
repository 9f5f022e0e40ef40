"""Rate limits of the public pages: per client address and per phone number, fixed windows.

Counters live in Django's cache. With the default local-memory cache each server process
counts on its own (a limit of n lets at most n × processes through); configure a shared cache
(Redis, the database cache) to make the limits exact. ``PORTAL["LIMITS"]`` overrides each rule.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext as _

from . import conf

# rule → (most requests, window in seconds)
DEFAULTS = {
    "submit-ip": (10, 3600),
    "submit-phone": (5, 86400),
    "follow-ip": (30, 3600),
    "add-ip": (30, 3600),
    "otp-ip": (10, 3600),
    "otp-phone": (5, 86400),
}


class Limited(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _rule(name: str) -> tuple[int, int]:
    most, window = (conf.get("LIMITS") or {}).get(name, DEFAULTS[name])
    return int(most), int(window)


def hit(name: str, who: str) -> None:
    """Count one request of ``who`` (an address, a phone) under rule ``name``; raise ``Limited``
    with a Chinese message saying when to try again once the rule's limit is passed."""
    if not who:
        return
    most, window = _rule(name)
    key = f"portal-limit:{name}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    if count > most:
        raise Limited(_("操作过于频繁（%(span)s内最多 %(n)d 次），请稍后再试；您填写的内容已保留。") % {
            "span": _span(window), "n": most})


def _span(seconds: int) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        return _("%(n)d 天") % {"n": seconds // 86400}
    if seconds >= 3600 and seconds % 3600 == 0:
        return _("%(n)d 小时") % {"n": seconds // 3600}
    return _("%(n)d 分钟") % {"n": max(1, seconds // 60)}
