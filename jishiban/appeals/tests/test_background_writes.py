"""Background writes that change no field a person acts on (smart help's tags) never make a
person's action conflict; writes that do change what people see still do."""

import pytest

from jishiban.api.tests.conftest import ApiClient
from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.smart import services as smart
from jishiban.supervision.models import Dispute, Meeting, Notification
from jishiban.supervision.services import disputes
from jishiban.testing import advance, make_appeal, return_reviewed

pytestmark = pytest.mark.django_db

REPEAT = {"repeat": {"reason": "90 天内同一来电人反映 3 次"}, "risks": [], "region": {}}
RISK = {"repeat": None, "risks": [{"code": "threat", "label": "扬言", "evidence": "要去上访"}], "region": {}}


def _smart_help_writes(appeal_id: int, result: dict) -> dict:
    """What the after-intake job writes, on its own fresh copy of the appeal."""
    return smart.apply_safe(Appeal.objects.get(pk=appeal_id), result)


def test_a_smart_help_tag_written_during_a_meeting_decision_does_not_make_it_fail(personas, monkeypatch):
    """GIVEN a disputed appeal on a meeting's agenda WHEN smart help tags it while the
    supervisor's decision is being recorded THEN the decision re-dispatches the appeal (no
    409), the tag stays, and the new unit gets one notice."""
    appeal = advance(make_appeal(), personas, "dispatched")
    appeal = return_reviewed(appeal, by=personas.handler, reason="非本单位职责")
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.water)
    return_reviewed(appeal, by=personas.handler, reason="仍非本单位职责")
    dispute = Dispute.objects.get(appeal=appeal)
    meeting = disputes.schedule_meeting(by=personas.supervisor, date=dispute.created_at.date(), place="会议室",
                                        dispute_ids=[dispute.pk])
    real_dispatch = disputes.appeal_services.dispatch

    def dispatch_with_smart_help_in_between(stale, **kw):
        assert _smart_help_writes(stale.pk, REPEAT) == {"tags": ["repeat"]}
        return real_dispatch(stale, **kw)

    monkeypatch.setattr(disputes.appeal_services, "dispatch", dispatch_with_smart_help_in_between)
    version = Appeal.objects.get(pk=appeal.pk).version
    disputes.decide(Meeting.objects.get(pk=meeting.pk), dispute, by=personas.supervisor, lead_unit=personas.urban,
                    legal_basis="城市管理条例")
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.lead_unit == personas.urban and appeal.tags == ["repeat"] and appeal.version == version + 1
    assert list(appeal.events.order_by("-id").values_list("action", flat=True)[:2]) == ["dispatch", "annotate"]
    assert Dispute.objects.get(pk=dispute.pk).status == "decided"
    assert Notification.objects.filter(user=personas.other_handler, kind="redispatched").count() == 1


def test_a_person_acting_on_the_version_they_saw_is_not_refused_after_a_tag(personas):
    """Through the API: the handler saw version v; smart help tags the appeal; accepting with v
    succeeds. A background write that changes what people see (urgency with a risk flag) still
    makes the next stale action a 409."""
    appeal = advance(make_appeal(), personas, "dispatched")
    handler = ApiClient(personas.handler)
    seen = handler.get(f"/appeals/{appeal.number}").json()["version"]
    _smart_help_writes(appeal.pk, REPEAT)
    assert handler.get(f"/appeals/{appeal.number}").json()["tags"] == ["repeat"]
    r = handler.post(f"/appeals/{appeal.number}/actions/accept", {"expected_version": seen})
    assert r.status_code == 200, r.content
    seen = r.json()["version"]
    _smart_help_writes(appeal.pk, RISK)  # tags and urgent
    stale = handler.post(f"/appeals/{appeal.number}/actions/reply",
                         {"expected_version": seen, "result_type": "solved", "text": "已修复"})
    assert stale.status_code == 409 and stale.json()["last_action"] == "annotate"


def test_a_person_tagging_from_a_stale_copy_keeps_the_background_tags(personas):
    appeal = make_appeal()
    seen = Appeal.objects.get(pk=appeal.pk)
    _smart_help_writes(appeal.pk, REPEAT)
    services.annotate(seen, by=personas.supervisor, tags=["重点关注"])
    assert Appeal.objects.get(pk=appeal.pk).tags == ["repeat", "重点关注"]
