"""The audit log: what it records, who it names, how an admin finds a row, how long rows stay."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from jishiban.accounts.models import User
from jishiban.appeals.privacy import reveal
from jishiban.audit.models import AuditEvent, AuditKind
from jishiban.audit.services import purge, record
from jishiban.testing import make_appeal, make_user


@pytest.fixture
def admin_client(personas):
    client = Client(REMOTE_ADDR="10.2.3.4")
    client.force_login(personas.admin)
    return client


def _rows(kind, **filters):
    return list(AuditEvent.objects.filter(kind=kind, **filters))


@pytest.mark.django_db
def test_a_role_change_in_the_admin_names_who_changed_what(personas, admin_client):
    user = personas.handler
    AuditEvent.objects.all().delete()
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: field.value() if not isinstance(field.value(), list) else field.value()
            for name, field in ((n, form[n]) for n in form.fields) if field.value() is not None}
    data.update({"role": "dept_head", "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
                 "date_joined_1": user.date_joined.strftime("%H:%M:%S")})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = _rows(AuditKind.ACCOUNT_CHANGED, subject=f"用户 {user.username}", detail__after__role="dept_head")[0]
    assert row.actor == personas.admin and row.ip == "10.2.3.4"
    assert row.detail["before"] == {"role": "handler"}


@pytest.mark.django_db
def test_groups_and_permissions_changes_are_recorded_from_either_side(personas):
    group = Group.objects.create(name="督办组")
    personas.analyst.groups.add(group)
    group.user_set.remove(personas.analyst)
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="view_appeal"))
    account_rows = _rows(AuditKind.ACCOUNT_CHANGED, subject="用户 analyst")
    assert {"groups": {"added": ["督办组"]}} in [r.detail for r in account_rows]
    assert {"groups": {"removed": ["督办组"]}} in [r.detail for r in account_rows]
    assert _rows(AuditKind.GROUP_CHANGED, subject="用户组 督办组")[0].detail == {
        "permissions": {"added": ["appeals.view_appeal"]}}


@pytest.mark.django_db
def test_a_login_only_update_is_not_an_account_change(personas):
    before = AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_CHANGED).count()
    user = personas.operator
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    user.first_name = "小王"
    user.save()
    assert AuditEvent.objects.filter(kind=AuditKind.ACCOUNT_CHANGED).count() == before


@pytest.mark.django_db
def test_token_and_key_creation_and_revocation_are_recorded(personas):
    from jishiban.api.models import ApiToken
    from jishiban.api.tokens import create_token, revoke
    from jishiban.channels.models import Channel
    from jishiban.open311 import keys

    row, _token = create_token(personas.operator, name="微信公众号")
    created = _rows(AuditKind.TOKEN_CREATED, subject=f"接口令牌 {row.prefix}…")[0]
    assert created.detail["holder"] == "operator" and created.source_id == row.pk
    assert revoke(ApiToken.objects.filter(pk=row.pk)) == 1
    assert revoke(ApiToken.objects.filter(pk=row.pk)) == 0  # already revoked: recorded once
    assert len(_rows(AuditKind.TOKEN_REVOKED, subject=f"接口令牌 {row.prefix}…")) == 1

    key, _raw = keys.create_key(channel=Channel.objects.get(code="12345-web"), name="城市App")
    assert _rows(AuditKind.TOKEN_CREATED, subject=f"Open311 密钥 {key.prefix}")
    keys.revoke_key(key.prefix)
    assert _rows(AuditKind.TOKEN_REVOKED, subject=f"Open311 密钥 {key.prefix}")


@pytest.mark.django_db
def test_identity_reveals_and_exports_link_to_their_own_records(personas):
    from jishiban.appeals.models import PersonalDataAccess
    from jishiban.intake.models import ExportLog

    appeal = make_appeal()
    reveal(personas.supervisor, appeal, "citizen_phone")
    access = PersonalDataAccess.objects.get()
    row = _rows(AuditKind.IDENTITY_REVEAL)[0]
    assert row.actor == personas.supervisor and row.subject == f"诉求件 {appeal.number}"
    assert (row.source_type.model, row.source_id) == ("personaldataaccess", access.pk)

    # Exports write their own log row (intake.ExportLog); the audit row points at it.
    log = ExportLog.objects.create(user=personas.supervisor, via="web", format="csv", row_count=3)
    exported = _rows(AuditKind.EXPORT)[0]
    assert exported.actor == personas.supervisor and exported.source_id == log.pk


@pytest.mark.django_db
def test_an_admin_finds_rows_by_account_and_follows_the_link(personas, admin_client):
    appeal = make_appeal()
    reveal(personas.supervisor, appeal, "citizen_phone")
    record(AuditKind.LOGIN_FAILED, actor=None, actor_name="mallory", subject="用户 mallory")
    page = admin_client.get("/admin/audit/auditevent/", {"q": "mallory"})
    text = page.content.decode()
    assert page.status_code == 200 and "mallory" in text and appeal.number not in text
    page = admin_client.get("/admin/audit/auditevent/", {"q": appeal.number, "kind__exact": "identity_reveal"})
    assert "/admin/appeals/personaldataaccess/" in page.content.decode()
    # Nobody edits or deletes the log, not even an administrator.
    row = AuditEvent.objects.filter(actor_name="mallory").get()
    assert admin_client.post(f"/admin/audit/auditevent/{row.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.django_db
def test_users_without_the_permission_do_not_see_the_log(personas):
    client = Client()
    client.force_login(personas.dispatcher)
    assert client.get("/admin/audit/auditevent/").status_code in (302, 403)


@pytest.mark.django_db
def test_rows_older_than_the_retention_are_purged(settings, reference_data):
    settings.JISHIBAN_AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = record(AuditKind.LOGIN, actor=None, actor_name="old")
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=31))
    kept = record(AuditKind.LOGIN, actor=None, actor_name="kept")
    AuditEvent.objects.filter(pk=kept.pk).update(at=now - timedelta(days=29))
    AuditEvent.objects.exclude(pk__in=(old.pk, kept.pk)).update(at=now)  # what the set-up recorded stays
    assert purge(now=now) == 1
    assert list(AuditEvent.objects.filter(pk__in=(old.pk, kept.pk)).values_list("actor_name", flat=True)) == ["kept"]


@pytest.mark.django_db
def test_the_purge_runs_daily():
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="jishiban.audit.services.purge", schedule_type=Schedule.DAILY).exists()


@pytest.mark.django_db
def test_a_new_user_is_recorded(reference_data):
    user = make_user("newcomer", "operator", org="centre-city")
    row = _rows(AuditKind.ACCOUNT_CHANGED, subject="用户 newcomer")[0]
    assert row.detail["created"] and row.detail["after"]["role"] == "operator"
    assert User.objects.get(pk=user.pk)
