"""The portal's writes: hand an appeal in, add to it, rate the reply.

The portal is a channel adapter: a submission becomes an ``intake.pipeline.Submission`` and
goes through ``submit`` like every other channel's; routing and deadlines are decided
downstream. Ratings are callbacks and go through supervision's callback services; messages to
the citizen and to staff go through supervision's ``notify`` (its transports carry SMS).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import services as appeal_services
from jishiban.appeals.errors import ActionNotAllowed, AppealError, AppealValidationError
from jishiban.appeals.models import Appeal, AppealEvent, Status
from jishiban.appeals.workflow import OPEN_STATES
from jishiban.intake.attachments import check_files, discard, store
from jishiban.intake.pipeline import Citizen, Location, Submission, submit
from jishiban.supervision import links
from jishiban.supervision.models import CallbackStatus, Kind, Preferences
from jishiban.supervision.notifications import centre_staff, notify, unit_members
from jishiban.supervision.services import callbacks
from jishiban.supervision.services.common import system_user

from . import codes, conf
from .models import Ticket

log = logging.getLogger("jishiban.portal")

# Notification kinds raised by the portal (supervision's transports choose by kind).
RECEIPT = Kind.PORTAL_RECEIPT
CITIZEN_ADDED = Kind.CITIZEN_ADDED
# The event a citizen's addition leaves on the appeal (no change of state).
ADD_ACTION = "citizen-add"
SOLVED_ANSWERS = {"yes": True, "no": False, "partly": False}


@dataclass
class Handed:
    appeal: Appeal
    created: bool
    code: str
    merged: bool = False  # merged at once into the same caller's earlier, still open appeal


def submit_appeal(*, key: str, content: str, appeal_type: str, category: str | None, address: str,
                  county: str | None, town: str | None, name: str, phone: str, anonymous: bool,
                  confidential: bool, publish: bool, photos: list, user=None, lat=None, lon=None,
                  now=None) -> Handed:
    """Hand in a citizen's appeal once per ``key`` (the form's idempotency key).

    A retry with the same key returns the stored appeal and the same query code, writes nothing
    and sends nothing. Raises ``AppealValidationError`` (nothing written) on bad input.
    """
    now = now or timezone.now()
    if not codes.KEY.match(key or ""):
        raise AppealValidationError({"key": [_("页面已过期，请刷新后重新提交")]})
    code = codes.code_for(settings.SECRET_KEY, key)
    earlier = None if anonymous or already_handed_in(key) else earlier_same_matter(
        content=content, phone=phone, address=address, now=now)
    submission = Submission(
        channel=conf.CHANNEL, content=content, external_id=key, appeal_type=appeal_type, category=category or None,
        citizen=Citizen(name="" if anonymous else name, phone="" if anonymous else phone, anonymous=anonymous,
                        confidential=confidential, user=user),
        location=Location(address=address, lat=lat, lon=lon, county=county or None, town=town or None),
        attachments=photos,
    )

    def within(appeal: Appeal) -> None:
        Ticket.objects.create(appeal=appeal, code_digest=codes.digest(settings.SECRET_KEY, code),
                              publish=publish and not appeal.confidential, consent_at=now)
        text = _("【济时办】您的诉求已受理，编号 %(number)s，查询码 %(code)s，可在济时办“查询进度”中查看办理情况。") % {
            "number": appeal.number, "code": code}
        if earlier is not None:
            text += _("与您此前提交的相同诉求合并办理，答复后一并告知。")
        _tell_citizen(appeal, text, now=now)

    result = submit(submission, now=now, within=within)
    merged = result.created and earlier is not None and _merge_into(result.appeal, earlier, now=now)
    return Handed(Appeal.objects.get(pk=result.appeal.pk) if merged else result.appeal, result.created, code,
                  merged=merged)


def earlier_same_matter(*, content: str, phone: str, address: str, now) -> Appeal | None:
    """The same caller's earlier appeal about the same matter that is still being handled, as
    smart help's duplicate index finds it (``smart.selectors.draft_duplicates``, read as the
    system account so that confidential appeals count too), or ``None``. Only a "duplicate"
    from the same phone: a similar matter from someone else is for the dispatcher to judge."""
    from jishiban.intake.pipeline import normalise_phone
    from jishiban.smart.selectors import draft_duplicates

    phone = normalise_phone(phone or "")
    if not conf.get("MERGE_DUPLICATES") or not phone:
        return None
    for hint in draft_duplicates(system_user(), text=content, phone=phone, address=address, now=now, limit=5):
        if hint.relation == "duplicate" and hint.same_caller and hint.candidate.status in OPEN_STATES \
                and hint.candidate.citizen_phone == phone:
            return hint.candidate
    return None


def _merge_into(appeal: Appeal, earlier: Appeal, *, now) -> bool:
    """并单 the repeat submission into the earlier appeal (the workflow's ``merge``, as the system
    account): one appeal in the unit's hands, and this one hears its answer. A refusal (the
    earlier one changed meanwhile) leaves two appeals for the dispatcher, never an error."""
    try:
        appeal_services.merge(appeal, by=system_user(), into=Appeal.objects.get(pk=earlier.pk),
                              reason=_("同一诉求人重复提交的相同诉求，提交时自动并单"), at=now)
    except AppealError as exc:
        log.info("repeat submission %s not merged into %s: %s", appeal.number, earlier.number, exc)
        return False
    return True


def already_handed_in(key: str) -> bool:
    """Whether a submission with this key is stored (its retry writes nothing, so no limit applies)."""
    return bool(codes.KEY.match(key or "")) and Appeal.objects.filter(channel__code=conf.CHANNEL,
                                                                      external_id=key).exists()


def _tell_citizen(appeal: Appeal, text: str, *, now) -> None:
    """SMS (and in-app for an account) through supervision's transports; the demo logs it."""
    if not appeal.citizen_phone and not appeal.citizen_user_id:
        return
    notify(RECEIPT, text, contacts=[(appeal.citizen_user, appeal.citizen_phone, "")], appeal=appeal, now=now)
    tail = appeal.citizen_phone[-4:] if appeal.citizen_phone else ""
    log.info("message to the citizen of %s (phone …%s): %s", appeal.number, tail, text)


