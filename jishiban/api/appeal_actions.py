"""``POST /appeals/{number}/actions/{action}``: one typed endpoint per workflow action.

Each handler maps its body onto the matching ``jishiban.appeals.services`` function, which
checks, writes and logs. ``expected_version`` is the ``version`` the client last read; a
different version gives 409 ``conflict`` with who acted last.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router

from jishiban.appeals import services
from jishiban.appeals.errors import ActionNotAllowed, AppealValidationError
from jishiban.appeals.permissions import check_can
from jishiban.appeals.workflow import Action
from jishiban.intake.attachments import with_files
from jishiban.organisations.models import Organisation

from . import selectors
from .appeals import decode_attachments
from .auth import API_AUTH
from .errors import WRITE_ERRORS
from .params import Day, Moment, Version
from .schemas import AppealOut, AttachmentIn, InBody

router = Router(auth=API_AUTH, tags=["actions"])


class Versioned(InBody):
    expected_version: Version = Field(..., description="客户端看到的 version")


class DispatchIn(Versioned):
    lead_unit: str = Field(..., description="主办单位代码")
    co_units: list[str] = Field(default_factory=list, description="协办单位代码")
    note: str = ""
    explanation: str = Field("", description="派单依据（如命中的规则）")


class AcceptIn(Versioned):
    pass


class ReturnIn(Versioned):
    reason: str
    not_responsible: bool = True


class RequestExtensionIn(Versioned):
    new_deadline: Moment
    reason: str
    attachments: list[AttachmentIn] = Field(default_factory=list, description="附件（与受理时相同的检查）")


class DecideExtensionIn(Versioned):
    approve: bool
    reason: str = ""


class ReplyIn(Versioned):
    result_type: Literal["solved", "stepwise", "explained"]
    text: str
    promise: str = ""
    follow_up_date: Day | None = None
    include_co_parts: bool = Field(False, description="将本轮协办单位意见附在答复之后")
    attachments: list[AttachmentIn] = Field(default_factory=list, description="附件（与受理时相同的检查）")


class CallbackIn(Versioned):
    satisfaction: Literal["satisfied", "basically", "dissatisfied"]
    solved: bool
    comment: str = ""


class ReasonIn(Versioned):
    reason: str


class OptionalReasonIn(Versioned):
    reason: str = ""


class MergeIn(Versioned):
    into: str = Field(..., description="并入的诉求件编号")
    reason: str = ""


class AnswerIn(Versioned):
    text: str


def _unit(code: str, field: str) -> Organisation:
    unit = Organisation.objects.filter(code=code).first()
    if unit is None:
        raise AppealValidationError({field: [_("未知单位代码 %(c)s") % {"c": code}]})
    return unit


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _dispatch(user, body: DispatchIn) -> dict:
    co = [_unit(code, "co_units") for code in body.co_units]
    return {"lead_unit": _unit(body.lead_unit, "lead_unit"), "co_units": co, "note": body.note,
            "explanation": body.explanation}


def _merge(user, body: MergeIn) -> dict:
    into = selectors.visible(user).filter(number=body.into).first()
    if into is None:
        raise AppealValidationError({"into": [_("诉求件 %(n)s 不存在或无权查看") % {"n": body.into}]})
    return {"into": into, "reason": body.reason}


# action → (body schema, service function, body → service keyword arguments)
ACTIONS: dict[str, tuple[type[Versioned], Callable, Callable]] = {
    Action.DISPATCH: (DispatchIn, services.dispatch, _dispatch),
    Action.ACCEPT: (AcceptIn, services.accept, lambda u, b: {}),
    Action.RETURN: (ReturnIn, services.return_appeal,
                    lambda u, b: {"reason": b.reason, "not_responsible": b.not_responsible}),
    Action.REQUEST_EXTENSION: (RequestExtensionIn, services.request_extension,
                               lambda u, b: {"new_deadline": _aware(b.new_deadline), "reason": b.reason}),
    Action.DECIDE_EXTENSION: (DecideExtensionIn, services.decide_extension,
                              lambda u, b: {"approve": b.approve, "reason": b.reason}),
    Action.REPLY: (ReplyIn, services.reply,
                   lambda u, b: {"result_type": b.result_type, "text": b.text, "promise": b.promise,
                                 "follow_up_date": b.follow_up_date, "include_co_parts": b.include_co_parts}),
    Action.CALLBACK: (CallbackIn, services.callback,
                      lambda u, b: {"satisfaction": b.satisfaction, "solved": b.solved, "comment": b.comment}),
    Action.REOPEN: (ReasonIn, services.reopen, lambda u, b: {"reason": b.reason}),
    Action.MERGE: (MergeIn, services.merge, _merge),
    Action.INVALIDATE: (ReasonIn, services.invalidate, lambda u, b: {"reason": b.reason}),
    Action.CLOSE: (OptionalReasonIn, services.close, lambda u, b: {"reason": b.reason}),
    Action.ANSWER: (AnswerIn, services.answer_directly, lambda u, b: {"text": b.text}),
}

SUMMARIES = {
    Action.DISPATCH: "派单 / 改派", Action.ACCEPT: "签收", Action.RETURN: "退单",
    Action.REQUEST_EXTENSION: "申请延期", Action.DECIDE_EXTENSION: "审批延期", Action.REPLY: "答复",
    Action.CALLBACK: "回访", Action.REOPEN: "重办", Action.MERGE: "并单", Action.INVALIDATE: "作废（无效件）",
    Action.CLOSE: "办结", Action.ANSWER: "直接办结",
}


def perform(user, number: str, action: str, body: Versioned) -> dict:
    """Load the appeal the caller may see (404), check the right (403) before the version (409),
    then call the service."""
    _schema, service, arguments = ACTIONS[action]
    appeal = selectors.get_visible(user, number)
    try:
        check_can(user, appeal, action)
    except ActionNotAllowed:
        if appeal.version != body.expected_version:
            # The client acted on an old view: say who changed it, not just "not allowed".
            raise services.conflict(appeal)
        raise
    files = decode_attachments(body) if getattr(body, "attachments", None) else []
    appeal = with_files(files, by=user, write=lambda after_event: service(
        appeal, by=user, expected_version=body.expected_version, after_event=after_event, **arguments(user, body)))
    # One query: the appeal as the user now sees it; a unit that returned it no longer does, and
    # is answered with what it just did.
    current = next(iter(selectors.visible(user).select_related(*selectors.DETAIL_RELATED).filter(pk=appeal.pk)
                        .order_by()[:1]), None)
    return selectors.detail(user, current or appeal)


def _endpoint(action: str, schema: type[Versioned]):
    def handler(request, number: str, payload):
        return perform(request.auth, number, action, payload)

    # Set after the fact: a closure variable cannot be a postponed (string) annotation.
    handler.__annotations__ = {"number": str, "payload": schema}
    handler.__name__ = "action_" + action.replace("-", "_")
    handler.__doc__ = f"{SUMMARIES[action]}（services.{ACTIONS[action][1].__name__}）"
    return handler


for _action, (_schema, _service, _args) in ACTIONS.items():
    router.post(
        f"/appeals/{{number}}/actions/{_action}", response={200: AppealOut, **WRITE_ERRORS},
        url_name=f"appeal_action_{_action.replace('-', '_')}", summary=SUMMARIES[_action],
        operation_id=f"appeal_{_action.replace('-', '_')}",
    )(_endpoint(str(_action), _schema))
