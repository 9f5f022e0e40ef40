"""Write operations of the workbench that combine service calls (taking a call, bulk dispatch,
callback-and-close, replies with attachments, co-handler notes).

Each appeal change still goes through ``jishiban.appeals.services`` or the intake pipeline;
this module only orders the calls and keeps them in one transaction where they belong together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals import services
from jishiban.appeals.errors import AppealError, AppealValidationError
from jishiban.appeals.models import Appeal
from jishiban.intake import attachments as att
from jishiban.intake.pipeline import Citizen, Location, Submission, submit
from jishiban.smart.selectors import draft_duplicates

from .forms.intake import MODE_ANSWER
from .models import CoHandlerNote, SavedFilter

MAX_HINTS = 5


@dataclass
class CallOutcome:
    appeal: Appeal
    created: bool
    answered: bool = False
    duplicates: list = field(default_factory=list)


def take_call(data: dict, *, by, now=None) -> CallOutcome:
    """Store the call as an appeal through the intake pipeline; with ``mode == answer`` close it
    at once (直接办结) inside the pipeline's transaction (``submit(within=…)``): a refused answer
    stores nothing. The duplicates of the new appeal are then read from smart help's index.

    ``data`` is ``IntakeForm.cleaned_data``. Raises ``AppealValidationError`` (field → messages)
    or another ``AppealError``.
    """
    now = now or timezone.now()
    submission = Submission(
        channel=data["channel"], content=data["content"], title=data.get("title") or "",
        citizen=Citizen(name=data.get("citizen_name") or "", phone=data.get("citizen_phone") or "",
                        anonymous=bool(data.get("anonymous")),
                        confidential=True if data.get("confidential") else None),
        location=Location(address=data.get("address") or "", county=data.get("county") or None,
                          town=data.get("town") or None),
        category=data.get("category") or None, appeal_type=data.get("appeal_type") or "consult",
        urgent=bool(data.get("urgent")), extras={"desk": "web"},
    )
    answered = data.get("mode") == MODE_ANSWER

    def answer(appeal):
        # Inside the intake transaction: a refused answer stores nothing.
        services.answer_directly(appeal, by=by, text=data.get("answer_text") or "", at=now,
                                 knowledge=data.get("knowledge"))

    result = submit(submission, by=by, now=now, within=answer if answered else None)
    outcome = CallOutcome(result.appeal, result.created, answered=answered and result.created)
    if result.created:
        # Read after commit from smart help's duplicate index; nothing is held while it looks.
        outcome.duplicates = draft_duplicates(by, text="", exclude=result.appeal, limit=MAX_HINTS)
    return outcome


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (number, message)


def bulk_dispatch(items: list[tuple[int, int]], *, by, unit=None, advisor) -> BulkResult:
    """Dispatch each ``(pk, expected_version)`` to ``unit``, or to its suggested unit when ``unit``
    is None. Each appeal is its own transaction; failures are collected with their reason."""
    result = BulkResult()
    appeals = {a.pk: a for a in Appeal.objects.visible_to(by).filter(pk__in=[pk for pk, _v in items])
               .select_related("category__parent__parent", "county", "town", "channel")}
    if unit is None:
        advisor.prepare(list(appeals.values()))
    for pk, version in items:
        appeal = appeals.get(pk)
        if appeal is None:
            result.failed.append((str(pk), _("不存在或无权查看")))
            continue
        lead, co, explanation = unit, [], ""
        if lead is None:
            suggestion = advisor.suggest(appeal)
            if suggestion is None:
                result.failed.append((appeal.number, _("没有派单建议，请单独选择承办单位")))
                continue
            lead, co, explanation = suggestion["lead"], suggestion["co"], suggestion["explanation"]
        try:
            services.dispatch(appeal, by=by, lead_unit=lead, co_units=co, explanation=explanation,
                              expected_version=version)
        except AppealError as exc:
            result.failed.append((appeal.number, exc.message))
        else:
            result.done.append(appeal)
    return result


def callback_and_close(appeal: Appeal, *, by, satisfaction: str, solved: bool, comment: str = "",
                       close_after: bool = False, expected_version: int) -> Appeal:
    """回访, then 办结 when asked and the citizen is satisfied and the problem solved (the rule of
    the callback desk, ``supervision.services.callbacks.close_if_settled``)."""
    from jishiban.supervision.services.callbacks import close_if_settled

    with transaction.atomic():
        appeal = services.callback(appeal, by=by, satisfaction=satisfaction, solved=solved, comment=comment,
                                   expected_version=expected_version)
        if close_after:
            appeal = close_if_settled(appeal, by=by)
    return appeal


def reply_with_attachments(appeal: Appeal, *, by, files: list, expected_version: int, **fields) -> Appeal:
    """答复 with attachments: the files are checked first, then the reply and the files (linked
    to the reply's event) are written together."""
    return att.with_files(att.uploaded(files), by=by, write=lambda after_event: services.reply(
        appeal, by=by, expected_version=expected_version, after_event=after_event, **fields))


def extension_with_attachments(appeal: Appeal, *, by, files: list, expected_version: int, **fields) -> Appeal:
    """申请延期 with attachments (photos or documents showing why), as the reply."""
    return att.with_files(att.uploaded(files), by=by, write=lambda after_event: services.request_extension(
        appeal, by=by, expected_version=expected_version, after_event=after_event, **fields))


def add_note(appeal: Appeal, *, by, text: str, files: list = ()) -> CoHandlerNote:
    """A unit's note (协办意见 from a co-handler, 办理备注 from the lead unit) with its files: an
    event in the appeal's log (``services.add_unit_note``) and the note row linked to it."""
    text = (text or "").strip()
    if not text:
        raise AppealValidationError({"text": [_("请填写意见内容")]})

    def write(after_event):
        event = services.add_unit_note(appeal, by=by, text=text, after_event=after_event)
        return CoHandlerNote.objects.create(appeal=appeal, unit=by.organisation, author=by, text=text, event=event)

    return att.with_files(att.uploaded(files), by=by, write=write)


# --- Saved list filters ---------------------------------------------------------------------

def save_filter(user, *, name: str, querystring: str) -> SavedFilter:
    """Save (or overwrite, by name) one of ``user``'s list filters."""
    saved, _created = SavedFilter.objects.update_or_create(user=user, name=name.strip(),
                                                           defaults={"querystring": querystring})
    return saved


def delete_filter(saved: SavedFilter) -> None:
    """Delete a saved filter the caller has already found among the user's own."""
    saved.delete()
