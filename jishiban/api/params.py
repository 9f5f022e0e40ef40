"""The project's parameter parsers (``jishiban.core.params``) as pydantic types for the API.

Use these instead of bare ``int`` / ``date`` / ``datetime`` / ``float`` in query, path and body
schemas, so every router reads numbers, dates and coordinates by the same rules as Open311 and
the pages; a refused value is a 422 ``validation_error`` naming the field, and the bounds are
in the OpenAPI schema.

    from jishiban.api.params import Id, Limit, Offset
    def list_orders(request, limit: Limit(500) = 100, offset: Offset = 0): …
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from jishiban.core import params
from jishiban.core.params import MAX_ID, MAX_OFFSET, MAX_PAGE, MAX_SMALL, ParameterError


def _reading(parse, **options):
    """A pydantic "before" validator running ``parse(value, field name, **options)``."""

    def run(value, info: ValidationInfo):
        if value is None:
            return None
        try:
            return parse(value, info.field_name or "value", **options)
        except ParameterError as exc:
            raise PydanticCustomError("parameter", exc.reason)

    return BeforeValidator(run)


def _bounded(low: int, high: int):
    # The bounds first: after the validator pydantic would not write them into the JSON schema.
    return Annotated[int, Field(ge=low, le=high), _reading(params.integer, minimum=low, maximum=high)]


def _day_or_moment(value, name: str):
    """A bare date stays a date (a whole day for the filters), anything else is a time."""
    if isinstance(value, str) and "T" not in value.upper() and " " not in value.strip():
        return params.day(value, name)
    if isinstance(value, date) and not isinstance(value, datetime):
        return params.day(value, name)
    return params.moment(value, name)


Id = _bounded(1, MAX_ID)
Version = _bounded(1, MAX_SMALL)
Days = _bounded(1, 366)
PageNumber = _bounded(1, MAX_PAGE)
Offset = _bounded(0, MAX_OFFSET)


def Limit(maximum: int):  # noqa: N802 - reads as a type in signatures
    """1 … ``maximum``."""
    return Annotated[int, Field(ge=1, le=maximum), _reading(params.integer, minimum=1, maximum=maximum)]


Day = Annotated[date, _reading(params.day)]
Moment = Annotated[datetime, _reading(params.moment, dates=False)]
DayOrMoment = Annotated[date | datetime, _reading(_day_or_moment)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False), _reading(params.coordinate, low=-90, high=90)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False),
                     _reading(params.coordinate, low=-180, high=180)]

__all__ = ["MAX_ID", "MAX_OFFSET", "MAX_PAGE", "MAX_SMALL", "Day", "DayOrMoment", "Days", "Id", "Latitude", "Limit",
           "Longitude", "Moment", "Offset", "PageNumber", "Version"]