def find_by_code(code: str) -> Appeal | None:
    """The appeal a query code names, or ``None`` (a malformed code names none)."""
    code = codes.normalise(code)
    if not code:
        return None
    ticket = (Ticket.objects.select_related("appeal").filter(code_digest=codes.digest(settings.SECRET_KEY, code))
              .first())
    return ticket.appeal if ticket else None


# --- adding information ------------------------------------------------------------------------

def add_information(appeal: Appeal, *, text: str, photos: list, now=None) -> AppealEvent:
    """The citizen adds words and/or photos to an open appeal: an event on the appeal (its
    attachments stored with it) and a notification in the handling unit's inbox (the centre's
    while no unit holds it). Raises ``ActionNotAllowed`` once the appeal is answered."""
    now = now or timezone.now()
    appeal = Appeal.objects.get(pk=appeal.pk)
    if appeal.status not in OPEN_STATES:
        raise ActionNotAllowed(_("该诉求已答复或已结束，不能再补充；如有新的问题，请重新提交诉求"))
    text = (text or "").strip()
    if not text and not photos:
        raise AppealValidationError({"text": [_("请填写补充内容或选择照片")]})
    if len(text) > 2000:
        raise AppealValidationError({"text": [_("补充内容过长（最多 2000 字）")]})
    checked, problems = check_files(photos)
    if problems:
        raise AppealValidationError({"photos": problems})
    stored: list[str] = []
    try:
        with transaction.atomic():
            rows = store(appeal, checked, stored=stored)
            event = appeal_services.add_citizen_information(
                appeal, action=ADD_ACTION, text=text, attachments=[r.pk for r in rows], via=conf.CHANNEL, at=now)
            staff = unit_members(appeal.lead_unit) if appeal.lead_unit_id else centre_staff(appeal, "both")
            summary = text[:80] or _("%(n)d 张照片") % {"n": len(rows)}
            notify(CITIZEN_ADDED, _("诉求件 %(number)s 的诉求人补充了信息：%(text)s") % {
                "number": appeal.number, "text": summary}, users=staff, appeal=appeal, url=links.appeal(appeal),
                now=now)
    except BaseException:
        discard(stored)
        raise
    return event


# --- withdrawing (撤回) ---------------------------------------------------------------------------

def citizen_actor(appeal: Appeal):
    """Whom a citizen's act on ``appeal`` is recorded as: the citizen's own account when the
    appeal has one, else the system account (a visitor who holds the query code), as the
    callback link does."""
    citizen = appeal.citizen_user
    return citizen if citizen is not None and citizen.is_active else system_user()


