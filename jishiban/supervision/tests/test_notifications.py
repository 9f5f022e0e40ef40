"""Cards and notifications: the scheduled job raises one notification per newly yellow/red
appeal; deliveries go out through e-mail and an HTTP gateway, are claimed by one worker,
retried with back-off, and never sent twice — even after a crash between "sent" and
"recorded"."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import Appeal
from jishiban.supervision import delivery, jobs, selectors
from jishiban.supervision.models import CardAlert, Delivery, Notification, Preferences, Transport
from jishiban.supervision.notifications import mark_read, notify
from jishiban.testing import make_appeal

from .gateway import Gateway

pytestmark = pytest.mark.django_db

SMS_BODY = '{"mobile": "$phone", "content": "$text", "requestId": "$idempotency_key"}'


def _sms(url, **fields):
    return Transport.objects.create(name="短信网关", kind="webhook", url=url, body_template=SMS_BODY, **fields)


def _overdue(personas, days=30):
    return services.dispatch(make_appeal(citizen_phone=f"1380000{days:04d}"), by=personas.dispatcher,
                             lead_unit=personas.water, at=timezone.now() - timedelta(days=days))


def test_cards_job_announces_red_once_to_unit_and_supervisors(personas):
    appeal = _overdue(personas)
    result = jobs.cards()
    assert result["red"] == 1 and result["alerts"] == 1
    users = set(Notification.objects.filter(appeal=appeal, kind="card_red").values_list("user__username", flat=True))
    assert users == {"dept_water", "water_head", "supervisor", "county_rencheng"}
    assert jobs.cards()["alerts"] == 0 and CardAlert.objects.count() == 1
    # the dispatch notice, and one red-card message that names the overdue order it opened
    assert selectors.unread_count(personas.handler) == 2 and selectors.unread_count(personas.other_handler) == 0
    assert Notification.objects.filter(user=personas.handler, kind="order_opened").count() == 0


def test_yellow_then_red_are_two_announcements(personas):
    appeal = services.dispatch(make_appeal(), by=personas.dispatcher, lead_unit=personas.water)
    appeal.refresh_from_db()
    jobs.cards(appeal.yellow_at + timedelta(minutes=1))
    assert Appeal.objects.get(pk=appeal.pk).card == "yellow"
    assert Notification.objects.filter(appeal=appeal, kind="card_yellow").count() == 2  # the two water users
    jobs.cards(appeal.reply_deadline + timedelta(minutes=1))
    assert Notification.objects.filter(appeal=appeal, kind="card_red").exists()


def test_scheduled_job_runs_through_django_q(personas):
    from django_q.models import Schedule, Success
    from django_q.scheduler import scheduler

    jobs.ensure_schedules()
    jobs.ensure_schedules()  # idempotent
    names = set(Schedule.objects.filter(name__startswith="supervision-").values_list("name", "func"))
    assert names == {(n, f) for n, f, _m in jobs.SCHEDULES}
    appeal = _overdue(personas)
    Schedule.objects.filter(name="supervision-cards").update(next_run=timezone.now() - timedelta(minutes=1))
    Schedule.objects.exclude(name="supervision-cards").update(next_run=timezone.now() + timedelta(hours=1))
    scheduler()
    assert Appeal.objects.get(pk=appeal.pk).card == "red"
    assert Notification.objects.filter(appeal=appeal, kind="card_red").exists()
    assert Success.objects.filter(func="jishiban.supervision.jobs.cards").exists()
    assert Schedule.objects.get(name="supervision-cards").next_run > timezone.now()


def test_in_app_notifications_are_mine_and_can_be_read(personas):
    notify("dispute", "测试通知", users=[personas.supervisor, personas.supervisor])
    assert selectors.unread_count(personas.supervisor) == 1 and selectors.unread_count(personas.leader) == 0
    assert mark_read(personas.leader) == 0
    assert mark_read(personas.supervisor) == 1 and selectors.unread_count(personas.supervisor) == 0


def test_email_transport_sends_once_with_stable_message_id(personas, django_capture_on_commit_callbacks):
    Transport.objects.create(name="邮件", kind="email", kinds=["card_red"])
    personas.handler.email = "water@example.cn"
    personas.handler.save()
    with django_capture_on_commit_callbacks(execute=True):
        _overdue(personas)
        jobs.cards()
    row = Delivery.objects.get()
    assert row.status == "sent" and row.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["water@example.cn"]
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{row.idempotency_key}@jishiban>"
    assert jobs.deliver() == {} and len(mail.outbox) == 1


def test_webhook_fills_the_template_and_sends_the_idempotency_key(personas):
    with Gateway() as gateway:
        _sms(gateway.url, kinds=["callback_link"])
        notify("callback_link", "您的诉求已答复，请评价：\"链接\"", contacts=[(None, "13912345678", "")])
        notify("dispute", "不走短信", users=[personas.supervisor])  # kind not routed to SMS
        assert jobs.deliver() == {"sent": 1}
    row = Delivery.objects.get()
    (request,) = gateway.requests
    assert request["key"] == row.idempotency_key
    message = gateway.messages[row.idempotency_key]
    assert message == {"mobile": "13912345678", "content": "您的诉求已答复，请评价：\"链接\"",
                       "requestId": row.idempotency_key}


def test_failed_delivery_is_retried_with_backoff_then_given_up(personas):
    Preferences.objects.create(pk=1, delivery_max_attempts=3, delivery_backoff_seconds=60)
    now = timezone.now()
    with Gateway(fail_first=10) as gateway:
        _sms(gateway.url)
        notify("dispute", "x", contacts=[(None, "13912345678", "")], now=now)
        assert jobs.deliver(now) == {"retry": 1}
        row = Delivery.objects.get()
        assert row.attempts == 1 and row.next_attempt_at == now + timedelta(seconds=60) and "503" in row.last_error
        assert jobs.deliver(now + timedelta(seconds=30)) == {}  # not yet
        assert jobs.deliver(now + timedelta(seconds=61)) == {"retry": 1}
        row.refresh_from_db()
        assert row.next_attempt_at == now + timedelta(seconds=61 + 120)
        assert jobs.deliver(now + timedelta(seconds=200)) == {"dead": 1}
        assert jobs.deliver(now + timedelta(days=1)) == {}
        assert len(gateway.requests) == 3


def test_retry_succeeds_after_a_gateway_outage(personas):
    now = timezone.now()
    with Gateway(fail_first=1) as gateway:
        _sms(gateway.url)
        notify("dispute", "x", contacts=[(None, "13912345678", "")], now=now)
        jobs.deliver(now)
        assert jobs.deliver(now + timedelta(minutes=2)) == {"sent": 1}
        assert len(gateway.messages) == 1 and Delivery.objects.get().attempts == 2


def test_only_one_worker_claims_a_delivery(personas):
    Transport.objects.create(name="邮件", kind="email")
    notify("dispute", "x", contacts=[(None, "", "a@example.cn")])
    row = Delivery.objects.get()
    prefs = Preferences.current()
    now = timezone.now()
    assert delivery.claim(row.pk, now, prefs) is True
    assert delivery.claim(row.pk, now, prefs) is False  # the second worker
    assert delivery.attempt(row.pk, now=now) == "skipped"


def test_crash_between_sent_and_recorded_never_sends_twice(personas, monkeypatch):
    """GIVEN a message the gateway accepted, WHEN the worker dies before recording it,
    THEN after the lease it is sent again with the same idempotency key, the gateway keeps
    one message, and the row ends up sent."""
    now = timezone.now()
    with Gateway() as gateway:
        _sms(gateway.url)
        notify("card_red", "红牌", contacts=[(None, "13912345678", "")], now=now)
        row = Delivery.objects.get()

        def crash(*args, **kwargs):
            raise SystemExit("worker killed")

        monkeypatch.setattr(delivery, "_record_sent", crash)
        with pytest.raises(SystemExit):
            jobs.deliver(now)
        monkeypatch.undo()
        row.refresh_from_db()
        assert row.status == "sending" and len(gateway.requests) == 1
        lease = Preferences.current().delivery_lease_seconds
        assert jobs.deliver(now + timedelta(seconds=lease - 1)) == {}  # the claim may still be alive
        assert jobs.deliver(now + timedelta(seconds=lease + 1)) == {"sent": 1}
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    assert [r["key"] for r in gateway.requests] == [row.idempotency_key] * 2
    assert len(gateway.messages) == 1
    assert jobs.deliver(now + timedelta(days=1)) == {}


def test_transport_template_is_validated():
    from django.core.exceptions import ValidationError

    transport = Transport(name="x", kind="webhook", url="http://gw.example.cn/", body_template="$mobile $text")
    with pytest.raises(ValidationError):
        transport.full_clean()
    transport.body_template = "$phone ${text}"
    transport.full_clean()
    with pytest.raises(ValidationError):
        Transport(name="y", kind="webhook", url="").clean()
