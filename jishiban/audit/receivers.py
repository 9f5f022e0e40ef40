"""Signal receivers that feed the audit log (connected in ``AuditConfig.ready``).

Logins come from Django's auth signals and django-axes' lockout signal; account, role and
permission changes from the user model's saves and its many-to-many relations; identity
reveals and exports from the rows their own apps write (the audit row links to them).
API tokens and Open311 keys are recorded by their service functions (``api.tokens``,
``open311.keys``), which are the only places that create and revoke them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .models import AuditKind
from .services import record

SCHEDULE_NAME = "jishiban.audit.purge"
# Fields of a user whose change alters what the account may see or do.
WATCHED = ("role", "organisation_id", "region_id", "is_staff", "is_superuser", "is_active")
_WATCHED_NAMES = {name.removesuffix("_id") for name in WATCHED}


def ensure_schedule(app_config=None, using="default", **kwargs) -> None:
    """``post_migrate``: the daily job that removes rows past the retention (idempotent)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name=SCHEDULE_NAME,
        defaults={"func": "jishiban.audit.services.purge", "schedule_type": Schedule.DAILY, "repeats": -1},
    )


def _username(credentials) -> str:
    return str((credentials or {}).get("username") or "")[:150]


def on_login(sender, request, user, **kwargs):
    record(AuditKind.LOGIN, actor=user, request=request, subject=f"用户 {user.get_username()}",
           detail={"path": request.path[:200]} if request is not None else {})


def on_login_failed(sender, credentials, request=None, **kwargs):
    name = _username(credentials)
    record(AuditKind.LOGIN_FAILED, actor=None, actor_name=name, request=request, subject=f"用户 {name}",
           detail={"path": request.path[:200]} if request is not None else {})


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.LOGOUT, actor=user, request=request, subject=f"用户 {user.get_username()}")


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    name = str(username or "")[:150]
    record(AuditKind.LOCKED_OUT, actor=None, actor_name=name, request=request, subject=f"用户 {name}",
           detail={"ip_address": ip_address or ""})


def _values(user) -> dict:
    return {field: getattr(user, field) for field in WATCHED}


def before_user_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    touched = None if update_fields is None else {name.removesuffix("_id") for name in update_fields}
    if raw or instance.pk is None or (touched is not None and not touched & _WATCHED_NAMES):
        return
    instance._audit_before = sender.objects.filter(pk=instance.pk).values(*WATCHED).first()


def after_user_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    now = _values(instance)
    if created:
        record(AuditKind.ACCOUNT_CHANGED, subject=f"用户 {instance.get_username()}",
               detail={"created": True, "after": _plain(now)})
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    changed = {f: (before[f], now[f]) for f in WATCHED if before[f] != now[f]}
    if changed:
        record(AuditKind.ACCOUNT_CHANGED, subject=f"用户 {instance.get_username()}",
               detail={"before": _plain({f: b for f, (b, _a) in changed.items()}),
                       "after": _plain({f: a for f, (_b, a) in changed.items()})})


def _plain(values: dict) -> dict:
    return {key: (value if isinstance(value, bool | int | str) or value is None else str(value))
            for key, value in values.items()}


def _names(model, pk_set) -> list[str]:
    if not pk_set:
        return []
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    if model is get_user_model():
        return sorted(model.objects.filter(pk__in=pk_set).values_list("username", flat=True))
    return sorted(f"{app}.{code}" for app, code in model.objects.filter(pk__in=pk_set)
                  .values_list("content_type__app_label", "codename"))


_CHANGES = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}


def _relation_changed(relation: str):
    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in _CHANGES:
            return
        change = _CHANGES[action]
        if isinstance(instance, Group) and relation == "permissions":
            record(AuditKind.GROUP_CHANGED, subject=f"用户组 {instance.name}",
                   detail={"permissions": {change: _names(model, pk_set)}})
        elif not reverse:
            record(AuditKind.ACCOUNT_CHANGED, subject=f"用户 {instance.get_username()}",
                   detail={relation: {change: _names(model, pk_set)}})
        else:  # from the group's or permission's side: one row per user touched
            for username in _names(get_user_model(), pk_set):
                record(AuditKind.ACCOUNT_CHANGED, subject=f"用户 {username}",
                       detail={relation: {change: [str(instance)]}})
    return receiver


def on_device_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(AuditKind.TWO_FACTOR, subject=f"用户 {instance.user.get_username()}",
               detail={"device": "totp", "added": True, "confirmed": instance.confirmed})


def on_device_deleted(sender, instance, **kwargs):
    record(AuditKind.TWO_FACTOR, subject=f"用户 {instance.user.get_username()}",
           detail={"device": "totp", "removed": True})


def on_reveal(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        appeal = instance.appeal
        record(AuditKind.IDENTITY_REVEAL, actor=instance.user, source=instance,
               subject=f"诉求件 {appeal.number}", detail={"field": instance.field})


def on_export(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        record(AuditKind.EXPORT, actor=getattr(instance, "user", None), source=instance, subject=str(instance))


_connected: list = []


def connect() -> None:
    from axes.signals import user_locked_out
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jishiban.appeals.models import PersonalDataAccess
    from jishiban.intake.models import ExportLog

    user_model = get_user_model()
    uid = "jishiban-audit"
    user_logged_in.connect(on_login, dispatch_uid=f"{uid}-login")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}-login-failed")
    user_logged_out.connect(on_logout, dispatch_uid=f"{uid}-logout")
    user_locked_out.connect(on_locked_out, dispatch_uid=f"{uid}-locked-out")
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid=f"{uid}-user-pre")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid=f"{uid}-user-post")
    for relation, through in (("groups", user_model.groups.through),
                              ("user_permissions", user_model.user_permissions.through),
                              ("permissions", Group.permissions.through)):
        handler = _relation_changed(relation)
        _connected.append(handler)  # signals hold receivers weakly
        m2m_changed.connect(handler, sender=through, dispatch_uid=f"{uid}-m2m-{relation}")
    post_save.connect(on_device_saved, sender=TOTPDevice, dispatch_uid=f"{uid}-totp-saved")
    post_delete.connect(on_device_deleted, sender=TOTPDevice, dispatch_uid=f"{uid}-totp-deleted")
    post_save.connect(on_reveal, sender=PersonalDataAccess, dispatch_uid=f"{uid}-reveal")
    post_save.connect(on_export, sender=ExportLog, dispatch_uid=f"{uid}-export")
