"""Reading ordinary input: one parser per kind of parameter, used by every interface.

Query strings, forms and JSON bodies all bring numbers, page positions, dates, times and
coordinates as text (or as JSON numbers). Each parser here accepts what a person or a client
would reasonably send and refuses everything else with ``ParameterError``, which names the
parameter and says in words what is expected; no value it returns can overflow later (in a
slice, a database column, a ``+ timedelta(days=1)`` or a conversion to UTC).

| kind | parser | accepts |
|---|---|---|
| integer | ``integer`` | ASCII digits with an optional sign, within the bounds given |
| page number | ``page_number`` | 1 … ``MAX_PAGE`` |
| offset / limit | ``offset``, ``limit`` | 0 … ``MAX_OFFSET`` / 1 … the endpoint's maximum |
| date | ``day`` (text), ``check_day`` (a parsed date) | ``2026-11-27`` within ``EARLIEST_DAY`` … ``LATEST_DAY`` |
| date-time | ``moment`` | ISO 8601 / W3C, with or without offset; a bare date is that day's start |
| coordinate | ``coordinate`` | a finite decimal number within the bounds given |

Each interface turns ``ParameterError`` into its own error format (Open311's 400 list, the
API's 422 ``validation_error``, a form's field error); ``jishiban.api.params`` wraps the same
parsers as pydantic types for the API's schemas.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

# Deeper than this no one pages (a list that long is narrowed by its filters); offsets likewise.
MAX_PAGE = 100_000
MAX_OFFSET = 10_000_000
# Row ids are 64-bit (BigAutoField); versions and counters 32-bit columns.
MAX_ID = 2**63 - 1
MAX_SMALL = 2**31 - 1
# Dates a query may name. Far enough apart for every real question, near enough that a day
# more or less, or any time zone offset, stays a valid date.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)

_INTEGER = re.compile(r"^[+-]?[0-9]{1,18}$")
_DECIMAL = re.compile(r"^[+-]?(?:[0-9]{1,12}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})$")
# "+08:00" arrives as " 08:00" when a client forgets to encode the plus sign in a query string.
_UNENCODED_PLUS = re.compile(r"^(.*T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class ParameterError(ValueError):
    """``name`` is the parameter as the client spelt it; ``reason`` what it must be (no name)."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, str(reason)
        super().__init__(f"{name} {self.reason}")


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else str(value)


def integer(value, name: str, *, minimum: int, maximum: int) -> int:
    """``value`` (text or int) as an int in ``minimum`` … ``maximum``. Refuses ``²``, ``1.5``,
    ``1e3``, blanks and numbers beyond the bounds (a 20-digit page number is an error, not a
    database overflow)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParameterError(name, _("须为 %(low)d～%(high)d 的整数") % {"low": minimum, "high": maximum})
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.match(text):
            raise ParameterError(name, _("须为 %(low)d～%(high)d 的整数") % {"low": minimum, "high": maximum})
        value = int(text)
    if not minimum <= value <= maximum:
        raise ParameterError(name, _("须为 %(low)d～%(high)d 的整数") % {"low": minimum, "high": maximum})
    return value


def optional_integer(value, name: str, *, minimum: int, maximum: int, default: int) -> int:
    """``integer``, with ``default`` for a missing or blank value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    return integer(value, name, minimum=minimum, maximum=maximum)


def page_number(value, name: str = "page", *, default: int = 1) -> int:
    return optional_integer(value, name, minimum=1, maximum=MAX_PAGE, default=default)


def offset(value, name: str = "offset") -> int:
    return optional_integer(value, name, minimum=0, maximum=MAX_OFFSET, default=0)


def limit(value, name: str = "limit", *, maximum: int, default: int) -> int:
    return optional_integer(value, name, minimum=1, maximum=maximum, default=default)


def _range_text() -> str:
    return _("须在 %(low)s～%(high)s 之间") % {"low": EARLIEST_DAY.isoformat(), "high": LATEST_DAY.isoformat()}


def check_day(value: date, name: str) -> date:
    """A parsed date within ``EARLIEST_DAY`` … ``LATEST_DAY``."""
    day_ = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day_ <= LATEST_DAY:
        raise ParameterError(name, _range_text())
    return value


def day(value, name: str) -> date | None:
    """``2026-11-27`` → a date in the supported range; blank → ``None``."""
    if isinstance(value, datetime):
        raise ParameterError(name, _("须为日期，如 2026-11-27"))
    if isinstance(value, date):
        return check_day(value, name)
    text = _text(value) if value is not None else ""
    if not text:
        return None
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ParameterError(name, _("须为日期，如 2026-11-27"))
    return check_day(parsed, name)


def moment(value, name: str, *, dates: bool = True) -> datetime | None:
    """An ISO 8601 / W3C time (``2026-11-27T09:30:00+08:00``) → an aware datetime in the
    supported range; a naive time is local, a bare date (when ``dates``) that day's start.
    Blank → ``None``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        if not dates:
            raise ParameterError(name, _("须为时间，如 2026-11-27T09:30:00+08:00"))
        parsed = datetime.combine(check_day(value, name), time.min)
    else:
        text = _text(value) if value is not None else ""
        if not text:
            return None
        text = _UNENCODED_PLUS.sub(r"\1+\2", text)
        try:
            parsed = parse_datetime(text)
            if parsed is None and dates:
                found = parse_date(text)
                parsed = datetime.combine(found, time.min) if found else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise ParameterError(name, _("须为时间，如 2026-11-27T09:30:00+08:00"))
    check_day(parsed.date(), name)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def coordinate(value, name: str, *, low: int, high: int) -> Decimal | None:
    """A latitude or longitude: a finite decimal in ``low`` … ``high``, to six places (about
    10 cm); blank → ``None``. ``NaN``, ``inf`` and ``1e5`` are refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    reason = _("须为 %(low)s～%(high)s 之间的数字") % {"low": low, "high": high}
    if isinstance(value, bool):
        raise ParameterError(name, reason)
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(name, reason)
    if isinstance(value, str) and not _DECIMAL.match(value.strip()):
        raise ParameterError(name, reason)
    try:
        number = Decimal(_text(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ParameterError(name, reason)
    if not number.is_finite() or not low <= number <= high:
        raise ParameterError(name, reason)
    return number.quantize(Decimal("0.000001"))


class DayField(forms.DateField):
    """A form's date field limited to the dates any query may name (``check_day``)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                check_day(value, self.label or "")
            except ParameterError as exc:
                raise forms.ValidationError(exc.reason, code="out_of_range")
        return value
