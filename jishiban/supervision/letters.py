"""Reminder letters (提醒函): the figures of a unit for a period, rendered into a .docx template
and kept as a ``ReminderLetter`` (file in Django's storage).

The template (``letter_templates/reminder.docx``, or ``settings.JISHIBAN_LETTER_TEMPLATE``) holds
``{{name}}`` placeholders — number, unit, period, start, end, dispatched, replied, on_time,
on_time_rate, overdue, returned, dissatisfied, centre, date — and one paragraph that is exactly
``{{appeals_table}}``, replaced by the table of appeals concerned.

Figures, from the event log within the period [start, end]:
* dispatched — appeals dispatched to the unit; replied / on_time — the unit's replies and those
  within the deadline; on_time_rate = on_time / replied;
* overdue — appeals replied late in the period, plus those the unit still holds past their deadline;
* returned — the unit's returns; dissatisfied — 不满意 callbacks on appeals the unit leads.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.core.xmltext import xml_safe
from jishiban.organisations.models import Organisation, OrgKind

from . import access
from .models import ReminderLetter
from .rules import Period, rate
from .selectors import bounds

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "letter_templates" / "reminder.docx"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
TABLE_MARK = "{{appeals_table}}"


@dataclass
class LetterFigures:
    dispatched: int = 0
    replied: int = 0
    on_time: int = 0
    on_time_rate: str = "—"
    overdue: int = 0
    returned: int = 0
    dissatisfied: int = 0
    appeals: list[dict] = field(default_factory=list)

    @property
    def needs_letter(self) -> bool:
        return bool(self.overdue or self.returned or self.dissatisfied)


def letter_figures(unit: Organisation, period: Period, *, now=None) -> LetterFigures:
    now = now or timezone.now()
    start, end = bounds(period)
    events = AppealEvent.objects.filter(at__gte=start, at__lt=end)
    dispatched = set(events.filter(action="dispatch", payload__lead_unit=unit.code).values_list("appeal_id", flat=True))
    replies = list(events.filter(action="reply", actor_unit=unit).values_list("appeal_id", "payload"))
    late = {appeal_id for appeal_id, payload in replies if payload.get("on_time") is False}
    on_time = sum(1 for _id, payload in replies if payload.get("on_time") is not False)
    holding = set(Appeal.objects.filter(lead_unit=unit).overdue(min(end, now)).values_list("pk", flat=True))
    returns = list(events.filter(action="return", payload__unit=unit.code).values_list("appeal_id", flat=True))
    unhappy = set(events.filter(action="callback", payload__satisfaction="dissatisfied", appeal__lead_unit=unit)
                  .values_list("appeal_id", flat=True))
    issues: dict[int, list[str]] = {}
    for ids, label in ((late | holding, _("超期")), (set(returns), _("退单")), (unhappy, _("不满意"))):
        for appeal_id in ids:
            issues.setdefault(appeal_id, []).append(label)
    rows = Appeal.objects.filter(pk__in=list(issues)).order_by("received_at", "pk").values("pk", "number", "title",
                                                                                          "received_at")
    percent = rate(on_time, len(replies))
    return LetterFigures(
        dispatched=len(dispatched), replied=len(replies), on_time=on_time,
        on_time_rate=f"{percent}%" if percent is not None else "—", overdue=len(late | holding),
        returned=len(returns), dissatisfied=len(unhappy),
        appeals=[{"number": r["number"], "title": r["title"][:60],
                  "received": timezone.localtime(r["received_at"]).strftime("%Y-%m-%d"),
                  "issues": "、".join(issues[r["pk"]])} for r in rows],
    )


def _candidates(period: Period, now) -> set[int]:
    """Units with at least one late, returned or dissatisfied appeal (cheap pre-selection)."""
    start, end = bounds(period)
    events = AppealEvent.objects.filter(at__gte=start, at__lt=end)
    ids = set(events.filter(action="reply", payload__on_time=False).values_list("actor_unit_id", flat=True))
    codes = set(events.filter(action="return").values_list("payload__unit", flat=True))
    ids |= set(Organisation.objects.filter(code__in=[c for c in codes if c]).values_list("pk", flat=True))
    ids |= set(events.filter(action="callback", payload__satisfaction="dissatisfied")
               .values_list("appeal__lead_unit_id", flat=True))
    ids |= set(Appeal.objects.overdue(min(end, now)).values_list("lead_unit_id", flat=True))
    return {i for i in ids if i}


def units_needing_letters(period: Period, units=None, *, now=None) -> list[tuple[Organisation, LetterFigures]]:
    now = now or timezone.now()
    units = units if units is not None else Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE)
    units = units.filter(pk__in=_candidates(period, now)).order_by("code")
    out = []
    for unit in units:
        figures = letter_figures(unit, period, now=now)
        if figures.needs_letter:
            out.append((unit, figures))
    return out


def _centre_for(unit: Organisation) -> Organisation | None:
    centre = Organisation.objects.filter(kind=OrgKind.CENTRE, region=unit.region).first()
    return centre or Organisation.objects.filter(kind=OrgKind.CENTRE, level="city").first()


def _replace(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    new = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    new = xml_safe(new)
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(new)
        return
    runs[0].text = new
    for run in runs[1:]:
        run.text = ""


def render(unit: Organisation, period: Period, figures: LetterFigures, *, number: str, now=None,
           template: Path | None = None) -> bytes:
    """The letter as .docx bytes."""
    from docx import Document

    now = now or timezone.now()
    template = Path(template or getattr(settings, "JISHIBAN_LETTER_TEMPLATE", DEFAULT_TEMPLATE))
    doc = Document(str(template))
    centre = _centre_for(unit)
    values = {k: str(v) for k, v in asdict(figures).items() if k != "appeals"}
    values.update(number=number, unit=unit.name, period=period.label, start=period.start.isoformat(),
                  end=period.end.isoformat(), centre=centre.name if centre else "",
                  date=timezone.localdate(now).strftime("%Y年%m月%d日"))
    for paragraph in list(doc.paragraphs):
        if paragraph.text.strip() == TABLE_MARK:
            _insert_table(doc, paragraph, figures.appeals)
        else:
            _replace(paragraph, values)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    _replace(paragraph, values)
    doc.core_properties.title = f"{_('提醒函')} {unit.name} {period.label}"
    doc.core_properties.comments = number
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _insert_table(doc, paragraph, appeals: list[dict]) -> None:
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, (_("编号"), _("受理日期"), _("标题"), _("问题")), strict=True):
        cell.text = label
    for item in appeals:
        cells = table.add_row().cells
        for cell, key in zip(cells, ("number", "received", "title", "issues"), strict=True):
            cell.text = xml_safe(item[key])
    paragraph._p.addnext(table._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def generate(unit: Organisation, period: Period, *, by=None, now=None,
             figures: LetterFigures | None = None) -> ReminderLetter:
    """Create (or regenerate, bumping ``revision``) the letter of ``unit`` for ``period``.

    ``by=None`` is the command line; a user must be a manager whose scope includes the unit.
    """
    now = now or timezone.now()
    if by is not None and not (access.may_manage(by) and access.units_in_scope(by).filter(pk=unit.pk).exists()):
        raise ActionForbidden(_("您无权向 %(unit)s 发提醒函") % {"unit": unit})
    figures = figures or letter_figures(unit, period, now=now)
    with transaction.atomic():
        letter = ReminderLetter.objects.select_for_update().filter(unit=unit, period=period.label).first()
        revision = (letter.revision + 1) if letter else 1
        number = _("提醒函〔%(year)s〕%(period)s-%(unit)s-%(rev)s") % {
            "year": period.start.year, "period": period.label, "unit": unit.code, "rev": revision}
        content = ContentFile(render(unit, period, figures, number=number, now=now),
                              name=f"reminder-{unit.code}-{period.label}-r{revision}.docx")
        values = {"start": period.start, "end": period.end, "figures": {k: v for k, v in asdict(figures).items()
                                                                           if k != "appeals"},
                  "appeal_numbers": [a["number"] for a in figures.appeals], "revision": revision, "created_by": by,
                  "created_at": now}
        if letter is None:
            letter = ReminderLetter(unit=unit, period=period.label, **values)
        else:
            old = letter.file.name
            for key, value in values.items():
                setattr(letter, key, value)
            if old:
                storage = letter.file.storage
                transaction.on_commit(lambda: storage.delete(old))
        letter.file.save(content.name, content, save=False)
        letter.save()
    return letter


def generate_for_period(period: Period, *, unit_code: str | None = None, by=None, now=None) -> list[ReminderLetter]:
    """Letters for every unit with overdue, returned or dissatisfied appeals in ``period``
    (or for the one unit ``unit_code``, even with a clean record)."""
    if unit_code:
        unit = Organisation.objects.filter(code=unit_code).first()
        if unit is None:
            raise Organisation.DoesNotExist(unit_code)
        return [generate(unit, period, by=by, now=now)]
    units = access.units_in_scope(by) if by is not None else None
    return [generate(unit, period, by=by, now=now, figures=figures)
            for unit, figures in units_needing_letters(period, units, now=now)]


def letters_query(user, *, period: str = ""):
    qs = access.letters_for(user).select_related("unit")
    return qs.filter(period=period) if period else qs

