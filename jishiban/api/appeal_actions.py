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
    reason: str = Field(..., description="退单理由")
    not_responsible: bool = Field(True, description="是否以“非本单位职责”为由")


class ApproveReturnIn(Versioned):
    note: str = Field("", description="审核说明（可空）")


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


def _return_request(user, body: ReturnIn) -> dict:
    return {"reason": body.reason, "not_responsible": body.not_responsible}


# Endpoints whose name is not the workflow action they take (the right is checked on that action;
# ``selectors.ENDPOINT_OF`` names them the other way round in a record's ``available_actions``).
WORKFLOW_ACTION = {"return": Action.REQUEST_RETURN, "approve-return": Action.RETURN}

# endpoint → (body schema, service function, body → service keyword arguments)
ACTIONS: dict[str, tuple[type[Versioned], Callable, Callable]] = {
    Action.DISPATCH: (DispatchIn, services.dispatch, _dispatch),
    Action.ACCEPT: (AcceptIn, services.accept, lambda u, b: {}),
    # 退单 by a unit is always a request for the centre's review (退单审核); ``return`` is the
    # name clients have long used for it, ``request-return`` the workflow's.
    "return": (ReturnIn, services.request_return, _return_request),
    Action.REQUEST_RETURN: (ReturnIn, services.request_return, _return_request),
    "approve-return": (ApproveReturnIn, services.approve_return, lambda u, b: {"note": b.note}),
    Action.REJECT_RETURN: (ReasonIn, services.reject_return, lambda u, b: {"reason": b.reason}),
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
    Action.DISPATCH: "派单 / 改派", Action.ACCEPT: "签收", "return": "退单（申请，经退单审核后生效）",
    Action.REQUEST_RETURN: "申请退单", "approve-return": "退单审核：同意退单", Action.REJECT_RETURN: "退单审核：驳回退单",
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
        check_can(user, appeal, WORKFLOW_ACTION.get(action, action))
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


DESCRIPTIONS = {
    "return": "承办单位退单。退单一律经中心退单审核：本接口提交退单申请（与 request-return 相同），"
              "诉求件进入“退单待审”（return_requested），承办时限照常计算；须在退单时限（派单后1个工作日）内提出。"
              "中心以 approve-return 同意（退回派单台改派，计入该单位退单）或 reject-return 驳回（退回单位办理，"
              "计入退单驳回量）。中心不直接退单：派错单位在签收前用 dispatch 改派。",
    Action.REQUEST_RETURN: "承办单位申请退单（同 return）。",
    "approve-return": "中心退单审核：同意退单，诉求件回到派单台（returned），退单记在申请单位名下"
                      "（记录的 payload.unit）。仅对“退单待审”的诉求件。",
    Action.REJECT_RETURN: "中心退单审核：驳回退单并说明理由，诉求件回到申请单位（dispatched）。",
}

for _action, (_schema, _service, _args) in ACTIONS.items():
    router.post(
        f"/appeals/{{number}}/actions/{_action}", response={200: AppealOut, **WRITE_ERRORS},
        url_name=f"appeal_action_{_action.replace('-', '_')}", summary=SUMMARIES[_action],
        description=DESCRIPTIONS.get(_action, ""),
        operation_id=f"appeal_{_action.replace('-', '_')}",
    )(_endpoint(str(_action), _schema))