def withdraw(appeal: Appeal, *, reason: str = "", origin: dict | None = None, now=None) -> Appeal:
    """The citizen withdraws an appeal that is not answered yet: the workflow's ``withdraw``
    (final; counted as withdrawn, never as invalid, and never published); the unit holding it
    is told by supervision's reaction. Raises ``ActionNotAllowed`` once it is answered."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_related("citizen_user", "lead_unit").get(pk=appeal.pk)
    if appeal.status not in OPEN_STATES:
        raise ActionNotAllowed(_("该诉求已答复或已结束，不能撤回"))
    return appeal_services.withdraw(appeal, by=citizen_actor(appeal), reason=(reason or "").strip(),
                                    origin={**(origin or {}), "via": "portal"}, at=now)


# --- rating the reply (回访) --------------------------------------------------------------------

def rating_days() -> int:
    days = conf.get("RATING_DAYS")
    return int(days) if days is not None else Preferences.current().callback_link_days


def may_rate(appeal: Appeal, *, now=None) -> str:
    """``""`` when the citizen may rate ``appeal`` now, else the reason why not (in Chinese)."""
    now = now or timezone.now()
    if appeal.status == Status.CALLBACK_DONE or (appeal.status == Status.CLOSED and appeal.satisfaction):
        return _("您已评价过本次答复，感谢您的反馈")
    if appeal.status != Status.REPLIED:
        return _("诉求答复后才能评价")
    if appeal.replied_at and now > appeal.replied_at + timedelta(days=rating_days()):
        return _("评价期限（答复后 %(n)d 天）已过，如仍有问题请拨打 12345") % {"n": rating_days()}
    return ""


def rate(appeal: Appeal, *, solved: str, satisfaction: str, comment: str = "", origin: dict | None = None,
         now=None):
    """The citizen's verdict on the reply, once per reply and within the window: recorded as the
    callback through supervision's link service, so a dissatisfied or unsolved verdict takes the
    same path as one taken by phone (the supervisors' decision: reopen, supervise or close)."""
    now = now or timezone.now()
    appeal = Appeal.objects.get(pk=appeal.pk)
    if solved not in SOLVED_ANSWERS:
        raise AppealValidationError({"solved": [_("请选择问题是否解决")]})
    refusal = may_rate(appeal, now=now)
    if refusal:
        raise ActionNotAllowed(refusal)
    task, _created = callbacks.ensure_task(appeal, now=now)
    if task.status != CallbackStatus.PENDING:
        raise ActionNotAllowed(_("您已评价过本次答复，感谢您的反馈"))
    comment = (comment or "").strip()
    if solved == "partly":
        comment = _("部分解决。") + comment
    return callbacks.submit_link(callbacks.link_token(task), satisfaction=satisfaction, solved=SOLVED_ANSWERS[solved],
                                 comment=comment, origin={**(origin or {}), "via": "portal", "solved": solved},
                                 now=now)


# --- citizen accounts by phone, saved addresses --------------------------------------------------

MAX_ADDRESSES = 10


def citizen_account(phone: str):
    """The citizen account of a phone number the citizen has just proved by a one-time code,
    made on first sign-in (a citizen only: a staff member's number never opens a staff account
    here). It has no password; the code is the way in."""
    from django.contrib.auth import get_user_model

    from jishiban.accounts.models import Role

    User = get_user_model()
    user = User.objects.filter(role=Role.CITIZEN, phone=phone, is_active=True).order_by("pk").first()
    if user is None:
        user = User(username=f"citizen-{phone}", role=Role.CITIZEN, phone=phone, is_active=True)
        user.set_unusable_password()
        user.save()
    return user


def save_address(user, *, label: str, address: str, county: str | None = None, town: str | None = None):
    """Keep a place for ``user``'s next submissions (at most ``MAX_ADDRESSES``)."""
    from jishiban.regions.models import Region, RegionLevel

    from .models import SavedAddress

    label, address, errors = (label or "").strip(), (address or "").strip(), {}
    if not label:
        errors["label"] = [_("请填写名称，如：家、单位")]
    if not address:
        errors["address"] = [_("请填写地址")]
    if SavedAddress.objects.filter(user=user).count() >= MAX_ADDRESSES:
        errors["label"] = [_("最多保存 %(n)d 个常用地址，请先删除不用的") % {"n": MAX_ADDRESSES}]
    county_row = Region.objects.filter(level=RegionLevel.COUNTY, code=county).first() if county else None
    town_row = Region.objects.filter(level=RegionLevel.TOWN, code=town, parent=county_row).first() \
        if town and county_row else None
    if errors:
        raise AppealValidationError(errors)
    return SavedAddress.objects.create(user=user, label=label[:20], address=address[:300], county=county_row,
                                       town=town_row)


def delete_address(user, pk: int) -> bool:
    from .models import SavedAddress

    return SavedAddress.objects.filter(user=user, pk=pk).delete()[0] > 0
