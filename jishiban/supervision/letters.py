"""Reminder letters (提醒函): the figures of a unit for a period, rendered into a .docx template
in the official-document layout (GB/T 9704, see ``letter_templates/make_reminder.py``) and kept
as a ``ReminderLetter`` (file in Django's storage).

The template (``letter_templates/reminder.docx``, or ``settings.JISHIBAN_LETTER_TEMPLATE``) holds
``{{name}}`` placeholders — organ, number, title, unit, period, period_words, start, end, dispatched, replied,
on_time, on_time_rate, overdue, returned, dissatisfied, reasons, appeal_count, centre, date — and
one paragraph that is exactly ``{{appeals_table}}``, replaced by the table of appeals concerned
(fixed column widths, numbers and dates never wrap).

Who gets a letter is the assessment's answer (``named_units``): the units at the bottom of the
month's ranking and those whose overdue appeals reach the scheme's ``letter_overdue`` line — not
every unit with a blemish. A letter is a draft until a supervisor has looked at its preview and
sends it (``send``); sending gives it the year's next number, ``济社治函〔2026〕12号``
(prefix ``settings.JISHIBAN_LETTER_NUMBER_PREFIX``).

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
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from jishiban.appeals.errors import ActionForbidden
from jishiban.appeals.models import Appeal, AppealEvent
from jishiban.appeals.selectors import returning_unit_codes, returns_by
from jishiban.core.dates import when
from jishiban.core.xmltext import xml_safe
from jishiban.organisations.models import Organisation, OrgKind

from . import access
from .models import LetterCounter, LetterRun, LetterStatus, ReminderLetter
from .rules import Period, rate
from .selectors import bounds

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "letter_templates" / "reminder.docx"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
TABLE_MARK = "{{appeals_table}}"
DRAFT_NUMBER = "〔　　〕号"
# Column widths of the appeals table in mm (the type area is 156 mm wide): number, date, title, issues.
TABLE_WIDTHS = (40, 24, 64, 28)


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
    returns = list(events.filter(returns_by(unit.code)).values_list("appeal_id", flat=True))
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
                  "issues": _("、").join(issues[r["pk"]])} for r in rows],
    )


def _candidates(period: Period, now) -> set[int]:
    """Units with at least one late, returned or dissatisfied appeal (cheap pre-selection)."""
    start, end = bounds(period)
    events = AppealEvent.objects.filter(at__gte=start, at__lt=end)
    ids = set(events.filter(action="reply", payload__on_time=False).values_list("actor_unit_id", flat=True))
    codes = returning_unit_codes(events.filter(action="return"))
    ids |= set(Organisation.objects.filter(code__in=codes).values_list("pk", flat=True))
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


def chinese_date(d) -> str:
    """成文日期 as GB/T 9704 writes it: 2026年12月2日 (no leading zeros); in English 2 December 2026."""
    return dateformat.format(d, _("Y年n月j日"))  # a date format (Django's): "j F Y" in English


def period_words(period: Period) -> str:
    """2026年11月（11月1日至30日）for a month, else 2026年10月3日至2026年12月2日."""
    a, b = period.start, period.end
    if period.label == a.strftime("%Y-%m"):
        return _("%(month)s（%(first)s至%(last)s）") % {
            "month": dateformat.format(a, _("Y年n月")), "first": dateformat.format(a, _("n月j日")),
            "last": dateformat.format(b, _("j日"))}
    return _("%(start)s至%(end)s") % {"start": chinese_date(a), "end": chinese_date(b)}


def letter_texts(unit: Organisation, figures: LetterFigures, values: dict[str, str]) -> dict[str, str]:
    """The letter's words around its figures, in the active language: the addressee line, the
    body, the request and the heading of the appeals' table (the template's ``{{addressee}}``,
    ``{{body}}``, ``{{request}}``, ``{{list_heading}}``)."""
    return {
        "addressee": _("%(unit)s：") % {"unit": unit.name},
        "body": _("经统计，%(period_words)s，贵单位共承办诉求件 %(dispatched)s 件，答复 %(replied)s 件，"
                  "其中按时答复 %(on_time)s 件，按时答复率 %(on_time_rate)s；超期 %(overdue)s 件，"
                  "退单 %(returned)s 件，群众不满意 %(dissatisfied)s 件。") % values + values["reasons"],
        "request": _("请贵单位高度重视，认真分析原因，对下列诉求件逐件整改落实，并于收函后 5 个工作日内"
                     "将整改情况书面反馈%(centre)s。") % values,
        "list_heading": _("涉及诉求件清单（%(n)s 件）：") % {"n": len(figures.appeals)},
    }


def number_prefix() -> str:
    return getattr(settings, "JISHIBAN_LETTER_NUMBER_PREFIX", "济社治函")


def render(unit: Organisation, period: Period, figures: LetterFigures, *, number: str, now=None,
           template: Path | None = None, reasons: list[str] | None = None) -> bytes:
    """The letter as .docx bytes."""
    from docx import Document

    now = now or timezone.now()
    template = Path(template or getattr(settings, "JISHIBAN_LETTER_TEMPLATE", DEFAULT_TEMPLATE))
    doc = Document(str(template))
    centre = _centre_for(unit)
    values = {k: str(v) for k, v in asdict(figures).items() if k != "appeals"}
    values.update(number=number, unit=unit.name, period=period.label, start=period.start.isoformat(),
                  end=period.end.isoformat(), centre=centre.name if centre else "",
                  organ=centre.name if centre else "", title=_("关于诉求件办理情况的提醒函"),
                  reasons="".join(reasons or []), appeal_count=str(len(figures.appeals)),
                  period_words=period_words(period),
                  date=chinese_date(timezone.localdate(now)))
    values.update(letter_texts(unit, figures, values))
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
    doc.core_properties.title = _("提醒函 %(unit)s %(period)s") % {"unit": unit.name, "period": period.label}
    doc.core_properties.comments = number
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _no_wrap(cell, width_mm: float) -> None:
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    cell.width = Mm(width_mm)
    tc_pr = cell._tc.get_or_add_tcPr()
    tc_pr.append(OxmlElement("w:noWrap"))
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(10.5)  # 五号 (10.5 pt): a whole appeal number fits its column


def _insert_table(doc, paragraph, appeals: list[dict]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")  # widths as given, never stretched to fit a long title
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, TABLE_WIDTHS, strict=True):
        column.width = Mm(width)
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header again on every page
    header_pr.append(repeat)
    for cell, label in zip(header.cells, (_("编号"), _("受理日期"), _("标题"), _("问题")), strict=True):
        cell.text = label
        cell.paragraphs[0].runs[0].font.bold = True
    for item in appeals:
        cells = table.add_row().cells
        for cell, key in zip(cells, ("number", "received", "title", "issues"), strict=True):
            cell.text = xml_safe(item[key])
    for row in table.rows:
        for i, (cell, width) in enumerate(zip(row.cells, TABLE_WIDTHS, strict=True)):
            if i in (0, 1):
                _no_wrap(cell, width)
            else:
                cell.width = Mm(width)
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(10.5)
    paragraph._p.addnext(table._tbl)
    paragraph._p.getparent().remove(paragraph._p)


def _may_address(by, unit) -> bool:
    return access.may_manage(by) and access.units_in_scope(by).filter(pk=unit.pk).exists()


def generate(unit: Organisation, period: Period, *, by=None, now=None,
             figures: LetterFigures | None = None, reasons: list[str] | None = None) -> ReminderLetter:
    """Create (or regenerate, bumping ``revision``) the draft letter of ``unit`` for ``period``.

    ``by=None`` is the command line; a user must be a manager whose scope includes the unit. A
    letter already sent is not redrafted (``ActionForbidden``).
    """
    now = now or timezone.now()
    if by is not None and not _may_address(by, unit):
        raise ActionForbidden(_("您无权向 %(unit)s 发提醒函") % {"unit": unit})
    figures = figures or letter_figures(unit, period, now=now)
    reasons = list(reasons or [])
    with transaction.atomic():
        letter = ReminderLetter.objects.select_for_update().filter(unit=unit, period=period.label).first()
        if letter is not None and letter.status == LetterStatus.SENT:
            raise ActionForbidden(_("%(unit)s %(period)s 的提醒函已发出（%(number)s），不能再改")
                                  % {"unit": unit, "period": period.label, "number": letter.number})
        revision = (letter.revision + 1) if letter else 1
        content = ContentFile(render(unit, period, figures, number=DRAFT_NUMBER, now=now, reasons=reasons),
                              name=f"reminder-{unit.code}-{period.label}-r{revision}.docx")
        values = {"start": period.start, "end": period.end, "figures": asdict(figures), "reasons": reasons,
                  "appeal_numbers": [a["number"] for a in figures.appeals], "revision": revision, "created_by": by,
                  "created_at": now}
        if letter is None:
            letter = ReminderLetter(unit=unit, period=period.label, **values)
        else:
            _drop_file_after_commit(letter)
            for key, value in values.items():
                setattr(letter, key, value)
        letter.file.save(content.name, content, save=False)
        letter.save()
    return letter


def _drop_file_after_commit(letter: ReminderLetter) -> None:
    old = letter.file.name
    if old:
        storage = letter.file.storage
        transaction.on_commit(lambda: storage.delete(old))


def next_number(year: int) -> str:
    """The year's next document number, 济社治函〔2026〕12号 (one statement: never given twice)."""
    from django.db import connection

    q = connection.ops.quote_name
    table = q(LetterCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({q('year')}, {q('last')}) VALUES (%s, 1) "  # noqa: S608
                       f"ON CONFLICT ({q('year')}) DO UPDATE SET {q('last')} = {table}.{q('last')} + 1 "
                       f"RETURNING {q('last')}", [year])
        serial = cursor.fetchone()[0]
    return f"{number_prefix()}〔{year}〕{serial}号"


