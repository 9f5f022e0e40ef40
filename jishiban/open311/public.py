"""What the public Open311 request list may show, and how an appeal looks there.

The GeoReport v2 request list is public (no key, no login), so it is a disclosure, not a
workbench view: it shows only appeals from channels that publish (``conf()["PUBLIC_CHANNELS"]``;
by default the ``open311`` channel and the channels with public replies), never confidential
appeals, never the citizen's identity, descriptions with personal data masked, and of a reply
only what a supervisor published (``supervision.services.public_replies.published_text``):
nothing while the reply is a draft, nothing when it is held back.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.deadlines import policy_for
from jishiban.appeals.models import Appeal, Status
from jishiban.appeals.privacy import mask_public
from jishiban.channels.models import Channel
from jishiban.supervision.services.public_replies import published_text

from .conf import conf
from .formats import w3c
from .status import open311_status


def public_channels() -> QuerySet:
    codes = conf()["PUBLIC_CHANNELS"]
    if codes is None:
        return Channel.objects.filter(Q(code="open311") | Q(public_reply=True))
    return Channel.objects.filter(code__in=list(codes))


def public_appeals() -> QuerySet:
    """Appeals the Open311 interface may show to anyone (the public disclosure set)."""
    return (
        Appeal.objects.filter(channel__in=public_channels(), confidential=False)
        .select_related("channel", "category__parent__parent", "lead_unit", "parent__public_reply", "public_reply")
    )


def service_notice(appeal: Appeal) -> str:
    """The promise the citizen gets: the reply time limit that applies to this appeal."""
    reply = policy_for(appeal).reply
    if reply.amount == 0:
        return _("已受理，当日办理")
    if reply.unit == "d":
        return _("已受理，将在 %(n)d 个工作日内答复") % {"n": reply.amount}
    if reply.unit == "h":
        return _("已受理，将在 %(n)d 个工作小时内答复") % {"n": reply.amount}
    return _("已受理，将在 %(n)d 个工作分钟内答复") % {"n": reply.amount}


def status_notes(appeal: Appeal) -> str | None:
    if appeal.status == Status.MERGED and appeal.parent_id:
        merged = _("已并入诉求件 %(number)s 一并办理") % {"number": appeal.parent.number}
        # the parent's answer as the public may read it: its published reply, nothing before
        answer = published_text(appeal.parent) if appeal.result_text else None
        if not answer:
            return merged
        return _("%(merged)s：%(result)s") % {"merged": merged, "result": mask_public(answer, appeal)}
    if appeal.status == Status.INVALID:
        return _("经核实为无效诉求")
    if appeal.status == Status.WITHDRAWN:
        return _("诉求人已撤回")  # an earlier reply (before a reopening) is not shown
    if appeal.status != Status.REOPENED:
        return published_text(appeal)
    return None


def _number(value):
    return float(value) if value is not None else None


def open311_extras(appeal: Appeal) -> dict:
    extras = appeal.extras.get("open311") if isinstance(appeal.extras, dict) else None
    return extras if isinstance(extras, dict) else {}


def request_record(appeal: Appeal) -> dict:
    """One appeal as a GeoReport v2 ``request`` (fields in the spec's order)."""
    tz = timezone.get_current_timezone()
    extras = open311_extras(appeal)
    category = appeal.category
    # An invalid appeal may be spam or abuse: it stays listed (clients track it) without its text.
    description = None if appeal.status == Status.INVALID else mask_public(appeal.content, appeal)
    return {
        "service_request_id": appeal.number,
        "status": open311_status(appeal.status),
        "status_notes": status_notes(appeal),
        "service_name": category.name if category else None,
        "service_code": category.code if category else None,
        "description": description,
        "agency_responsible": appeal.lead_unit.name if appeal.lead_unit_id else None,
        "service_notice": service_notice(appeal),
        "requested_datetime": w3c(appeal.received_at, tz),
        "updated_datetime": w3c(appeal.updated_at, tz),
        "expected_datetime": w3c(appeal.reply_deadline, tz),
        "address": mask_public(appeal.address, appeal) or None,
        "address_id": extras.get("address_id") or None,
        "zipcode": extras.get("zipcode") or None,
        "lat": _number(appeal.lat),
        "long": _number(appeal.lon),
        "media_url": extras.get("media_url") or None,
    }
