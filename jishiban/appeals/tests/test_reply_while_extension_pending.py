"""While an extension request is pending the unit goes on working: notes, files and the reply.

GIVEN an accepted appeal whose unit asked for more time and nobody has decided yet
WHEN the unit replies
THEN the appeal is replied, the reply's event says the pending request went with it, the deadline
in force stays the one that was not extended, and the reviewers' queue no longer lists it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.errors import ActionNotAllowed
from jishiban.appeals.models import Appeal
from jishiban.appeals.permissions import available_actions
from jishiban.supervision.selectors import extension_requests
from jishiban.testing import advance, make_appeal, working_days_later

pytestmark = pytest.mark.django_db


def _pending(personas):
    appeal = advance(make_appeal(), personas, "accepted")
    asked = working_days_later(appeal.reply_deadline, 2)
    appeal = services.request_extension(appeal, by=personas.handler, new_deadline=asked, reason="需协调施工队")
    assert appeal.status == "extension_requested"
    return appeal, asked


def test_the_unit_may_reply_while_its_extension_request_is_pending(personas):
    appeal, asked = _pending(personas)
    deadline = appeal.reply_deadline
    assert "reply" in available_actions(personas.handler, appeal)
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已抢修完毕，恢复供水")
    appeal.refresh_from_db()
    assert appeal.status == "replied" and appeal.reply_deadline == deadline  # the request never took effect
    event = appeal.events.get(action="reply")
    assert event.from_status == "extension_requested" and event.payload["on_time"] is True
    assert event.payload["extension_dropped"] == {"asked": asked.isoformat()}


def test_a_replied_appeal_leaves_the_pending_extension_queue_and_cannot_be_decided(personas):
    appeal, _asked = _pending(personas)
    assert [row["appeal"].pk for row in extension_requests(personas.supervisor)] == [appeal.pk]
    appeal = services.reply(appeal, by=personas.handler, result_type="explained", text="已向群众解释")
    assert extension_requests(personas.supervisor) == []
    with pytest.raises(ActionNotAllowed):
        services.decide_extension(appeal, by=personas.supervisor, approve=True)


def test_a_late_reply_while_pending_is_late_and_no_longer_overdue_once_replied(personas):
    appeal, _asked = _pending(personas)
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(reply_deadline=now - timedelta(hours=1))
    appeal.refresh_from_db()
    assert Appeal.objects.overdue(now).filter(pk=appeal.pk).exists()
    appeal = services.reply(appeal, by=personas.handler, result_type="solved", text="已修复")
    assert appeal.events.get(action="reply").payload["on_time"] is False
    assert not Appeal.objects.overdue(timezone.now()).filter(pk=appeal.pk).exists()
    assert not Appeal.objects.open().filter(pk=appeal.pk).exists()


def test_the_lead_unit_may_add_a_note_while_pending_and_it_keeps_the_version(personas):
    appeal, _asked = _pending(personas)
    version = appeal.version
    event = services.add_unit_note(appeal, by=personas.handler, text="已联系施工队，明日进场")
    assert event.action == "note" and event.from_status == event.to_status == "extension_requested"
    appeal.refresh_from_db()
    assert appeal.version == version and appeal.status == "extension_requested"
