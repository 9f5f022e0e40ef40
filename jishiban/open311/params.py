"""Reading the query parameters of the GET lists: dates, comma lists, paging.

Each reader raises ``Open311Error(400, …)`` naming the parameter; numbers and dates are read
by the project's parsers (``jishiban.core.params``), as on every other interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.core import params
from jishiban.core.params import ParameterError

from .conf import conf
from .errors import Open311Error


def parse_when(name: str, value: str | None) -> datetime | None:
    """A W3C date-time or a date (its start), local when it has no offset; blank → ``None``."""
    try:
        return params.moment(value, name)
    except ParameterError as exc:
        raise Open311Error(400, _("%(problem)s（收到 %(value)s）")
                           % {"problem": exc, "value": (value or "").strip()[:40]})


def date_range(query) -> tuple[datetime, datetime]:
    """``start_date`` / ``end_date``; a missing end is now, a missing start DEFAULT_DAYS before the end."""
    start, end = parse_when("start_date", query.get("start_date")), parse_when("end_date", query.get("end_date"))
    end = end or timezone.now()
    start = start or end - timedelta(days=conf()["DEFAULT_DAYS"])
    if start > end:
        raise Open311Error(400, _("start_date 不能晚于 end_date"))
    return start, end


def comma_list(query, name: str, *, limit: int = 200) -> list[str]:
    """Values of ``name``, comma-delimited and/or repeated, blanks dropped, order kept."""
    values: list[str] = []
    for raw in query.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if part and part not in values:
                values.append(part)
    if len(values) > limit:
        raise Open311Error(400, _("%(name)s 最多 %(n)d 个") % {"name": name, "n": limit})
    return values


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def paging(query) -> Page:
    """The paging extension: ``page`` (1 … ``params.MAX_PAGE``) and ``page_size`` (at most MAX_PAGE_SIZE)."""
    settings = conf()
    problems = []
    try:
        size = params.limit(query.get("page_size"), "page_size", maximum=settings["MAX_PAGE_SIZE"],
                            default=settings["PAGE_SIZE"])
    except ParameterError as exc:
        problems.append(str(exc))
    try:
        number = params.page_number(query.get("page"))
    except ParameterError as exc:
        problems.append(str(exc))
    if problems:
        raise Open311Error(400, *problems)
    return Page(number, size)