def send(letter: ReminderLetter, *, by=None, now=None) -> ReminderLetter:
    """Send a draft: it gets the year's next number, the file is rendered again with it, and the
    unit's staff see it from now on. ``ActionForbidden`` for anyone who may not address the unit
    or a letter already sent."""
    now = now or timezone.now()
    unit = letter.unit
    if by is not None and not _may_address(by, unit):
        raise ActionForbidden(_("您无权向 %(unit)s 发提醒函") % {"unit": unit})
    with transaction.atomic():
        letter = ReminderLetter.objects.select_for_update().get(pk=letter.pk)
        if letter.status == LetterStatus.SENT:
            raise ActionForbidden(_("这份提醒函已发出（%(at)s）") % {
                "at": when(letter.sent_at)})
        number = next_number(timezone.localdate(now).year)
        stored = dict(letter.figures)
        figures = LetterFigures(**{k: v for k, v in stored.items() if k in LetterFigures.__dataclass_fields__})
        period = Period(letter.period, letter.start, letter.end)
        content = ContentFile(render(unit, period, figures, number=number, now=now, reasons=letter.reasons),
                              name=f"reminder-{unit.code}-{letter.period}-{timezone.localdate(now).year}.docx")
        _drop_file_after_commit(letter)
        letter.file.save(content.name, content, save=False)
        letter.number, letter.status, letter.sent_at, letter.sent_by = number, LetterStatus.SENT, now, by
        letter.save()
    return letter


