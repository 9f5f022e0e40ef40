"""Checking posted ``attribute[code]`` values against a service's attribute definitions.

Pure Python (no Django): ``check_attributes`` takes plain ``AttributeSpec`` objects and the posted
values, and returns the cleaned values plus problems as (code, kind) pairs; the caller turns
each kind into a message. Attributes a service does not define are kept as text (FixMyStreet
sends its own, e.g. ``fixmystreet_id``), bounded in number and length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = frozenset({"singlevaluelist", "multivaluelist"})

MAX_LENGTH = {"string": 500, "text": 5000}
MAX_UNDEFINED = 30  # attributes a service does not define that we keep
MAX_UNDEFINED_LENGTH = 2000
MAX_CODE_LENGTH = 60

# Problem kinds (the caller maps them to messages).
REQUIRED = "required"
NOT_A_NUMBER = "number"
NOT_A_DATETIME = "datetime"
NOT_A_CHOICE = "choice"
ONE_VALUE_ONLY = "single"
TOO_LONG = "too_long"
TOO_MANY = "too_many"


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    datatype: str
    required: bool = False
    variable: bool = True
    keys: tuple[str, ...] = field(default_factory=tuple)


def _blank(values: list[str]) -> bool:
    return not any((v or "").strip() for v in values)


def _check_one(spec: AttributeSpec, values: list[str]) -> tuple[object, str | None]:
    values = [(v or "").strip() for v in values if (v or "").strip()]
    if spec.datatype == "multivaluelist":
        bad = [v for v in values if v not in spec.keys]
        return (values, NOT_A_CHOICE) if bad else (values, None)
    if len(values) > 1:
        return values, ONE_VALUE_ONLY
    value = values[0]
    if spec.datatype == "singlevaluelist":
        return value, None if value in spec.keys else NOT_A_CHOICE
    if spec.datatype == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value, NOT_A_NUMBER
        return value, None if number.is_finite() else NOT_A_NUMBER
    if spec.datatype == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value, NOT_A_DATETIME
        return value, None
    return value, TOO_LONG if len(value) > MAX_LENGTH.get(spec.datatype, MAX_LENGTH["text"]) else None


def check_attributes(
    specs: list[AttributeSpec], posted: dict[str, list[str]]
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Validate ``posted`` (code → the posted values, in order) against ``specs``.

    Returns ``(cleaned, problems)``: ``cleaned`` maps a code to a string (a list for
    ``multivaluelist``); ``problems`` lists ``(code, kind)`` in the order of ``specs``, then
    those of undefined attributes. Non-variable attributes (information only) take no input.
    """
    cleaned: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    defined = {spec.code for spec in specs}
    for spec in specs:
        if not spec.variable:
            continue
        values = posted.get(spec.code, [])
        if _blank(values):
            if spec.required:
                problems.append((spec.code, REQUIRED))
            continue
        value, problem = _check_one(spec, values)
        if problem:
            problems.append((spec.code, problem))
        else:
            cleaned[spec.code] = value
    extra = [code for code in posted if code not in defined and not _blank(posted[code])]
    if len(extra) > MAX_UNDEFINED:
        problems.append((extra[MAX_UNDEFINED], TOO_MANY))
        extra = extra[:MAX_UNDEFINED]
    for code in extra:
        values = [v.strip() for v in posted[code] if (v or "").strip()]
        if len(code) > MAX_CODE_LENGTH or any(len(v) > MAX_UNDEFINED_LENGTH for v in values):
            problems.append((code, TOO_LONG))
            continue
        cleaned[code] = values[0] if len(values) == 1 else values
    return cleaned, problems
