"""Signing in: password guessing is locked out per account and per address, the admin unlocks,
two-step verification is asked for when turned on, staff passwords follow the staff policy,
and an idle session ends."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from jishiban.audit.models import AuditEvent, AuditKind
from jishiban.testing import make_user

PASSWORD = "pw-for-tests-only"
LIMIT = 5


def _attempt(username, password, ip="10.0.0.1", client=None):
    client = client or Client(REMOTE_ADDR=ip)
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def staff(reference_data):
    return make_user("dispatcher", "dispatcher", org="centre-city")


@pytest.mark.django_db
def test_right_password_signs_in_and_is_logged(staff):
    response = _attempt("dispatcher", PASSWORD)
    assert response.status_code == 302
    row = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert row.actor == staff and row.ip == "10.0.0.1"


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_with_the_right_password(staff):
    for n in range(LIMIT):
        response = _attempt("dispatcher", f"wrong-{n}", ip=f"10.0.1.{n}")  # from ever other addresses
    assert response.status_code == 429
    locked = _attempt("dispatcher", PASSWORD, ip="10.0.2.1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    assert "_auth_user_id" not in locked.client.session
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, actor_name="dispatcher").count() >= LIMIT
    assert AuditEvent.objects.filter(kind=AuditKind.LOCKED_OUT, actor_name="dispatcher").exists()


@pytest.mark.django_db
def test_repeated_failures_from_one_address_lock_that_address_for_every_account(staff):
    make_user("supervisor", "supervisor", org="centre-city")
    for n in range(LIMIT):
        _attempt(f"guess{n}", "wrong", ip="10.9.9.9")
    assert _attempt("supervisor", PASSWORD, ip="10.9.9.9").status_code == 429
    assert _attempt("supervisor", PASSWORD, ip="10.9.9.10").status_code == 302


@pytest.mark.django_db
def test_an_admin_unlocks_and_the_unlock_is_logged(staff):
    admin_user = make_user("root", "admin", is_staff=True, is_superuser=True)
    for n in range(LIMIT):
        _attempt("dispatcher", f"wrong-{n}")
    assert _attempt("dispatcher", PASSWORD).status_code == 429
    admin = Client(REMOTE_ADDR="10.1.1.1")
    admin.force_login(admin_user)
    from axes.models import AccessAttempt

    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="dispatcher").values_list("pk", flat=True)]
    response = admin.post("/admin/audit/loginlockout/", {"action": "unlock", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="dispatcher").exists()
    assert _attempt("dispatcher", PASSWORD).status_code == 302
    unlocked = AuditEvent.objects.get(kind=AuditKind.UNLOCKED)
    assert unlocked.actor == admin_user and "dispatcher" in unlocked.subject


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_same_page(staff):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/admin/")
    # A signed-in user the admin refuses sees the form instead of a redirect loop.
    client = Client()
    client.force_login(make_user("grid", "grid_worker"))
    assert client.get("/accounts/login/?next=/admin/").status_code == 200


def _enable_two_factor(client) -> bytes:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert client.post("/accounts/two-factor/", {"action": "start"}).status_code == 302
    page = client.get("/accounts/two-factor/")
    assert b"data:image/svg+xml;base64," in page.content and b"totp-secret" in page.content
    device = TOTPDevice.objects.get()
    wrong = client.post("/accounts/two-factor/", {"action": "confirm", "otp_token": "000000"}, follow=True)
    assert "不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()
    client.post("/accounts/two-factor/", {"action": "confirm", "otp_token": f"{totp(device.bin_key):06d}"})
    device.refresh_from_db()
    assert device.confirmed
    return device.bin_key


@pytest.mark.django_db
def test_two_step_verification_once_on_is_asked_for_at_every_sign_in(staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(staff)
    key = _enable_two_factor(client)
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR, detail__confirmed=True).exists()

    without = _attempt("dispatcher", PASSWORD)
    assert without.status_code == 200 and "动态验证码" in without.content.decode()
    assert "_auth_user_id" not in without.client.session
    wrong = Client().post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD, "otp_token": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in wrong.client.session
    # A wrong or missing code counts as a failed login for the lockout.
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, actor_name="dispatcher").count() == 2

    # A code is accepted once (replay protection): forget the step used to confirm the device.
    TOTPDevice.objects.update(last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = Client().post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD,
                                            "otp_token": f"{totp(key):06d}"})
    assert ok.status_code == 302 and "_auth_user_id" in ok.client.session


@pytest.mark.django_db
def test_two_step_verification_is_off_limits_to_citizens(reference_data):
    client = Client()
    client.force_login(make_user("citizen", "citizen"))
    assert client.get("/accounts/two-factor/")["Location"] == "/portal/"  # citizens stay in the portal


@pytest.mark.django_db
def test_turning_two_step_verification_off_needs_a_current_code(staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(staff)
    key = _enable_two_factor(client)
    client.post("/accounts/two-factor/", {"action": "disable", "otp_token": "000000"})
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    TOTPDevice.objects.update(last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None)
    client.post("/accounts/two-factor/", {"action": "disable", "otp_token": f"{totp(key):06d}"})
    assert not TOTPDevice.objects.exists()
    assert AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR, detail__removed=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "password", "accepted"), [
    ("dispatcher", "Jining12345!", True),
    ("dispatcher", "jining-hotline", False),      # long enough, only two kinds of characters
    ("dispatcher", "Jn12345!", False),            # three kinds, too short for staff
    ("citizen", "liangshan88", True),             # citizens: Django's rules only
    ("citizen", "12345678", False),               # all digits
])
def test_staff_passwords_follow_the_staff_policy(reference_data, role, password, accepted):
    user = make_user(f"u-{role}", role)
    if accepted:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


@pytest.mark.django_db
def test_an_idle_session_ends_and_a_busy_one_slides(staff, settings):
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(staff)
    key = client.session.session_key
    expires = Session.objects.get(session_key=key).expire_date
    assert abs((expires - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    # Within the minute nothing is written again; after it, the expiry moves on.
    assert client.get("/appeals/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == expires
    session = client.session
    session["_seen"] = int(time.time()) - 120
    session.save()
    slid = client.get("/appeals/")
    assert Session.objects.get(session_key=key).expire_date > expires
    assert slid.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE
    # Past the idle time the session is gone: back to the login page.
    Session.objects.filter(session_key=key).update(expire_date=expires.replace(year=2000))
    assert client.get("/appeals/")["Location"].startswith("/accounts/login/")
