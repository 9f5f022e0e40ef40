"""Everything the detail page shows about one appeal, in a fixed number of queries."""

from __future__ import annotations

from django.http import Http404

from jishiban.appeals.models import Appeal, AppealEvent, Satisfaction
from jishiban.appeals.selectors import with_returning_unit
from jishiban.appeals.services import co_parts
from jishiban.appeals.workflow import HANDLING_STATES, RETURN_EVENTS, Action
from jishiban.intake.models import Attachment
from jishiban.organisations.models import Organisation

from ..models import CoHandlerNote
from .desk import LIST_RELATED, attach_hints, visible

RELATED_LIMIT = 10
SATISFACTION = dict(Satisfaction.choices)


def get_visible_appeal(user, pk) -> Appeal:
    """The appeal if ``user`` may see it; ``Http404`` otherwise (no hint that it exists)."""
    try:
        return (visible(user).select_related(*LIST_RELATED, "grid", "parent", "created_by", "citizen_user")
                .get(pk=pk))
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404


def attachments_of(appeal) -> list:
    return list(Attachment.objects.filter(appeal=appeal).select_related("uploaded_by").order_by("id"))


# A round's answer and the citizen's verdict on it: after a reopening they belong to the earlier round.
ROUND_ACTIONS = frozenset({Action.REPLY, Action.ANSWER, Action.CALLBACK})


def mark_rounds(events: list) -> None:
    """Sets ``round`` (1 before the first reopening, 2 after it, …) on every event, and
    ``earlier_round`` on the replies and callbacks of a round a reopening has since ended, so the
    page labels them as that round's and not as the current answer."""
    current = 1 + sum(1 for e in events if e.action == Action.REOPEN)
    n = 1
    for e in events:
        if e.action == Action.REOPEN:
            n += 1
        e.round = n
        e.earlier_round = n if n < current and e.action in ROUND_ACTIONS else None


def detail_context(user, appeal: Appeal) -> dict:
    """Timeline, co-units, notes, attachments, related and merged appeals of ``appeal``."""
    scope = visible(user)
    events = list(AppealEvent.objects.filter(appeal=appeal).select_related("actor", "actor_unit")
                  .order_by("at", "id"))
    # 同一来电人的其他诉求: only through the identity rule (never a confidential appeal whose
    # citizen this user may not see, nothing when this appeal's citizen is hidden from them).
    related = list(Appeal.objects.by_identity(user, of=appeal).select_related(*LIST_RELATED)
                   .order_by("-received_at", "-id")[:RELATED_LIMIT])
    children = list(scope.filter(parent=appeal).select_related(*LIST_RELATED).order_by("received_at", "id"))
    attach_hints(user, [appeal])
    hints = appeal.hints
    notes = list(CoHandlerNote.objects.filter(appeal=appeal).select_related("unit", "author"))
    codes = {code for e in events if e.action == Action.DISPATCH
             for code in [e.payload.get("lead_unit"), *(e.payload.get("co_units") or [])] if code}
    codes |= {code for e in events if e.action == Action.REPLY
              for code in ((e.payload.get("co_parts") or {}).get("missing") or [])}
    unit_names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    for e in events:
        if e.action == Action.DISPATCH:
            e.lead_name = unit_names.get(e.payload.get("lead_unit"), e.payload.get("lead_unit"))
            e.co_names = [unit_names.get(c, c) for c in e.payload.get("co_units") or []]
        if e.action == Action.REPLY and (e.payload.get("co_parts") or {}).get("missing"):
            e.co_missing = [unit_names.get(c, c) for c in e.payload["co_parts"]["missing"]]
        if e.payload.get("satisfaction"):
            e.satisfaction_label = SATISFACTION.get(e.payload["satisfaction"], e.payload["satisfaction"])
    mark_rounds(events)
    files = attachments_of(appeal)
    by_event: dict[int, list] = {}
    for f in files:
        if f.event_id:
            by_event.setdefault(f.event_id, []).append(f)
    for e in events:
        e.files = by_event.get(e.pk, [])
    for n in notes:
        n.files = by_event.get(n.event_id, [])
    last_extension = next((e for e in reversed(events) if e.action == Action.REQUEST_EXTENSION), None)
    last_return = next((e for e in reversed(events) if e.action == Action.RETURN), None)
    with_returning_unit([e for e in events if e.action in RETURN_EVENTS])
    return {
        "events": events, "round": 1 + appeal.reopen_count, "co_units": list(appeal.co_units.all()), "related": related,
        "children": children, "hints": hints, "notes": notes, "attachments": [f for f in files if not f.event_id],
        "last_extension": last_extension, "last_return": last_return,
        "parent_visible": bool(appeal.parent_id and scope.filter(pk=appeal.parent_id).exists()),
        "co_parts": co_parts(appeal) if appeal.status in HANDLING_STATES else None,
    }
