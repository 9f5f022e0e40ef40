"""POST /api/v1/appeals: the REST channel into the one intake pipeline."""

import base64

from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.intake.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(**extra):
    data = {"channel": "12345-web", "content": "小区路灯不亮已经一周", "citizen": {"name": "李四", "phone": "13900001111"},
            "location": {"county": "370811", "address": "任城区某小区"}, "category": "020101"}
    data.update(extra)
    return data


def test_operator_creates_an_appeal_through_the_pipeline(api):
    response = api("operator").post("/appeals", body(external_id="W-1"))
    assert response.status_code == 201, response.content
    data = response.json()
    appeal = Appeal.objects.get(number=data["number"])
    assert appeal.channel.code == "12345-web" and appeal.external_id == "W-1"
    assert data["version"] == 1 and data["status"] == "received"
    assert data["citizen"]["phone"] == "139****1111"
    assert "dispatch" not in data["available_actions"] and "answer" in data["available_actions"]
    assert AppealEvent.objects.filter(appeal=appeal, action="receive").count() == 1


def test_retry_with_the_same_external_id_returns_the_same_appeal_with_200(api):
    first = api("operator").post("/appeals", body(external_id="W-2"))
    again = api("operator").post("/appeals", body(external_id="W-2"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Appeal.objects.count() == 1


def test_same_idempotency_key_and_body_gives_the_same_appeal(api):
    client = api("operator")
    first = client.post("/appeals", body(), **{"Idempotency-Key": "k-1"})
    again = client.post("/appeals", body(), **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"] and Appeal.objects.count() == 1


def test_same_idempotency_key_with_another_body_is_refused(api):
    client = api("operator")
    assert client.post("/appeals", body(), **{"Idempotency-Key": "k-2"}).status_code == 201
    clash = client.post("/appeals", body(content="另一件事：噪音扰民"), **{"Idempotency-Key": "k-2"})
    assert clash.status_code == 422
    assert clash.json()["code"] == "idempotency_key_reused"
    assert Appeal.objects.count() == 1


def test_failed_request_leaves_the_idempotency_key_usable(api):
    client = api("operator")
    bad = client.post("/appeals", body(channel="no-such"), **{"Idempotency-Key": "k-3"})
    assert bad.status_code == 422
    good = client.post("/appeals", body(), **{"Idempotency-Key": "k-3"})
    assert good.status_code == 201


def test_pipeline_field_errors_are_422_with_field_names(api):
    response = api("operator").post("/appeals", body(channel="no-such", content=" ", location={"county": "999999"}))
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "validation_error"
    assert set(data["errors"]) == {"channel", "content", "county"}
    assert Appeal.objects.count() == 0


def test_schema_errors_have_the_same_shape(api):
    response = api("operator").post("/appeals", {"channel": "12345-web", "urgent": "perhaps"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "content" in errors and "urgent" in errors


def test_roles_without_intake_rights_are_refused(api):
    for persona in ("analyst", "handler", "leader"):
        response = api(persona).post("/appeals", body())
        assert response.status_code == 403, persona
        assert response.json()["code"] == "forbidden"
    assert Appeal.objects.count() == 0


def test_anonymous_and_bad_tokens_get_401(api, personas):
    assert api(None).post("/appeals", body()).status_code == 401
    response = api(None).get("/appeals", HTTP_AUTHORIZATION="Bearer jsb_nonsense")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_revoked_token_no_longer_works(api):
    client = api("operator")
    assert client.get("/channels").status_code == 200
    from jishiban.api.tokens import revoke

    revoke(type(client.row).objects.filter(pk=client.row.pk))
    assert client.get("/channels").status_code == 401


def test_token_bound_to_a_channel_submits_there_only(api, personas):
    from jishiban.channels.models import Channel

    client = api("operator", channel=Channel.objects.get(code="12345-wechat"))
    created = client.post("/appeals", body(channel=None))
    assert created.status_code == 201 and created.json()["channel"]["code"] == "12345-wechat"
    assert client.post("/appeals", body(channel="12345-web")).status_code == 403


def test_citizen_submission_is_their_own_appeal(api, personas):
    response = api("citizen").post("/appeals", body(channel="jishiban-app"))
    assert response.status_code == 201
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert appeal.citizen_user == personas.citizen
    assert api("citizen").get(f"/appeals/{appeal.number}").status_code == 200
    assert api("other_citizen").get(f"/appeals/{appeal.number}").status_code == 404


def test_someone_elses_external_id_is_not_shown_to_a_caller_who_cannot_see_it(api):
    assert api("operator").post("/appeals", body(external_id="W-9")).status_code == 201
    response = api("grid_worker").post("/appeals", body(external_id="W-9"))
    assert response.status_code == 409 and response.json()["code"] == "duplicate"


def test_attachments_are_stored_with_the_appeal(api):
    files = [{"name": "现场.png", "content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}]
    response = api("operator").post("/appeals", body(attachments=files))
    assert response.status_code == 201
    [item] = response.json()["attachments"]
    assert item["name"] == "现场.png" and item["size"] == len(PNG)
    assert Attachment.objects.get().appeal.number == response.json()["number"]


def test_bad_attachment_rejects_the_whole_submission(api):
    files = [{"name": "photo.jpg", "content_type": "image/jpeg", "data_base64": base64.b64encode(b"<html>").decode()},
             {"name": "x.bin", "content_type": "", "data_base64": "!!"}]
    response = api("operator").post("/appeals", body(attachments=files))
    assert response.status_code == 422
    assert len(response.json()["errors"]["attachments"]) == 1  # base64 error reported first
    files = files[:1]
    response = api("operator").post("/appeals", body(attachments=files))
    assert response.status_code == 422 and "photo.jpg" in response.json()["errors"]["attachments"][0]
    assert Appeal.objects.count() == 0 and Attachment.objects.count() == 0


def test_expired_idempotency_records_are_purged_and_the_key_reusable(api):
    from datetime import timedelta

    from django.utils import timezone

    from jishiban.api.idempotency import purge
    from jishiban.api.models import IdempotencyRecord

    client = api("operator")
    assert client.post("/appeals", body(), **{"Idempotency-Key": "old"}).status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert purge() == 1
    again = client.post("/appeals", body(content="新的一件：井盖缺失"), **{"Idempotency-Key": "old"})
    assert again.status_code == 201 and Appeal.objects.count() == 2


def _transactions_at_numbering(monkeypatch):
    """Record, at each number reservation, the transactions open around it (not the test's own)."""
    from jishiban.appeals import creation
    from jishiban.testing import transactions_opened_here

    seen = []
    allocate = creation.numbering.allocate

    def watching(*args, **kwargs):
        seen.append(transactions_opened_here())
        return allocate(*args, **kwargs)

    monkeypatch.setattr(creation.numbering, "allocate", watching)
    return seen


def test_keyed_and_attached_requests_reserve_their_number_outside_any_transaction(api, monkeypatch):
    """A transaction around the reservation would keep the day's counter locked (PostgreSQL)
    until it commits, and every keyed request of the day would wait for the one before."""
    seen = _transactions_at_numbering(monkeypatch)
    client = api("operator")
    files = [{"name": "现场.png", "content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}]
    assert client.post("/appeals", body(), **{"Idempotency-Key": "n-1"}).status_code == 201
    assert client.post("/appeals", body(content="井盖缺失", attachments=files),
                       **{"Idempotency-Key": "n-2"}).status_code == 201
    assert seen == [[], []]
    assert Attachment.objects.get().appeal.content == "井盖缺失"


def test_a_key_still_being_handled_gets_409_in_progress(api):
    from jishiban.api.idempotency import body_hash
    from jishiban.api.models import IdempotencyRecord
    from jishiban.api.schemas import AppealIn

    client = api("operator")
    IdempotencyRecord.objects.create(user=client.row.user, key="busy", request_hash=body_hash(AppealIn(**body()).dict()))
    response = client.post("/appeals", body(), **{"Idempotency-Key": "busy"})
    assert response.status_code == 409 and response.json()["code"] == "idempotency_in_progress"
    assert Appeal.objects.count() == 0


def test_a_claim_left_by_a_request_that_died_is_taken_over(api):
    """GIVEN a key claimed by a request whose process died before its appeal was stored
    WHEN the channel retries with the same key after the claim's lease
    THEN the request is handled anew and the key ends up linked to its appeal."""
    from datetime import timedelta

    from django.utils import timezone

    from jishiban.api.idempotency import body_hash
    from jishiban.api.models import IdempotencyRecord
    from jishiban.api.schemas import AppealIn

    client = api("operator")
    IdempotencyRecord.objects.create(user=client.row.user, key="dead", request_hash=body_hash(AppealIn(**body()).dict()))
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    again = client.post("/appeals", body(), **{"Idempotency-Key": "dead"})
    assert again.status_code == 201 and Appeal.objects.count() == 1
    assert IdempotencyRecord.objects.get().appeal.number == again.json()["number"]


def test_the_key_is_linked_in_the_appeals_own_transaction(api, monkeypatch):
    """A failure after the appeal's rows are written rolls back the link with them and gives
    the key back: no key ever points at an appeal that was not stored, or the reverse."""
    from jishiban.api.models import IdempotencyRecord
    from jishiban.appeals import creation

    def broken(*args, **kwargs):
        raise RuntimeError("the job queue is down")

    client = api("operator")
    monkeypatch.setattr(creation.transition_recorded, "send", broken)
    client.client.raise_request_exception = False
    assert client.post("/appeals", body(), **{"Idempotency-Key": "tx"}).status_code == 500
    assert Appeal.objects.count() == 0 and IdempotencyRecord.objects.count() == 0
    monkeypatch.undo()
    assert client.post("/appeals", body(), **{"Idempotency-Key": "tx"}).status_code == 201
    assert IdempotencyRecord.objects.get().appeal == Appeal.objects.get()
