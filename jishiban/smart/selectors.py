"""Reading suggestions for a user: every read starts from ``Appeal.objects.visible_to(user)``.

What a user sees of a suggestion: duplicate candidates only for appeals they may see (the
others are counted, not shown), and evidence snippets with personal data masked
(``appeals.privacy.mask_public``) unless they may see the citizen's identity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from jishiban.accounts.policy import is_staff_member
from jishiban.appeals.errors import ActionForbidden
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import mask_public, may_see_identity

from .models import Suggestion

log = logging.getLogger("jishiban.smart")


def visible_appeal(user, number: str) -> Appeal:
    """The appeal ``number`` if ``user`` may see it and its suggestions; ``Http404`` when the
    appeal is unknown or hidden (indistinguishable), ``ActionForbidden`` for roles without
    access to smart help (citizens)."""
    appeal = Appeal.objects.visible_to(user).filter(number=number).first()
    if appeal is None:
        raise Http404(_("诉求件 %(n)s 不存在或无权查看") % {"n": number})
    if not is_staff_member(user):  # citizens see their own appeals, not the centre's analysis
        raise ActionForbidden(_("您的角色不能查看智能建议"))
    return appeal


def suggestion_for(user, appeal: Appeal) -> dict:
    """The stored suggestion as the API and pages show it to ``user``."""
    row = Suggestion.objects.filter(appeal=appeal).select_related("model_version").first()
    if row is None:
        return {"appeal": appeal.number, "status": "pending", "computed_at": None, "categories": [],
                "needs_choice": True, "region": None, "units": [], "duplicates": [], "hidden_duplicates": 0,
                "repeat": None, "risks": [], "applied": {}, "model_version": None, "semantic": False,
                "unavailable_reasons": [_("智能分析尚未完成（任务排队中或未运行）")], "unavailable": []}
    identity = may_see_identity(user, appeal)
    clean = (lambda text: text) if identity else mask_public
    duplicates, hidden = shown_duplicates(user, appeal, row.duplicates or [])
    repeat = shown_repeat(user, appeal, row.repeat)
    region = dict(row.region or {}) or None
    if region:
        region["evidence"] = [clean(e) for e in region.get("evidence", [])]
    return {
        "appeal": appeal.number,
        "status": "failed" if any(u.get("part") == "job" for u in row.unavailable or []) else "ready",
        "computed_at": row.computed_at,
        "categories": row.categories or [],
        "needs_choice": row.needs_choice,
        "region": region,
        "units": row.units or [],
        "duplicates": [{**d, "title": clean(d.get("title", ""))} for d in duplicates],
        "hidden_duplicates": hidden,
        "repeat": repeat,
        "risks": [{**r, "evidence": clean(r.get("evidence", ""))} for r in row.risks or []],
        "applied": row.applied or {},
        "model_version": row.model_version.number if row.model_version else None,
        "semantic": row.semantic,
        "unavailable_reasons": row.unavailable_reasons,
        "unavailable": row.unavailable or [],
    }


def shown_duplicates(user, appeal, candidates: list[dict], *, phone: str = "") -> tuple[list[dict], int]:
    """(the duplicate candidates of ``appeal`` that ``user`` may see, how many are left out
    because ``user`` may not see them at all). A candidate found through the same caller
    (``same_caller``) links two appeals by the citizen's identity, so it is shown only when
    ``Appeal.objects.by_identity`` reaches it (from ``appeal``, or from ``phone`` for text
    being typed); it is then left out without being counted. The others need only be visible."""
    ids = [d["appeal_id"] for d in candidates]
    if not ids:
        return [], 0
    visible = set(Appeal.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    by_caller = [d["appeal_id"] for d in candidates if d.get("signals", {}).get("same_caller")]
    reach = Appeal.objects.by_identity(user, of=appeal) if appeal is not None else \
        Appeal.objects.by_identity(user, phone=phone)
    linked = set(reach.filter(pk__in=by_caller).values_list("pk", flat=True)) if by_caller else set()
    shown = [d for d in candidates if d["appeal_id"] in (linked if d.get("signals", {}).get("same_caller") else visible)]
    return shown, len([i for i in ids if i not in visible])


def shown_repeat(user, appeal: Appeal, stored: dict | None) -> dict | None:
    """The stored repeat flag as ``user`` may see it: appeals of the same caller only through
    ``Appeal.objects.by_identity``, of the same address when visible; the count and reason
    say only what is shown."""
    if not stored:
        return None
    from .dedupe.repeats import repeat_reason

    repeat = dict(stored)
    by_caller = set(Appeal.objects.by_identity(user, of=appeal).filter(number__in=repeat["by_caller"])
                    .values_list("number", flat=True)) if repeat["by_caller"] else set()
    by_address = set(Appeal.objects.visible_to(user).filter(number__in=repeat["by_address"])
                     .values_list("number", flat=True)) if repeat["by_address"] else set()
    hidden_callers = len(repeat["by_caller"]) - len(by_caller)
    repeat["by_caller"] = [n for n in repeat["by_caller"] if n in by_caller]
    repeat["by_address"] = [n for n in repeat["by_address"] if n in by_address]
    if hidden_callers:
        repeat["count"] = max(0, int(repeat.get("count", 0)) - hidden_callers)
        repeat["reason"] = repeat_reason(len(repeat["by_caller"]), len(repeat["by_address"]))
        if repeat["count"] < int(repeat.get("threshold", 1)):
            return None
    return repeat


# --- duplicate hints for the workbench (operator and dispatcher) ---------------------------------

HINT_RELATIONS = ("duplicate", "repeat")  # "related" (same place, another matter) is no hint to merge


@dataclass
class Hint:
    """An earlier appeal that may be the same matter, as the desk shows it."""

    candidate: Appeal
    score: float
    relation: str
    reason: str
    same_caller: bool


def _hints(user, source, candidates: list[dict], *, phone: str = "", limit: int) -> list[dict]:
    wanted = [d for d in candidates if d.get("relation") in HINT_RELATIONS]
    shown, _hidden = shown_duplicates(user, source, wanted, phone=phone)
    return shown[:limit]


def _as_hints(items: list[dict], appeals: dict[int, Appeal]) -> list[Hint]:
    return [Hint(appeals[d["appeal_id"]], float(d["score"]), d["relation"], d.get("reason", ""),
                 bool(d.get("signals", {}).get("same_caller"))) for d in items if d["appeal_id"] in appeals]


def duplicate_hints(user, appeals, *, related=(), limit: int = 5) -> dict[int, list[Hint]]:
    """For each of ``appeals``, the duplicates smart help stored for it (its index, the one that
    is measured) that ``user`` may see, best first; same-caller ones only through
    ``Appeal.objects.by_identity``. A few queries for a whole page."""
    by_pk = {a.pk: a for a in appeals}
    stored = dict(Suggestion.objects.filter(appeal_id__in=list(by_pk)).values_list("appeal_id", "duplicates"))
    ids = {d["appeal_id"] for items in stored.values() for d in items or [] if d.get("relation") in HINT_RELATIONS}
    if not ids:
        return {pk: [] for pk in by_pk}
    visible = set(Appeal.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    caller_ids = {d["appeal_id"] for items in stored.values() for d in items or []
                  if d.get("signals", {}).get("same_caller")}
    reached = set(Appeal.objects.by_identity(user, of=list(appeals)).filter(pk__in=caller_ids)
                  .values_list("pk", flat=True)) if caller_ids else set()
    rows = Appeal.objects.filter(pk__in=visible).select_related(*related).in_bulk()
    out = {}
    for pk, appeal in by_pk.items():
        identity = not appeal.anonymous and may_see_identity(user, appeal)
        items = [d for d in stored.get(pk) or [] if d.get("relation") in HINT_RELATIONS and (
            (identity and d["appeal_id"] in reached) if d.get("signals", {}).get("same_caller")
            else d["appeal_id"] in visible)]
        out[pk] = _as_hints(items[:limit], rows)
    return out


def draft_duplicates(user, *, text: str, phone: str = "", address: str = "", now=None, exclude=None,
                     limit: int = 5, related=()) -> list[Hint]:
    """Appeals in smart help's duplicate index that may be the same matter as a call being
    taken (``text`` with the caller's ``phone``), or as the appeal ``exclude`` just stored, that
    ``user`` may see; same-caller ones only through ``Appeal.objects.by_identity``. Reads the
    index; adds nothing to it."""
    from types import SimpleNamespace

    from django.utils import timezone

    from .dedupe_db import live_index
    from .suggestion_parts import _candidate

    text = (text or "").strip()
    if exclude is None and len(text) < 4 and not phone:
        return []
    draft = exclude if exclude is not None else SimpleNamespace(
        pk=None, title="", content=text, citizen_phone=phone or "", citizen_user_id=None,
        address=address or "", received_at=now or timezone.now())
    try:
        found = live_index().query(draft, limit=50)
    except Exception as exc:  # smart help never blocks the desk
        log.warning("duplicate lookup failed: %s", exc)
        return []
    items = _hints(user, exclude, [_candidate(f) for f in found], phone=phone, limit=limit)
    rows = Appeal.objects.filter(pk__in=[d["appeal_id"] for d in items]).select_related(*related).in_bulk()
    return _as_hints(items, rows)
