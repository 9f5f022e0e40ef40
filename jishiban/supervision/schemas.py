"""Response and request shapes of the supervision API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from jishiban.api.params import Day, Id
from jishiban.api.schemas import InBody


class OrderOut(Schema):
    id: int
    appeal_id: int | None
    appeal: str
    report_title: str
    report_url: str
    reason: str
    auto: bool
    detail: str
    target_unit: str
    responsible_unit: str
    requirement: str
    instruction: str
    instructed_by: str
    level: str
    deadline_days: int
    deadline: dt.datetime
    status: str
    escalation_count: int
    response: str
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    closed_solved: bool | None
    created_at: dt.datetime

    @staticmethod
    def resolve_appeal(obj) -> str:
        return obj.appeal.number if obj.appeal_id else ""  # a leader's instruction on a report

    @staticmethod
    def resolve_target_unit(obj) -> str:
        return obj.target_unit.code

    @staticmethod
    def resolve_responsible_unit(obj) -> str:
        return obj.responsible_unit.code


class VisitOut(Schema):
    id: int
    date: dt.date
    place: str
    participants: str
    findings: str
    outcome: str


class CallbackOut(Schema):
    id: int
    appeal_id: int
    appeal: str
    appeal_version: int
    round: int
    mode: str
    status: str
    link_sent_at: dt.datetime | None
    done_at: dt.datetime | None
    origin: str
    satisfaction: str
    solved: bool | None
    comment: str
    decision: str
    decision_reason: str
    needs_decision: bool
    attempts: list[dict]

    @staticmethod
    def resolve_appeal(obj) -> str:
        return obj.appeal.number if obj.appeal_id else ""  # a leader's instruction on a report

    @staticmethod
    def resolve_appeal_version(obj) -> int:
        return obj.appeal.version

    @staticmethod
    def resolve_attempts(obj) -> list[dict]:
        return [{"at": a.at.isoformat(), "outcome": a.outcome, "note": a.note} for a in obj.attempts.all()]


class PublicReplyOut(Schema):
    id: int
    appeal: str
    channel: str
    text: str
    status: str
    published_at: dt.datetime | None

    @staticmethod
    def resolve_appeal(obj) -> str:
        return obj.appeal.number if obj.appeal_id else ""  # a leader's instruction on a report

    @staticmethod
    def resolve_channel(obj) -> str:
        return obj.channel.code


class FollowUpOut(Schema):
    id: int
    appeal: str
    unit: str
    promise: str
    due_date: dt.date
    status: str
    fulfilment: str
    review_note: str

    @staticmethod
    def resolve_appeal(obj) -> str:
        return obj.appeal.number if obj.appeal_id else ""  # a leader's instruction on a report

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class ExtensionOut(Schema):
    appeal_id: int
    appeal: str
    appeal_version: int
    unit: str
    reply_deadline: dt.datetime | None
    new_deadline: dt.datetime | None
    reason: str
    can_decide: bool


class DisputeOut(Schema):
    id: int
    appeal: str
    kind: str
    status: str
    note: str
    units: list[str]
    return_reasons: list
    meeting_id: int | None
    outcome: str
    created_at: dt.datetime

    @staticmethod
    def resolve_appeal(obj) -> str:
        return obj.appeal.number if obj.appeal_id else ""  # a leader's instruction on a report

    @staticmethod
    def resolve_units(obj) -> list[str]:
        return [u.code for u in obj.units.all()]


class MeetingOut(Schema):
    id: int
    title: str
    date: dt.date
    place: str
    status: str
    minutes: str
    units: list[str]
    disputes: list[int]

    @staticmethod
    def resolve_units(obj) -> list[str]:
        return [u.code for u in obj.units.all()]

    @staticmethod
    def resolve_disputes(obj) -> list[int]:
        return list(obj.disputes.values_list("pk", flat=True))


class DecisionIn(InBody):
    dispute: Id
    lead_unit: str
    co_units: list[str] = []
    legal_basis: str = ""
    category: str | None = None
    keywords: str = ""
    whole_city: bool = False
    valid_from: Day | None = None


class DecisionOut(Schema):
    id: int
    category: str
    county: str | None
    keywords: list[str]
    lead_unit: str
    co_units: list[str]
    legal_basis: str
    meeting_id: int | None
    valid_from: dt.date
    explanation: str

    @staticmethod
    def resolve_category(obj) -> str:
        return obj.category.code

    @staticmethod
    def resolve_county(obj) -> str | None:
        return obj.county.code if obj.county_id else None

    @staticmethod
    def resolve_keywords(obj) -> list[str]:
        return obj.keyword_list

    @staticmethod
    def resolve_lead_unit(obj) -> str:
        return obj.lead_unit.code

    @staticmethod
    def resolve_co_units(obj) -> list[str]:
        return [u.code for u in obj.co_units.all()]

    @staticmethod
    def resolve_explanation(obj) -> str:
        return obj.explanation()


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    appeal_id: int | None
    order_id: int | None
    read_at: dt.datetime | None
    created_at: dt.datetime


class LetterOut(Schema):
    id: int
    unit: str
    period: str
    start: dt.date
    end: dt.date
    revision: int
    figures: dict
    appeal_numbers: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class UnitFigureOut(Schema):
    unit_id: int
    unit: str
    supervised: int
    solved: int
    rate: Decimal | None


class FiguresOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    supervised: int
    solved: int
    rate: Decimal | None
    orders: int
    open_orders: int
    escalated: int
    by_reason: dict
    by_unit: list[UnitFigureOut]
    callbacks: dict
