"""Reading suggestions for a user: every read starts from ``Appeal.objects.visible_to(user)``.

What a user sees of a suggestion: duplicate candidates only for appeals they may see (the
others are counted, not shown), and evidence snippets with personal data masked
(``privacy.mask_text``) unless they may see the citizen's identity.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from jishiban.accounts.policy import is_staff_member
from jishiban.appeals.errors import ActionForbidden
from jishiban.appeals.models import Appeal
from jishiban.appeals.privacy import may_see_identity

from .models import Suggestion
from .privacy import mask_text


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
    clean = (lambda text: text) if identity else mask_text
    ids = [d["appeal_id"] for d in row.duplicates or []]
    visible = set(Appeal.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    duplicates = [d for d in row.duplicates or [] if d["appeal_id"] in visible]
    repeat = dict(row.repeat) if row.repeat else None
    if repeat:
        shown = set(Appeal.objects.visible_to(user).filter(number__in=repeat["by_caller"] + repeat["by_address"])
                    .values_list("number", flat=True))
        repeat["by_caller"] = [n for n in repeat["by_caller"] if n in shown]
        repeat["by_address"] = [n for n in repeat["by_address"] if n in shown]
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
        "hidden_duplicates": len(row.duplicates or []) - len(duplicates),
        "repeat": repeat,
        "risks": [{**r, "evidence": clean(r.get("evidence", ""))} for r in row.risks or []],
        "applied": row.applied or {},
        "model_version": row.model_version.number if row.model_version else None,
        "semantic": row.semantic,
        "unavailable_reasons": row.unavailable_reasons,
        "unavailable": row.unavailable or [],
    }