def named_units(period: Period, *, by=None, now=None) -> list[tuple[Organisation, LetterFigures, list[str]]]:
    """The units the assessment names for ``period``, with their figures and why: the bottom of
    the month's rankings (a month only) and the units whose overdue appeals reach the scheme's
    ``letter_overdue`` line. Within ``by``'s scope when given."""
    from jishiban.analytics import services as assessment

    now = now or timezone.now()
    reasons: dict[int, list[str]] = {}
    if period.label == period.start.strftime("%Y-%m") and period.end.month == period.start.month:
        for unit, why in assessment.letter_recipients(period.label):
            reasons.setdefault(unit.pk, []).append(why)
    line = assessment.letter_overdue_line()
    scope = access.units_in_scope(by) if by is not None else None
    found = {}
    for unit, figures in units_needing_letters(period, scope, now=now):
        found[unit.pk] = (unit, figures)
        if line and figures.overdue >= line:
            reasons.setdefault(unit.pk, []).append(
                _("超期 %(n)d 件，达到提醒线（%(line)d 件）。") % {"n": figures.overdue, "line": line})
    units = Organisation.objects.filter(pk__in=list(reasons)).order_by("code")
    if scope is not None:
        units = units.filter(pk__in=scope)
    out = []
    for unit in units:
        figures = found[unit.pk][1] if unit.pk in found else letter_figures(unit, period, now=now)
        out.append((unit, figures, reasons[unit.pk]))
    return out


