"""The one write path of the knowledge base: entries and their versions, reviews, uses, phrases.

Every edit of an entry writes a new ``EntryVersion`` and rebuilds its search terms in one
transaction. Who may maintain an entry is the role policy's ``may_maintain_knowledge`` (the
owner unit's staff and the centre's supervisors). Errors are the appeal workflow's
(``ActionForbidden``, ``AppealValidationError``) so every interface maps them the same way.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.accounts.policy import may_maintain_knowledge
from jishiban.appeals.errors import ActionForbidden, AppealValidationError

from . import text as kt
from .models import Entry, EntryKind, EntryTerm, EntryUse, EntryVersion, Phrase, PhrasePurpose

MAX_TITLE, MAX_BODY, MAX_NOTE = 200, 5000, 200
REVIEW_DAYS = (7, 730)


def _clean(title: str, body: str, kind: str, review_days, owner_unit) -> dict:
    errors: dict[str, list[str]] = {}
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        errors["title"] = [_("请填写标题")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("标题不能超过 %(n)d 字") % {"n": MAX_TITLE}]
    if not body:
        errors["body"] = [_("请填写内容")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("内容不能超过 %(n)d 字") % {"n": MAX_BODY}]
    if kind not in EntryKind.values:
        errors["kind"] = [_("请选择条目类型")]
    try:
        days = int(review_days)
    except (TypeError, ValueError):
        days = 0
    if not REVIEW_DAYS[0] <= days <= REVIEW_DAYS[1]:
        errors["review_days"] = [_("复核周期须为 %(a)d～%(b)d 天") % {"a": REVIEW_DAYS[0], "b": REVIEW_DAYS[1]}]
    if owner_unit is None:
        errors["owner_unit"] = [_("请选择维护单位")]
    elif owner_unit.is_centre:
        errors["owner_unit"] = [_("维护单位须为承办单位")]
    if errors:
        raise AppealValidationError(errors)
    return {"title": title, "body": body, "kind": kind, "review_days": days}


def _index(entry: Entry) -> None:
    category = " ".join(entry.category.path_names) if entry.category_id else ""
    EntryTerm.objects.filter(entry=entry).delete()
    EntryTerm.objects.bulk_create([EntryTerm(entry=entry, term=term, weight=weight)
                                   for term, weight in kt.weighted_terms(entry.title, entry.body, category).items()])


def _due(now, days: int) -> dt.date:
    return timezone.localdate(now) + dt.timedelta(days=days)


def create_entry(*, by, title: str, body: str, owner_unit, kind: str = EntryKind.POLICY, category=None,
                 region=None, review_days=180, note: str = "", now=None) -> Entry:
    """A new entry (version 1). ``by=None`` is the demo loader or an import."""
    now = now or timezone.now()
    if by is not None and not may_maintain_knowledge(by, owner_unit=owner_unit):
        raise ActionForbidden(_("您只能为本单位新建知识条目"))
    values = _clean(title, body, kind, review_days, owner_unit)
    with transaction.atomic():
        entry = Entry.objects.create(**values, category=category, region=region, owner_unit=owner_unit, version=1,
                                     review_due=_due(now, values["review_days"]), reviewed_at=now,
                                     created_at=now, updated_at=now)
        EntryVersion.objects.create(entry=entry, number=1, title=entry.title, body=entry.body,
                                    note=(note or _("新建"))[:MAX_NOTE], edited_by=by, edited_at=now)
        _index(entry)
    return entry


def edit_entry(entry: Entry, *, by, title: str, body: str, note: str = "", kind: str | None = None,
               category=..., region=..., review_days=None, expected_version: int | None = None,
               now=None) -> Entry:
    """A new version of ``entry``; its review date starts again. A stale ``expected_version``
    (someone else edited first) is refused with the field error on ``body``, nothing written."""
    now = now or timezone.now()
    if not may_maintain_knowledge(by, owner_unit=entry.owner_unit):
        raise ActionForbidden(_("只有维护单位和督办人员可以修改此条目"))
    values = _clean(title, body, kind or entry.kind, review_days or entry.review_days, entry.owner_unit)
    unchanged = all(values[f] == getattr(entry, f) for f in values) and category is ... and region is ...
    if unchanged:
        raise AppealValidationError({"body": [_("内容没有变化；如仍然有效，请点“确认仍有效”")]})
    version = entry.version if expected_version is None else int(expected_version)
    changes = {**values, "version": version + 1, "updated_at": now, "reviewed_at": now,
               "review_due": _due(now, values["review_days"])}
    if category is not ...:
        changes["category"] = category
    if region is not ...:
        changes["region"] = region
    try:
        with transaction.atomic():
            if Entry.objects.filter(pk=entry.pk, version=version).update(**changes) != 1:
                raise AppealValidationError({"body": [_("该条目已被他人修改（现为第%(v)s版），请刷新后再改")
                                                      % {"v": Entry.objects.get(pk=entry.pk).version}]})
            for field, value in changes.items():
                setattr(entry, field, value)
            EntryVersion.objects.create(entry=entry, number=entry.version, title=entry.title, body=entry.body,
                                        note=(note or "").strip()[:MAX_NOTE], edited_by=by, edited_at=now)
            _index(entry)
    except IntegrityError as exc:  # the same version number written at once by two editors
        raise AppealValidationError({"body": [_("该条目已被他人修改，请刷新后再改")]}) from exc
    return entry


def confirm_current(entry: Entry, *, by, now=None) -> Entry:
    """复核: the owner confirms the entry is still right; its review date starts again."""
    now = now or timezone.now()
    if not may_maintain_knowledge(by, owner_unit=entry.owner_unit):
        raise ActionForbidden(_("只有维护单位和督办人员可以复核此条目"))
    due = _due(now, entry.review_days)
    Entry.objects.filter(pk=entry.pk).update(reviewed_at=now, review_due=due)
    entry.reviewed_at, entry.review_due = now, due
    return entry


def set_active(entry: Entry, *, by, active: bool, now=None) -> Entry:
    if not may_maintain_knowledge(by, owner_unit=entry.owner_unit):
        raise ActionForbidden(_("只有维护单位和督办人员可以停用此条目"))
    Entry.objects.filter(pk=entry.pk).update(is_active=active, updated_at=now or timezone.now())
    entry.is_active = active
    return entry


def record_use(*, entry_id: int, version: int, appeal, by, at) -> EntryUse | None:
    """An appeal answered quoting the entry (inside the answer's transaction, from the
    receiver of its event). Recorded once per appeal and entry."""
    if not Entry.objects.filter(pk=entry_id).exists():
        return None
    use, _created = EntryUse.objects.get_or_create(entry_id=entry_id, appeal=appeal,
                                                   defaults={"version": version, "by": by, "at": at})
    return use


def quote(entry: Entry, lead: str = "") -> str:
    """The answer text of a 直接办结 with ``entry``: the operator's own words (if any), then the
    entry quoted with its reference."""
    quoted = _("【%(ref)s·%(title)s】%(body)s") % {"ref": entry.reference, "title": entry.title, "body": entry.body}
    lead = (lead or "").strip()
    return f"{lead}\n{quoted}" if lead else quoted


def create_phrase(*, purpose: str, text: str, category=None, sort: int = 0) -> Phrase:
    """A stock phrase; maintained in the admin or loaded with the demo."""
    if purpose not in PhrasePurpose.values or not (text or "").strip():
        raise AppealValidationError({"text": [_("请填写常用语内容和用途")]})
    return Phrase.objects.create(purpose=purpose, text=text.strip(), category=category, sort=sort)
