"""公开答复: the published replies of the channels that publish, searchable and paged.

Only replies a supervisor published (``supervision.PublicReply``, status published; a held-back
reply stays a draft) of appeals that are not confidential, not invalid, merged or withdrawn, and whose
citizen did not ask to keep them unpublished. Every text shown goes through the one public
masking function (``appeals.privacy.mask_public``) with the citizen's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import Q

from jishiban.appeals.privacy import mask_public
from jishiban.appeals.workflow import GONE
from jishiban.supervision.models import PublicReply, PublicReplyStatus

PAGE_SIZE = 20


@dataclass
class PublishedReply:
    number: str
    received_at: datetime
    published_at: datetime | None
    channel: str
    category: str
    content: str
    reply: str


def _published(q: str):
    rows = (PublicReply.objects.filter(status=PublicReplyStatus.PUBLISHED, appeal__channel__public_reply=True,
                                       appeal__confidential=False)
            .exclude(appeal__status__in=GONE)
            .exclude(appeal__portal_ticket__publish=False)
            .select_related("appeal", "appeal__category", "channel").order_by("-published_at", "-id"))
    if q:
        # Only what is published is searched (the masked reply, the category), never the raw appeal.
        rows = rows.filter(Q(text__icontains=q) | Q(appeal__category__name__icontains=q) | Q(appeal__number=q))
    return rows


def page_of(q: str, page) -> tuple[list[PublishedReply], object]:
    paginator = Paginator(_published((q or "").strip()[:40]), PAGE_SIZE)
    current = paginator.get_page(page)
    items = []
    for row in current.object_list:
        appeal = row.appeal
        items.append(PublishedReply(
            number=appeal.number, received_at=appeal.received_at, published_at=row.published_at,
            channel=row.channel.name, category=appeal.category.name if appeal.category_id else "",
            content=mask_public(appeal.content, appeal), reply=mask_public(row.text, appeal)))
    return items, current
