"""Results go back to the channel (结果回推): outbox row in the transition's transaction,
delivery with retries, claims, and re-delivery after a crash with the same Idempotency-Key."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from jishiban.appeals import services
from jishiban.channels.models import Channel
from jishiban.intake import outbox
from jishiban.intake.models import DeliveryStatus, ResultDelivery
from jishiban.testing import advance, make_appeal


class Receiver:
    """A channel's webhook on 127.0.0.1 that records what it gets and drops repeated keys."""

    def __init__(self):
        self.requests, self.processed, self.fail_next, self.raw = [], {}, 0, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.raw.append((dict(self.headers), raw))
                body = json.loads(raw)
                key = self.headers["Idempotency-Key"]
                receiver.requests.append((key, body))
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(503)
                else:
                    receiver.processed.setdefault(key, body)
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/results"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(reference_data):
    r = Receiver()
    Channel.objects.filter(code="12345-web").update(wants_results=True, webhook_url=r.url)
    yield r
    r.close()


def replied(personas, channel="12345-web"):
    return advance(make_appeal(channel=channel, external_id="WEB-7"), personas, "replied")


def test_reply_writes_an_outbox_row_and_delivers_it_after_commit(personas, receiver,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = replied(personas)
    row = ResultDelivery.objects.get()
    assert row.status == DeliveryStatus.SENT and row.attempts == 1 and row.last_status_code == 200
    [(key, body)] = receiver.requests
    assert key == row.key and body["number"] == appeal.number and body["external_id"] == "WEB-7"
    assert body["action"] == "reply" and body["result_text"] and "citizen" not in json.dumps(body)


def test_results_are_signed_with_the_channels_secret(personas, receiver, django_capture_on_commit_callbacks):
    """GIVEN a channel with a webhook secret
    WHEN a result is delivered
    THEN the receiver can check with the same secret that it came from us, unaltered and recent."""
    secret = "s" * 40
    Channel.objects.filter(code="12345-web").update(webhook_secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        replied(personas)
    [(headers, raw)] = receiver.raw
    timestamp, signature = headers["X-Jishiban-Timestamp"], headers["X-Jishiban-Signature"]
    assert outbox.verify_signature(secret, raw, timestamp, signature)
    assert not outbox.verify_signature("x" * 40, raw, timestamp, signature)  # another secret
    assert not outbox.verify_signature(secret, raw.replace(b"reply", b"close"), timestamp, signature)  # altered
    later = timezone.now() + timedelta(minutes=6)
    assert not outbox.verify_signature(secret, raw, timestamp, signature, now=later)  # replayed later


def test_channels_without_a_secret_send_unsigned_results(personas, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        replied(personas)
    [(headers, _raw)] = receiver.raw
    assert "X-Jishiban-Signature" not in headers and "X-Jishiban-Timestamp" not in headers


def test_a_short_webhook_secret_is_refused(reference_data):
    from django.core.exceptions import ValidationError

    channel = Channel.objects.get(code="12345-web")
    channel.webhook_secret = "short"
    with pytest.raises(ValidationError) as caught:
        channel.full_clean()
    assert "webhook_secret" in caught.value.message_dict


def test_a_merged_appeal_gets_its_parents_result_pushed_to_its_own_channel(personas, receiver,
                                                                          django_capture_on_commit_callbacks):
    """GIVEN a phone appeal, and a web appeal (whose channel wants results) merged into it
    WHEN the phone appeal is replied
    THEN the web channel receives the result under its own external id."""
    from jishiban.appeals.models import Appeal

    parent = make_appeal(channel="12345-phone")
    child = services.merge(make_appeal(channel="12345-web", external_id="WEB-M1"), by=personas.dispatcher,
                           into=parent, reason="同一事项")
    with django_capture_on_commit_callbacks(execute=True):
        advance(parent, personas, "replied")
    [row] = ResultDelivery.objects.all()
    assert row.appeal_id == child.pk and row.status == DeliveryStatus.SENT
    [(_key, body)] = receiver.requests
    assert body["external_id"] == "WEB-M1" and body["action"] == "parent-result" and body["status"] == "merged"
    assert body["result_text"] == Appeal.objects.get(pk=parent.pk).result_text != ""


def test_channels_without_webhook_or_wish_get_no_row(personas, receiver):
    replied(personas, channel="12345-phone")  # wants_results is false
    Channel.objects.filter(code="12345-wechat").update(wants_results=True, webhook_url="")
    advance(make_appeal(channel="12345-wechat"), personas, "replied")
    assert ResultDelivery.objects.count() == 0


def test_close_and_direct_answer_are_results_too(personas, receiver):
    appeal = replied(personas)
    appeal = services.callback(appeal, by=personas.supervisor, satisfaction="satisfied", solved=True)
    services.close(appeal, by=personas.supervisor)
    services.answer_directly(make_appeal(channel="12345-web"), by=personas.operator, text="政策解释如下")
    assert sorted(ResultDelivery.objects.values_list("event__action", flat=True)) == ["answer", "close", "reply"]


def test_rolled_back_transition_leaves_no_row(personas, receiver):
    from django.db import transaction

    appeal = advance(make_appeal(channel="12345-web"), personas, "accepted")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.reply(appeal, by=personas.handler, result_type="solved", text="已处理")
        raise RuntimeError
    assert ResultDelivery.objects.count() == 0


def test_failures_are_retried_with_backoff_then_marked_failed(personas, receiver, settings):
    settings.JISHIBAN_RESULT_MAX_ATTEMPTS = 3
    replied(personas)
    row = ResultDelivery.objects.get()
    receiver.fail_next = 10
    now = timezone.now()
    assert outbox.deliver(row.pk, now=now) == "retry"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING and row.last_status_code == 503 and "503" in row.last_error
    first_wait = row.next_attempt_at - now
    assert outbox.deliver(row.pk, now=now) == "skipped"  # not due yet
    outbox.deliver(row.pk, now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.next_attempt_at - timezone.now() > first_wait  # exponential
    outbox.deliver(row.pk, now=row.next_attempt_at + timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3
    assert outbox.deliver_due(now=timezone.now() + timedelta(days=2)) == {"sent": 0, "retry": 0, "skipped": 0}
    assert outbox.retry_now(ResultDelivery.objects.all()) == 1
    receiver.fail_next = 0
    assert outbox.deliver_due()["sent"] == 1


def test_unreachable_webhook_is_recorded(personas, receiver):
    replied(personas)
    receiver.close()
    row = ResultDelivery.objects.get()
    assert outbox.deliver(row.pk) == "retry"
    row.refresh_from_db()
    assert row.last_status_code is None and row.last_error


def test_two_workers_never_claim_the_same_row(personas, receiver):
    replied(personas)
    row = ResultDelivery.objects.get()
    now = timezone.now()
    first, second = outbox.claim(row.pk, now), outbox.claim(row.pk, now)
    assert first is not None and second is None


def test_crash_between_sent_and_recorded_redelivers_with_the_same_key(personas, receiver, monkeypatch):
    """GIVEN a worker that sent a result and died before recording it
    WHEN the lease runs out and the periodic job runs
    THEN the result is sent again with the same Idempotency-Key, and the receiver keeps one."""
    replied(personas)
    row = ResultDelivery.objects.get()

    def die(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(outbox, "mark_sent", die)
    with pytest.raises(SystemExit):
        outbox.deliver(row.pk)
    monkeypatch.undo()
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENDING and len(receiver.requests) == 1
    assert outbox.deliver_due()["sent"] == 0  # still leased to the dead worker
    later = timezone.now() + outbox.lease() + timedelta(seconds=1)
    assert outbox.deliver_due(now=later)["sent"] == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2
    keys = [key for key, _body in receiver.requests]
    assert keys == [row.key, row.key] and len(receiver.processed) == 1


def test_periodic_schedule_exists_once(db):
    from django_q.models import Schedule

    from jishiban.intake.receivers import SCHEDULE_NAME, ensure_schedule

    ensure_schedule()
    ensure_schedule()
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert schedule.func == "jishiban.intake.tasks.deliver_pending"
