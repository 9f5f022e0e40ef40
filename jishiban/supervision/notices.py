"""What a handling unit hears about the appeals it must handle: one message per event, to the
staff of the unit that holds the appeal now.

* dispatch — ``dispatched``; a re-dispatch (改派, a meeting decision) — ``redispatched``. The
  orders that came with it (opened by the dispatch's triggers, or carried over from the old
  unit) are named in the same message.
* reopening (重办) — ``reopened``; the citizen's withdrawal (撤回) — ``withdrawn``.
* cards — ``card_yellow`` / ``card_red``, once per deadline and unit (``jobs.cards``); a red
  card's overdue order is in the red card's message.
* orders opened on their own (by hand, by the sweep) — ``order_opened``, a leader's
  instruction ``leader_instruction`` (``services.orders.announce_order``).

After a re-dispatch what belonged to the old unit is closed with a note (its open orders, its
card alerts, its open promises) and the orders that are not its own move to the new unit
(``services.orders.follow_lead_unit``). The functions here run inside the transition's
transaction (``receivers``); notifications are delivered after commit.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.core.dates import when

from . import links
from .models import CardAlert, FollowUp, FollowUpStatus, Kind, OrderStatus, SupervisionOrder
from .notifications import notify, unit_members

OPEN_FOLLOW_UPS = (FollowUpStatus.WAITING, FollowUpStatus.DUE)


def _when(value) -> str:
    return when(value) if value else ""


def follow_lead_unit(appeal, event) -> None:
    """A re-dispatch moves the appeal's supervision to its new lead unit (see the module doc)."""
    from .services.orders import follow_lead_unit as move_orders

    if not (event.payload or {}).get("redispatch") or appeal.lead_unit_id is None:
        return
    unit = appeal.lead_unit
    note = _("已改派至 %(unit)s") % {"unit": unit}
    move_orders(appeal, now=event.at, by=event.actor)
    (CardAlert.objects.filter(appeal=appeal, closed_at__isnull=True).exclude(unit=unit)
     .update(closed_at=event.at, note=note[:200]))
    (FollowUp.objects.filter(appeal=appeal, status__in=OPEN_FOLLOW_UPS).exclude(unit=unit)
     .update(status=FollowUpStatus.CANCELLED, review_note=note))


def orders_opened_by(appeal, event) -> list[SupervisionOrder]:
    """The open orders of the lead unit that this event opened (or carried over)."""
    return list(SupervisionOrder.objects.filter(appeal=appeal, target_unit_id=appeal.lead_unit_id, created_at=event.at)
                .exclude(status=OrderStatus.CLOSED).order_by("id"))


def _with_orders(text: str, orders) -> str:
    from .services.orders import order_sentence

    return text + "".join(_("另：%(order)s。") % {"order": order_sentence(o)} for o in orders)


def announce_dispatch(appeal, event) -> None:
    """The lead unit's one message about a dispatch or re-dispatch."""
    if appeal.lead_unit_id is None:
        return
    payload = event.payload or {}
    orders = orders_opened_by(appeal, event)
    deadlines = _("请于 %(sign)s 前签收、%(reply)s 前答复。") % {
        "sign": _when(appeal.sign_deadline), "reply": _when(appeal.reply_deadline)}
    if payload.get("redispatch"):
        why = payload.get("explanation") or event.reason
        text = _("改派通知：诉求件 %(number)s 已改派至本单位主办%(why)s，") % {
            "number": appeal.number, "why": f"（{why[:120]}）" if why else ""}
        kind = Kind.REDISPATCHED
    else:
        text = _("派单通知：诉求件 %(number)s 已派至本单位主办，") % {"number": appeal.number}
        kind = Kind.DISPATCHED
    notify(kind, _with_orders(text + deadlines, orders), users=unit_members(appeal.lead_unit), appeal=appeal,
           order=orders[0] if orders else None, url=links.appeal(appeal), now=event.at)


def announce_reopen(appeal, event) -> None:
    """The lead unit's one message about a reopening (重办)."""
    if appeal.lead_unit_id is None:
        return
    text = _("重办通知：诉求件 %(number)s 需重新办理（%(reason)s），请于 %(reply)s 前答复。") % {
        "number": appeal.number, "reason": (event.reason or "")[:200], "reply": _when(appeal.reply_deadline)}
    notify(Kind.REOPENED, text, users=unit_members(appeal.lead_unit), appeal=appeal, url=links.appeal(appeal),
           now=event.at)


def announce_withdrawal(appeal, event) -> None:
    """The lead unit's one message when the citizen withdraws (撤回) an appeal it holds: it has
    left the unit's inbox and needs no reply."""
    unit = appeal.lead_unit if appeal.lead_unit_id else None
    if unit is None:
        return
    why = (event.reason or "").strip()
    text = _("撤回通知：诉求人已撤回诉求件 %(number)s%(why)s，无需继续办理和答复。") % {
        "number": appeal.number, "why": _("（%(why)s）") % {"why": why[:120]} if why else ""}
    notify(Kind.WITHDRAWN, text, users=unit_members(unit), appeal=appeal, url=links.appeal(appeal), now=event.at)


# The reason a withdrawn appeal's order is closed with, prefilled on the order page and the notice.
WITHDRAWN_REASON = gettext_lazy("诉求人已撤回")


def announce_withdrawal_to_order_owners(appeal, event) -> None:
    """Each person who opened a supervision order still open on a withdrawn appeal hears of it
    (automatic orders have closed by then): one message per order, linking to the order page,
    where one click closes it with the reason "诉求人已撤回"."""
    from .services.orders import order_url

    for order in (SupervisionOrder.objects.filter(appeal=appeal, auto=False, created_by__isnull=False)
                  .exclude(status=OrderStatus.CLOSED).select_related("created_by").order_by("id")):
        if not order.created_by.is_active:
            continue
        text = _("撤回通知：诉求人已撤回诉求件 %(number)s，您督办的督办单 #%(id)s 仍未关闭，可一键关闭督办（原因：%(reason)s）。") % {
            "number": appeal.number, "id": order.pk, "reason": WITHDRAWN_REASON}
        notify(Kind.WITHDRAWN, text, users=[order.created_by], appeal=appeal, order=order, url=order_url(order),
               now=event.at)


def announce_card(appeal, *, orders=(), now) -> None:
    """A card's one message: yellow to the unit; red to the unit and the centre's staff, with the
    overdue order it opened."""
    from .notifications import centre_staff

    deadline = _when(appeal.reply_deadline)
    if appeal.card == "red":
        text = _with_orders(_("红牌：诉求件 %(number)s 已超过答复时限（%(deadline)s），请立即办理。") % {
            "number": appeal.number, "deadline": deadline}, orders)
        users = unit_members(appeal.lead_unit) + centre_staff(appeal, "both")
        kind = Kind.CARD_RED
    else:
        text = _("黄牌：诉求件 %(number)s 将于 %(deadline)s 到期，请抓紧办理。") % {
            "number": appeal.number, "deadline": deadline}
        users = unit_members(appeal.lead_unit)
        kind = Kind.CARD_YELLOW
    orders = list(orders)
    notify(kind, text, users=users, appeal=appeal, order=orders[0] if orders else None,
           url=links.appeal(appeal), now=now)
