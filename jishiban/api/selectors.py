"""Reading appeals for the API: every query starts from ``Appeal.objects.visible_to(user)``."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts.policy import Role, is_staff_member
from jishiban.appeals.figures import card_of, is_overdue
from jishiban.appeals.filters import ListFilter, apply_filter, count_capped, day_bounds
from jishiban.appeals.models import Appeal
from jishiban.appeals.permissions import available_actions
from jishiban.appeals.privacy import citizen_display
from jishiban.appeals.services import UNIT_NOTE_ACTIONS

LIST_RELATED = ("channel", "county", "category", "lead_unit")


# The workflow's actions as the API's endpoints name them: the approval of a return is
# ``approve-return`` (the endpoint ``return`` is a unit's request, ``appeal_actions.WORKFLOW_ACTION``).
ENDPOINT_OF = {"return": "approve-return"}


def visible(user):
    return Appeal.objects.visible_to(user)


DETAIL_RELATED = LIST_RELATED + ("town", "grid", "parent")


def get_visible(user, number: str, *, related=DETAIL_RELATED) -> Appeal:
    """The appeal numbered ``number`` if ``user`` may see it; ``Http404`` otherwise (unknown or
    hidden: the caller cannot tell the two apart)."""
    # Unordered: the number is unique, and ordering a query of this many joined columns costs
    # Django more to compile than the query costs PostgreSQL to run (docs/benchmarks.md).
    appeal = next(iter(visible(user).select_related(*related).filter(number=number).order_by()[:1]), None)
    if appeal is None:
        raise Http404(_("诉求件 %(n)s 不存在或无权查看") % {"n": number})
    return appeal


def _day_start(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return day_bounds(value)[0]


def filter_appeals(qs, *, user, status=None, channel=None, county=None, category=None, handler=None, overdue=None,
                   received_from=None, received_to=None, text=None, now=None):
    """The API's list parameters through the one list filter (``appeals.filters``);
    ``received_to`` as a date includes that whole day, as a moment it is inclusive."""
    before = None
    if received_to:
        before = (_day_start(received_to) + timedelta(microseconds=1) if isinstance(received_to, datetime)
                  else day_bounds(received_to)[1])
    return apply_filter(qs, ListFilter(
        status=tuple(s.strip() for s in (status or "").split(",") if s.strip()), channel=channel or "",
        region=county or "", category=category or "", unit=handler or "",
        deadline="" if overdue is None else ("overdue" if overdue else "not_overdue"),
        received_from=_day_start(received_from) if received_from else None, received_before=before,
        text=text or "",
    ), user=user, now=now or timezone.now())


def capped_count(qs, cap: int) -> tuple[int, bool]:
    """Count at most ``cap`` rows (a LIMITed sub-select), so big lists stay cheap."""
    n = count_capped(qs, cap)
    return (cap, False) if n > cap else (n, True)


def _ref(obj) -> dict | None:
    return {"code": obj.code, "name": obj.name} if obj is not None else None


def summary(user, appeal: Appeal, now: datetime) -> dict:
    return {
        "number": appeal.number, "title": appeal.title, "status": appeal.status,
        "status_display": str(appeal.get_status_display()), "channel": _ref(appeal.channel),
        "external_id": appeal.external_id, "county": _ref(appeal.county), "category": _ref(appeal.category),
        "lead_unit": _ref(appeal.lead_unit), "appeal_type": appeal.appeal_type, "urgent": appeal.urgent,
        "card": card_of(appeal, now), "overdue": is_overdue(appeal, now),
        "received_at": appeal.received_at, "reply_deadline": appeal.reply_deadline,
        "citizen": citizen_display(user, appeal),
    }


def attachment_url(attachment_id: int) -> str:
    return reverse("api-v1:attachment_download", kwargs={"attachment_id": attachment_id})


def detail(user, appeal: Appeal, now: datetime | None = None, *, new: bool = False) -> dict:
    """The full view of ``appeal`` for ``user``. ``new=True`` for an appeal created in this
    request without attachments: no co-handlers or files yet, two queries saved on the hot
    intake path."""
    now = now or timezone.now()
    data = summary(user, appeal, now)
    data.update({
        "content": appeal.content, "address": appeal.address,
        "lat": float(appeal.lat) if appeal.lat is not None else None,
        "lon": float(appeal.lon) if appeal.lon is not None else None,
        "town": _ref(appeal.town), "grid": _ref(appeal.grid),
        "co_units": [] if new else [_ref(u) for u in appeal.co_units.order_by("code")],
        "tags": list(appeal.tags or []),
        "dispatched_at": appeal.dispatched_at, "accepted_at": appeal.accepted_at,
        "replied_at": appeal.replied_at, "closed_at": appeal.closed_at,
        "sign_deadline": appeal.sign_deadline, "return_deadline": appeal.return_deadline,
        "result_type": appeal.result_type, "result_text": appeal.result_text, "promise": appeal.promise,
        "follow_up_date": appeal.follow_up_date, "satisfaction": appeal.satisfaction, "solved": appeal.solved,
        "return_count": appeal.return_count, "reopen_count": appeal.reopen_count,
        "parent": appeal.parent.number if appeal.parent_id else None,
        "version": appeal.version,
        "available_actions": [ENDPOINT_OF.get(a, a) for a in available_actions(user, appeal, now=now)],
        "attachments": [_attachment(a) for a in ([] if new else listable_files(user, appeal.attachments.all()))],
        "created_at": appeal.created_at, "updated_at": appeal.updated_at,
    })
    return data


def listable_files(user, attachments):
    """The files of ``attachments`` (a queryset of visible appeals' files) ``user`` may have:
    the files of the units' notes among themselves only for staff."""
    return attachments if is_staff_member(user) else attachments.exclude(event__action__in=UNIT_NOTE_ACTIONS)


def _attachment(a) -> dict:
    return {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "url": attachment_url(a.pk), "created_at": a.created_at, "event": a.event_id}


def actor_name(event) -> str:
    actor = event.actor
    if actor is None:
        return str(_("系统"))
    if actor.role == Role.CITIZEN:  # the stored role: an account closed since still shows as 群众
        return str(_("群众"))
    return actor.get_full_name() or actor.username


def events(user, appeal: Appeal) -> list[dict]:
    rows = appeal.events.select_related("actor", "actor_unit").order_by("at", "id")
    if not is_staff_member(user):  # the units' notes among themselves stay inside
        rows = rows.exclude(action__in=UNIT_NOTE_ACTIONS)
    files: dict[int, list] = {}
    for a in listable_files(user, appeal.attachments.filter(event__isnull=False)).order_by("id"):
        files.setdefault(a.event_id, []).append(_attachment(a))
    return [
        {"id": e.pk, "action": e.action, "from_status": e.from_status, "to_status": e.to_status,
         "actor": actor_name(e), "actor_unit": _ref(e.actor_unit), "reason": e.reason,
         "payload": e.payload or {}, "at": e.at, "attachments": files.get(e.pk, [])}
        for e in rows
    ]
