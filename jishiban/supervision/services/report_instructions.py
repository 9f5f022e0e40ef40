"""领导批示 on a report (月通报、体检报告、专题报告…): the leader's words become one supervision
order per unit named, with no appeal, carrying the report's title and a link to its page; each
unit's staff are told, and the orders are listed on the report's page and in the unit's inbox."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts import policy
from jishiban.appeals.errors import ActionForbidden, AppealValidationError

from ..models import Kind, OrderStatus, Reason, SupervisionOrder
from ..notifications import notify, unit_members
from ..rules import order_level
from .common import optional, require
from .orders import _days, _deadline, _log, order_sentence, order_url

REPORT_PATH = "/analytics/reports/"
MAX_UNITS = 30


def report_orders(user, report_url: str):
    """The orders given on the report at ``report_url`` that ``user`` may see, newest first."""
    from .. import access

    return (access.orders_for(user).filter(appeal__isnull=True, report_url=report_url)
            .select_related("target_unit", "responsible_unit").order_by("-created_at", "-id"))


def instruct_on_report(*, by, report_title: str, report_url: str, units, text: str, leader: str = "",
                       deadline_days=None, now=None) -> list[SupervisionOrder]:
    """One 领导批示 order per unit of ``units`` (organisations, not the centre) on the report
    ``report_title`` at ``report_url`` (a page under ``/analytics/reports/``). ``leader`` names the
    leader when a supervisor records it; a leader signs with their own name. All or nothing:
    raises ``ActionForbidden`` (may not instruct) or ``AppealValidationError`` naming the field."""
    from ..triggers import rules

    now = now or timezone.now()
    if not policy.may_instruct(by):
        raise ActionForbidden(_("您无权作领导批示"))
    errors: dict[str, list[str]] = {}
    units = list(dict.fromkeys(units or ()))
    if not units:
        errors["units"] = [_("请选择批示涉及的单位")]
    elif len(units) > MAX_UNITS:
        errors["units"] = [_("一次最多批示 %(n)d 个单位") % {"n": MAX_UNITS}]
    elif any(u.is_centre or not u.is_active for u in units):
        errors["units"] = [_("批示对象须为在用的承办单位")]
    url = (report_url or "").strip()
    if not url.startswith(REPORT_PATH) or len(url) > 500:
        errors["report_url"] = [_("报告链接无效")]
    try:
        text = require("instruction", text, _("请填写批示内容"))
    except AppealValidationError as exc:
        errors.update(exc.errors)
    try:
        title = require("report_title", report_title, _("缺少报告标题"), limit=200)
    except AppealValidationError as exc:
        errors.update(exc.errors)
    try:
        rule = rules()[Reason.LEADER]
        days = _days(deadline_days, rule.deadline_days)
    except AppealValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise AppealValidationError(errors)
    name = optional("instructed_by", leader, limit=60) if not policy.instructs_in_own_name(by) else ""
    name = name or by.get_full_name() or by.get_username()
    requirement = _("请落实领导在《%(title)s》上的批示，并按时反馈落实情况。") % {"title": title}
    created = []
    with transaction.atomic():
        for unit in units:
            order = SupervisionOrder.objects.create(
                appeal=None, report_title=title, report_url=url, reason=Reason.LEADER, auto=False,
                target_unit=unit, responsible_unit=unit, requirement=requirement, instruction=text,
                instructed_by=name, level=order_level(rule.level, unit.level), deadline_days=days,
                deadline=_deadline(now, days), status=OrderStatus.OPEN, created_by=by, created_at=now)
            _log(order, "open", "", OrderStatus.OPEN, by, now, note=requirement,
                 payload={"reason": Reason.LEADER, "auto": False, "target": unit.code, "report": url})
            notify(Kind.LEADER_INSTRUCTION,
                   _("督办通知：报告《%(title)s》%(what)s。") % {"title": title, "what": order_sentence(order)},
                   users=unit_members(unit), order=order, url=order_url(order), now=now)
            created.append(order)
    return created
