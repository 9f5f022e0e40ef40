"""The workflow actions as the workbench offers them: label, form and the service call.

``perform`` is the only place where a posted action form turns into a service call; the detail
page, the inbox and the queues all post here (``views.act.act``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jishiban.appeals import services
from jishiban.appeals.workflow import Action

from . import services as web_services
from .forms import action_forms as f


@dataclass(frozen=True)
class ActionSpec:
    label: str
    form: type
    style: str = ""  # button style: primary / danger
    confirm: str = ""


ACTIONS: dict[str, ActionSpec] = {
    Action.ACCEPT: ActionSpec(_("签收"), f.AcceptForm, "primary"),
    Action.REPLY: ActionSpec(_("答复"), f.ReplyForm, "primary"),
    Action.REQUEST_EXTENSION: ActionSpec(_("申请延期"), f.ExtensionForm),
    Action.DISPATCH: ActionSpec(_("派单"), f.DispatchForm, "primary"),
    Action.ANSWER: ActionSpec(_("直接办结"), f.AnswerForm),
    Action.MERGE: ActionSpec(_("并单"), f.MergeForm),
    Action.INVALIDATE: ActionSpec(_("作废（无效件）"), f.InvalidateForm, "danger"),
    Action.DECIDE_EXTENSION: ActionSpec(_("审批延期"), f.DecideExtensionForm, "primary"),
    Action.CALLBACK: ActionSpec(_("回访"), f.CallbackForm, "primary"),
    Action.CLOSE: ActionSpec(_("办结"), f.CloseForm),
    Action.REOPEN: ActionSpec(_("重办"), f.ReopenForm, "danger"),
    Action.WITHDRAW: ActionSpec(_("撤回（诉求人要求）"), f.WithdrawForm, "danger"),
    # 退单审核: a unit's 退单 is always a request; the centre's desk reviews it in one form, which
    # approves (the ``return``, no form of its own) or rejects.
    Action.REQUEST_RETURN: ActionSpec(_("申请退单"), f.ReturnForm, "danger"),
    Action.REJECT_RETURN: ActionSpec(_("退单审核"), f.ReviewReturnForm, "primary"),
}

# Labels of every event action for the timeline (receive is not an action a user takes here).
EVENT_LABELS = {Action.RECEIVE: _("受理"), **{k: v.label for k, v in ACTIONS.items()}}
EVENT_LABELS[Action.DISPATCH] = _("派单")
EVENT_LABELS[Action.INVALIDATE] = _("作废")
EVENT_LABELS[Action.PARENT_RESULT] = _("随主件答复")
EVENT_LABELS[Action.WITHDRAW] = _("撤回")
EVENT_LABELS["citizen-add"] = _("群众补充信息")  # the portal's and Open311's addition (no change of state)
EVENT_LABELS[services.NOTE] = _("办理备注")  # the lead unit's note (no change of state)
EVENT_LABELS[services.CO_PART] = _("协办意见")  # a co-handling unit's part (no change of state)
EVENT_LABELS["grid-report"] = _("网格员现场反馈")  # a grid worker's task result (no change of state)
EVENT_LABELS[Action.REJECT_RETURN] = _("驳回退单")
EVENT_LABELS[Action.RETURN] = _("退单")  # the approved return


def offered(actions) -> list[str]:
    """The actions the workbench offers of those allowed: the reviewer's approval of a return is
    part of the review form (``reject-return``), so the bare ``return`` is not offered beside it."""
    return [a for a in actions if a in ACTIONS]


def perform(action: str, appeal, *, by, data: dict):
    """Call the service for ``action`` with the cleaned form ``data``; returns the updated appeal.

    Raises the services' errors unchanged (``AppealValidationError``, ``ConflictError``, …).
    """
    v = data["expected_version"]
    if action == Action.ACCEPT:
        return services.accept(appeal, by=by, expected_version=v)
    if action == Action.REPLY:
        return web_services.reply_with_attachments(
            appeal, by=by, files=data.get("attachments") or [], expected_version=v,
            result_type=data["result_type"], text=data["text"], promise=data.get("promise") or "",
            follow_up_date=data.get("follow_up_date"), include_co_parts=bool(data.get("include_co_parts")))
    if action == Action.REQUEST_RETURN:
        return services.request_return(appeal, by=by, reason=data["reason"],
                                       not_responsible=bool(data.get("not_responsible")), expected_version=v)
    if action == Action.REJECT_RETURN:
        if data["approve"]:
            return services.approve_return(appeal, by=by, note=data.get("reason") or "", expected_version=v)
        return services.reject_return(appeal, by=by, reason=data["reason"], expected_version=v)
    if action == Action.REQUEST_EXTENSION:
        return web_services.extension_with_attachments(
            appeal, by=by, files=data.get("attachments") or [], new_deadline=data["new_deadline"],
            reason=data["reason"], expected_version=v)
    if action == Action.DISPATCH:
        return services.dispatch(appeal, by=by, lead_unit=data["lead_unit"], co_units=list(data.get("co_units") or []),
                                 note=data.get("note") or "", explanation=data.get("explanation") or "",
                                 expected_version=v)
    if action == Action.ANSWER:
        return services.answer_directly(appeal, by=by, text=data["text"], expected_version=v)
    if action == Action.MERGE:
        return services.merge(appeal, by=by, into=data["into"], reason=data.get("reason") or "", expected_version=v)
    if action == Action.INVALIDATE:
        return services.invalidate(appeal, by=by, reason=data["reason"], expected_version=v)
    if action == Action.DECIDE_EXTENSION:
        return services.decide_extension(appeal, by=by, approve=data["approve"], reason=data.get("reason") or "",
                                         expected_version=v)
    if action == Action.CALLBACK:
        return web_services.callback_and_close(
            appeal, by=by, satisfaction=data["satisfaction"], solved=data["solved"],
            comment=data.get("comment") or "", close_after=bool(data.get("close_after")), expected_version=v)
    if action == Action.CLOSE:
        return services.close(appeal, by=by, reason=data.get("reason") or "", expected_version=v)
    if action == Action.REOPEN:
        return services.reopen(appeal, by=by, reason=data["reason"], expected_version=v)
    if action == Action.WITHDRAW:
        return services.withdraw(appeal, by=by, reason=data.get("reason") or "", origin={"via": "desk"},
                                 expected_version=v)
    raise KeyError(action)
