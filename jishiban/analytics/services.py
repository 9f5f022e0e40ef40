"""The writes of the analytics app besides the fill: scheme versions, published rankings,
reminder-letter drafts for lagging units. Reads of rankings live here too (``assess``), since
they are one computation whether published or not."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.organisations.models import Organisation, OrgKind, OrgLevel
from jishiban.regions.models import Region

from . import assessment, sources
from .models import Ranking, Scheme

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
LEVELS = ("county", "unit")
DEFAULT_NAME = "济时办月度考核"
DEFAULT_SOURCE = ("响应率 30%、解决率 35%、满意率 35%（准格尔旗 12345 考核权重）；按时办结率低于 95% 每低 1 个百分点扣 1 分"
                  "（金华数字城管“低于阈值每个百分点扣一分”的做法）；领导批示、媒体关注件扣分加倍；"
                  "退单经中心审核驳回（退单理由不成立）每件扣 0.5 分；先进、进步、整改三档（北京接诉即办月度排名）。")


class AssessError(ValueError):
    """Bad input, with the Chinese message to show."""


def month_bounds(month: str) -> tuple[date, date]:
    import calendar

    m = MONTH.match((month or "").strip())
    if not m or int(m[1]) < 2000:
        raise AssessError(_("月份须为 YYYY-MM 形式，如 2026-11"))
    y, mo = int(m[1]), int(m[2])
    return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])


def previous_month(month: str) -> str:
    start, _end = month_bounds(month)
    return (start - timedelta(days=1)).strftime("%Y-%m")


def save_scheme(definition: dict, *, name: str = DEFAULT_NAME, source: str = "") -> Scheme:
    """A new version of scheme ``name`` (earlier versions stay as they were)."""
    try:
        clean = assessment.validate(definition)
    except assessment.SchemeError as exc:
        raise AssessError(str(exc))
    with transaction.atomic():
        last = Scheme.objects.select_for_update().filter(name=name).order_by("-version").first()
        return Scheme.objects.create(name=name, version=(last.version + 1) if last else 1, definition=clean,
                                     source=source or (last.source if last else ""))


def current_scheme() -> Scheme:
    scheme = Scheme.objects.filter(name=DEFAULT_NAME).order_by("-version").first()
    return scheme or save_scheme({**assessment.DEFAULT_SCHEME, "marked_factor": 2}, source=DEFAULT_SOURCE)


def subjects(level: str) -> dict[int, dict]:
    """The assessed: the counties (regions), or the city's departments and enterprises."""
    if level == "county":
        return {r.pk: {"code": r.code, "name": r.name} for r in Region.objects.counties().order_by("code")}
    if level == "unit":
        qs = Organisation.objects.filter(level=OrgLevel.CITY, is_active=True).exclude(kind=OrgKind.CENTRE)
        return {o.pk: {"code": o.code, "name": o.name} for o in qs.order_by("code")}
    raise AssessError(_("对象须为 county（县市区）或 unit（部门单位）"))


def _ranked(month: str, level: str, scheme: dict) -> list[assessment.Score]:
    start, end = month_bounds(month)
    who = subjects(level)
    counts = sources.counts_for(level, start, end, scheme)
    return [assessment.score(unit, counts.get(unit, {}), scheme) for unit in who]


def assess(month: str, level: str, *, scheme: Scheme | None = None) -> list[dict]:
    """The ranking of ``month`` for ``level`` (published or not), one dict per unit in rank order,
    with every metric's numerator, denominator and value and the score's parts. Last month's
    places come from its published ranking, or the same computation under the same scheme."""
    scheme = scheme or current_scheme()
    who = subjects(level)
    before = Ranking.objects.filter(month=previous_month(month), level=level).first()
    if before is not None:
        previous = {r["unit_id"]: r["rank"] for r in before.rows}
    else:  # last month computed again; units with nothing due then have no previous place
        previous = {s.unit: s.rank for s in assessment.rank(_ranked(previous_month(month), level, scheme.definition),
                                                            scheme.definition) if s.assessed}
    ranked = assessment.rank(_ranked(month, level, scheme.definition), scheme.definition, previous)
    lagging = {s.unit for s in assessment.lagging(ranked, scheme.definition)}
    return [{"unit": who[s.unit]["name"], "code": who[s.unit]["code"], "unit_id": s.unit, "rank": s.rank,
             "score": s.total, "grade": s.grade, "previous_rank": s.previous_rank, "movement": s.movement,
             "lagging": s.unit in lagging,
             "parts": [p.__dict__ for p in s.parts], "deductions": s.deductions, "metrics": s.figures,
             "scheme": f"{scheme.name} v{scheme.version}"} for s in ranked]


def publish(month: str, level: str, *, scheme: Scheme | None = None, now=None) -> Ranking:
    """Publish (or publish again) the ranking with the scheme version it used."""
    scheme = scheme or current_scheme()
    rows = assess(month, level, scheme=scheme)
    ranking, _created = Ranking.objects.update_or_create(
        month=month, level=level, defaults={"scheme": scheme, "rows": rows, "published_at": now or timezone.now()})
    return ranking


def recompute(ranking: Ranking) -> list[dict]:
    """A published ranking computed again under the scheme version it was published with."""
    return assess(ranking.month, ranking.level, scheme=ranking.scheme)


def letter_recipient(level: str, unit_id: int) -> Organisation | None:
    """Who receives the letter: the unit itself, or for a county its service centre."""
    if level == "unit":
        return Organisation.objects.filter(pk=unit_id).first()
    return Organisation.objects.filter(kind=OrgKind.CENTRE, region_id=unit_id).first()


