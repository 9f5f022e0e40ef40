"""Risk rules from the database: seeding, validation and the cached rule set ``assess`` uses.

The rule set is cached per process; a save or delete in this process clears the cache at
once, other processes reload after ``RISK_CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from . import conf
from .risk import DEFAULT_RULES, Rule

log = logging.getLogger("jishiban.smart")

_lock = threading.Lock()
_cache: dict[str, object] = {"rules": None, "at": 0.0}


def clean_rule_data(data: dict) -> dict[str, list[str]]:
    """Field errors of a rule (``{}`` when it is usable): lists of strings, valid patterns."""
    errors: dict[str, list[str]] = {}
    for field in ("terms", "patterns", "negations"):
        value = data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors[field] = [_("须为文字列表，如 [\"跳楼\", \"轻生\"]")]
    if errors:
        return errors
    try:
        Rule.from_data(data)
    except ValueError as exc:
        message = str(exc)
        field = "patterns" if "pattern" in message else "terms"
        if "neither" in message:
            message = _("关键词和正则表达式不能都为空")
        elif "pattern" in message:
            message = _("正则表达式有误：%(e)s") % {"e": message.split("bad pattern", 1)[-1].strip()}
        errors[field] = [message]
    return errors


def seed_default_rules(using: str = "default") -> int:
    """Create the default rules when the table is empty (a new or flushed database); returns
    the number created. Rules an administrator changed or disabled are never touched."""
    from .models import RiskRule

    if RiskRule.objects.using(using).exists():
        return 0
    rows = [RiskRule(code=r["code"], label=r["label"], terms=list(r["terms"]), patterns=list(r.get("patterns", [])),
                     negatable=r.get("negatable", True), negations=list(r.get("negations", [])), sort=n * 10)
            for n, r in enumerate(DEFAULT_RULES)]
    RiskRule.objects.using(using).bulk_create(rows)
    invalidate()
    return len(rows)


def invalidate(**kwargs) -> None:
    with _lock:
        _cache["rules"] = None


def active_rules() -> list[Rule]:
    """The enabled rules (cached). A rule that no longer compiles is skipped and logged; when
    the table cannot be read (before migrations) the defaults apply."""
    now = time.monotonic()
    with _lock:
        cached = _cache["rules"]
        if cached is not None and now - float(_cache["at"]) < float(conf.get("RISK_CACHE_SECONDS")):
            return cached  # type: ignore[return-value]
    from .models import RiskRule

    try:
        with transaction.atomic():  # a savepoint: a failed read must not poison the caller's transaction
            rows = list(RiskRule.objects.filter(enabled=True))
    except DatabaseError:
        log.warning("risk rules table not readable; using the default rules", exc_info=True)
        return [Rule.from_data(r) for r in DEFAULT_RULES]
    rules = []
    for row in rows:
        try:
            rules.append(Rule.from_data(row.to_data()))
        except ValueError:
            log.warning("risk rule %s is invalid and skipped", row.code, exc_info=True)
    with _lock:
        _cache["rules"], _cache["at"] = rules, now
    return rules
