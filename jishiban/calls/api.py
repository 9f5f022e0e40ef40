"""``POST /api/v1/calls``: the telephony system (CTI) announces an incoming call.

Mounted by ``jishiban.api.urls`` at the API root with the API's authentication (a bearer token
of the CTI's account, an operator). Idempotent on ``call_id``: a retry answers 200 with the
stored call, a first post 201. The operator signed in on ``seat`` sees the call pop up on the
call desk.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema, Status

from jishiban.api.auth import API_AUTH
from jishiban.api.errors import WRITE_ERRORS
from jishiban.api.schemas import InBody

from . import services
from .models import SeatSignIn

router = Router(auth=API_AUTH, tags=["calls"])


class CallIn(InBody):
    call_id: str = Field(..., description="CTI 的呼叫编号（重试时不变）")
    caller: str = Field(..., description="来电号码")
    seat: str = Field(..., description="座席号")
    recording_url: str = Field("", description="录音地址（http/https）")


class CallOut(Schema):
    call_id: str
    caller: str
    seat: str
    recording_url: str
    received_at: datetime
    popped: bool = Field(..., description="该座席当前有话务员签入（来电已弹屏）")
    appeal: str | None = Field(None, description="据此来电受理的诉求件编号")


@router.post("/calls", response={200: CallOut, 201: CallOut, **WRITE_ERRORS}, url_name="call_create",
             summary="来电弹屏：推送来电")
def post_call(request, payload: CallIn):
    call, created = services.record_call(by=request.auth, call_id=payload.call_id, caller=payload.caller,
                                         seat=payload.seat, recording_url=payload.recording_url)
    out = {"call_id": call.call_id, "caller": call.caller, "seat": call.seat, "recording_url": call.recording_url,
           "received_at": call.received_at, "popped": SeatSignIn.objects.filter(seat=call.seat).exists(),
           "appeal": call.appeal.number if call.appeal_id else None}
    return Status(201 if created else 200, out)