def generate_for_period(period: Period, *, unit_code: str | None = None, by=None, now=None,
                        run: LetterRun | None = None) -> list[ReminderLetter]:
    """Drafts for the units the assessment names in ``period`` (or for the one unit ``unit_code``,
    even with a clean record). ``run`` records the progress, a unit at a time."""
    if unit_code:
        unit = Organisation.objects.filter(code=unit_code).first()
        if unit is None:
            raise Organisation.DoesNotExist(unit_code)
        return [generate(unit, period, by=by, now=now)]
    named = named_units(period, by=by, now=now)
    if run is not None:
        LetterRun.objects.filter(pk=run.pk).update(total=len(named))
    made = []
    for unit, figures, reasons in named:
        made.append(generate(unit, period, by=by, now=now, figures=figures, reasons=reasons))
        if run is not None:
            LetterRun.objects.filter(pk=run.pk).update(done=len(made))
    if run is not None:
        LetterRun.objects.filter(pk=run.pk).update(finished=True)
    return made


def start_run(period: Period, *, by) -> LetterRun:
    """Queue the generation of ``period``'s drafts; the page follows ``LetterRun``'s progress."""
    from django_q.tasks import async_task

    run = LetterRun.objects.create(period=period.label, created_by=by)
    transaction.on_commit(lambda: async_task("jishiban.supervision.letters.run_job", run.pk,
                                             task_name=f"letters-{period.label}"))
    return run


def run_job(run_id: int) -> int:
    """The queued generation (django-q): drafts for the named units; an error is kept on the run."""
    from .rules import parse_period

    run = LetterRun.objects.select_related("created_by").get(pk=run_id)
    try:
        return len(generate_for_period(parse_period(run.period), by=run.created_by, run=run))
    except ActionForbidden as exc:
        LetterRun.objects.filter(pk=run.pk).update(error=str(exc), finished=True)
        return 0


def preview_blocks(letter: ReminderLetter) -> list[dict]:
    """The stored .docx as the preview page shows it, in document order: paragraphs (text,
    alignment, red or not, size in pt) and tables (rows of cell texts)."""
    from docx import Document

    with letter.file.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    blocks = []
    body = doc.element.body
    paragraphs = {p._p: p for p in doc.paragraphs}
    tables = {t._tbl: t for t in doc.tables}
    for child in body.iterchildren():
        if child in paragraphs:
            p = paragraphs[child]
            run = p.runs[0] if p.runs else None
            color = run.font.color.rgb if run is not None and run.font.color and run.font.color.type else None
            size = run.font.size.pt if run is not None and run.font.size else 16
            align = {1: "center", 2: "right"}.get(int(p.alignment) if p.alignment is not None else 0, "left")
            blocks.append({"kind": "p", "text": p.text, "align": align, "red": str(color) == "FF0000",
                           "size": size, "rule": child.find(".//{*}pBdr") is not None,
                           "indent": bool(p.paragraph_format.first_line_indent)})
        elif child in tables:
            blocks.append({"kind": "table", "rows": [[c.text for c in r.cells] for r in tables[child].rows]})
    return blocks


def letters_query(user, *, period: str = ""):
    qs = access.letters_for(user).select_related("unit")
    return qs.filter(period=period) if period else qs