def _bottom_reason(month: str, level: str, row: dict, of: int) -> str:
    what = _("县市区") if level == "county" else _("市直部门单位")
    return _("在 %(month)s %(what)s考核中排名第 %(rank)d 名（共 %(of)d 名），得分 %(score).2f，居排名末端。") % {
        "month": month, "what": what, "rank": row["rank"], "of": of, "score": row["score"]}


def letter_recipients(month: str) -> list[tuple[Organisation, str]]:
    """Who the month's rankings name for a 提醒函, with the reason: the lagging units of both
    rankings (the published ones, else computed now); a county's letter goes to its centre."""
    out = []
    for level in LEVELS:
        published = Ranking.objects.filter(month=month, level=level).first()
        rows = published.rows if published is not None else assess(month, level)
        for row in rows:
            if row.get("lagging") and (unit := letter_recipient(level, row["unit_id"])) is not None:
                out.append((unit, _bottom_reason(month, level, row, len(rows))))
    return out


def letter_overdue_line() -> int:
    """The scheme's overdue count from which a unit gets a letter whatever its place (0: none)."""
    return int(assessment.validate(current_scheme().definition).get("letter_overdue") or 0)


def draft_letters(ranking: Ranking, *, by=None) -> list:
    """A reminder letter (the supervision app's 提醒函) for each unit the ranking names at the
    bottom, as a draft for a supervisor to review and send."""
    from jishiban.supervision import letters
    from jishiban.supervision.forms import read_period

    period = read_period(ranking.month)
    made = []
    for row in ranking.rows:
        if row.get("lagging") and (unit := letter_recipient(ranking.level, row["unit_id"])) is not None:
            made.append(letters.generate(unit, period, by=by, reasons=[
                _bottom_reason(ranking.month, ranking.level, row, len(ranking.rows))]))
    return made


def interview_list(month: str, level: str) -> list[dict]:
    """约谈名单: units named at the bottom in each of the last ``interview_after`` published months."""
    scheme = current_scheme().definition
    times = int(scheme.get("interview_after") or 0)
    months, m = [], month
    for _i in range(times):
        months.append(m)
        m = previous_month(m)
    published = {r.month: r for r in Ranking.objects.filter(level=level, month__in=months)}
    history = [[row["unit_id"] for row in published[x].rows if row.get("lagging")] for x in reversed(months)
               if x in published]
    ids = assessment.repeated_bottom(history, times)
    who = subjects(level)
    return [{"unit_id": i, **who[i]} for i in ids if i in who]


# --- reports kept by the schedule ------------------------------------------------------------------

KEPT_FORMATS = ("docx", "xlsx")


def _kept_period(kind: str, today: date) -> tuple[str, object]:
    """The period a scheduled report covers on ``today``: yesterday, last week (Monday to
    Sunday) or last month (the 月通报 and the 体检报告)."""
    if kind == "daily":
        d = today - timedelta(days=1)
        return d.isoformat(), d
    if kind == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        return monday.isoformat(), monday
    if kind in ("monthly", "health"):
        month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        return month, month
    raise AssessError(_("未知的报告类型"))


def _kept_scopes(kind: str) -> list[tuple[object, str]]:
    """``(FigureScope, name)`` of every report the schedule keeps for ``kind``: the city's (no
    city-wide 体检报告), each county's 月通报, and every active ``ReportPlan`` of the kind (a
    county's or a department's own), each scope once."""
    from .borrowed import FigureScope
    from .models import ReportPlan

    scopes: dict = {} if kind == "health" else {FigureScope("everything"): ""}
    if kind == "monthly":
        scopes.update({FigureScope("county", pk): who["name"] for pk, who in subjects("county").items()})
    for plan in ReportPlan.objects.filter(kind=kind, active=True).select_related("county", "unit"):
        scopes.setdefault(FigureScope(plan.scope_kind, plan.scope_id), (plan.county or plan.unit).name)
    return list(scopes.items())


def _build_kept(kind: str, scope, arg):
    from . import reports

    if kind == "health":
        return reports.health(scope, arg, county=scope.id if scope.kind == "county" else None,
                              unit=scope.id if scope.kind == "unit" else None)
    return {"daily": reports.daily, "weekly": reports.weekly, "monthly": reports.monthly}[kind](scope, arg)


def keep_reports(kind: str, *, now=None) -> list:
    """Make and keep the scheduled ``kind`` report (``docx`` and ``xlsx``) for every scope of
    ``_kept_scopes``; each shows only its scope's figures (the scope is the reader's figure
    scope the report is built with). Made again for the same period, a file is replaced, not
    added."""
    from django.core.files.base import ContentFile

    from . import documents
    from .models import KeptReport

    now = now or timezone.now()
    label, arg = _kept_period(kind, timezone.localdate(now))
    kept = []
    for scope, name in _kept_scopes(kind):
        report = _build_kept(kind, scope, arg)
        where = f"{name} · " if name and kind != "health" else ""
        for fmt in KEPT_FORMATS:
            content = ContentFile(documents.render(report, fmt), name=f"{kind}-{label}-{scope.kind}{scope.id}.{fmt}")
            with transaction.atomic():
                row, _created = KeptReport.objects.select_for_update().get_or_create(
                    kind=kind, period=label, fmt=fmt, scope_kind=scope.kind, scope_id=scope.id,
                    defaults={"title": "", "created_at": now})
                old = row.file.name
                row.title = f"{where}{report.title} {report.subtitle}"
                row.created_at = now
                row.file.save(content.name, content, save=False)
                row.save()
                if old and old != row.file.name:
                    storage = row.file.storage
                    transaction.on_commit(lambda storage=storage, old=old: storage.delete(old))
            kept.append(row)
    return kept
