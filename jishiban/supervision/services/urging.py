"""From the appeal page: 催办 (urge the unit holding it), 督办 (a supervision order), and a
leader's instruction (领导批示) that becomes an order carrying the leader's words.

Orders go through ``orders.open_order`` (its checks, its event, its notice to the unit); an
urging is a row of its own and a notice to the unit's staff, delivered after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden, ActionNotAllowed
from jishiban.appeals.figures import HANDLING

from .. import access, links
from ..models import Kind, Reason, Urging
from ..notifications import notify, unit_members
from .common import optional
from .orders import open_order

MAX_URGE = 500


def urge(appeal, *, by, text: str = "", now=None) -> Urging:
    """催办 the lead unit of an appeal still in its hands. Raises ``ActionForbidden`` (not a
    manager of this appeal) or ``ActionNotAllowed`` (nobody holds it)."""
    now = now or timezone.now()
    if not access.may_manage_appeal(by, appeal):
        raise ActionForbidden(_("您无权催办诉求件 %(n)s") % {"n": appeal.number})
    if appeal.lead_unit_id is None or appeal.status not in HANDLING:
        raise ActionNotAllowed(_("诉求件 %(n)s 当前不在承办单位办理中，无需催办") % {"n": appeal.number})
    text = optional("text", text, limit=MAX_URGE) or _("请加快办理，按时限答复群众。")
    with transaction.atomic():
        urging = Urging.objects.create(appeal=appeal, unit=appeal.lead_unit, text=text, by=by, at=now)
        notify(Kind.URGED, _("催办：诉求件 %(n)s %(t)s") % {"n": appeal.number, "t": text},
               users=unit_members(appeal.lead_unit), appeal=appeal, url=links.appeal(appeal), now=now)
    return urging


def supervise(appeal, *, by, requirement: str = "", deadline_days=None, now=None):
    """督办 from the appeal page: a 重点督办 order (or the one already open)."""
    return open_order(appeal, reason=Reason.KEY, by=by, requirement=requirement, deadline_days=deadline_days,
                      now=now)


def instruct(appeal, *, by, text: str, leader: str = "", deadline_days=None, now=None):
    """领导批示: an order carrying the leader's words; ``leader`` names the leader when a
    supervisor records it (a leader's own instruction is signed with their name)."""
    name = (leader or "").strip() or by.get_full_name() or by.get_username()
    return open_order(appeal, reason=Reason.LEADER, by=by, instruction=text, instructed_by=name,
                      deadline_days=deadline_days, now=now)
