"""The contents of the centre's reports, as data: 日统计, 周分析, 月通报, 体检报告.

Each builder returns a ``Report`` (title, sections of paragraphs, tables and charts) and the
``figures`` behind it keyed by metric name (the ``json`` format). Every number comes from the
daily tables through ``selectors`` within the reader's ``FigureScope``; the monthly bulletin's
rankings from ``services.assess``. ``documents.py`` renders a report as .docx, .xlsx or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from jishiban.organisations.models import Organisation
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category

from . import metrics, selectors, services
from .borrowed import FigureScope
from .selectors import Filter

HEADLINE = ("intake", "valid_intake", "dispatched", "answered", "response_rate", "on_time_rate",
            "solved_rate", "satisfaction_rate", "return_rate", "reopen_rate")


@dataclass
class Chart:
    title: str
    kind: str  # "bar" | "line"
    labels: list[str]
    series: dict[str, list[float]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    title: str = ""


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str
    subtitle: str
    sections: list[Section]
    figures: dict

    def as_json(self) -> dict:
        return {"kind": self.kind, "title": self.title, "period": self.subtitle, "figures": self.figures}


def show(v: metrics.Value) -> str:
    if v.value is None:
        return "—"
    m = metrics.BY_NAME[v.metric]
    if m.unit == "percent":
        return f"{v.value}%"
    if m.unit == "hours":
        return f"{v.value}"
    return f"{int(v.value)}"


def _names(group: str, ids) -> dict:
    ids = [i for i in ids if i]
    if group in ("county", "town"):
        return dict(Region.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group == "unit":
        return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group == "category":
        return dict(Category.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group == "channel":
        from jishiban.channels.models import Channel

        return dict(Channel.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {}


def _values(totals: dict, names=HEADLINE) -> dict[str, metrics.Value]:
    return metrics.evaluate_all(totals, None, names)


def _headline_table(columns: list[tuple[str, dict]]) -> Table:
    vals = [(label, _values(t)) for label, t in columns]
    rows = [[metrics.BY_NAME[n].label, *[show(v[n]) for _l, v in vals]] for n in HEADLINE]
    return Table([" ", *[label for label, _t in columns]], rows)


def _change(now: metrics.Value, before: metrics.Value) -> str:
    if now.value is None or before.value is None:
        return "—"
    if metrics.BY_NAME[now.metric].unit == "count":
        if before.value == 0:
            return "—"
        pct = (now.value - before.value) * 100 / before.value
        return f"{pct:+.2f}%"
    return f"{now.value - before.value:+.2f} 个百分点"


def _grouped(scope: FigureScope, start: date, end: date, group: str, flt: Filter | None = None):
    data = selectors.totals(scope, start, end, flt, group=group)
    names = _names(group, data)
    return data, names


def _by_table(scope, start, end, group, label, names_=("intake", "response_rate", "on_time_rate",
                                                       "solved_rate", "satisfaction_rate")):
    data, names = _grouped(scope, start, end, group)
    rows = []
    for key, t in sorted(data.items(), key=lambda kv: -kv[1].get("received", 0)):
        v = metrics.evaluate_all(t, None, names_)
        rows.append([names.get(key, "未指定"), *[show(v[n]) for n in names_]])
    return Table([label, *[metrics.BY_NAME[n].label for n in names_]], rows), data, names


def _figures(totals: dict) -> dict:
    return {n: v.as_dict() for n, v in metrics.evaluate_all(totals).items()}


def daily(scope: FigureScope, day: date, *, now: datetime | None = None, user=None) -> Report:
    t = selectors.totals(scope, day, day)
    table, data, names = _by_table(scope, day, day, "county", "县市区")
    channel, cdata, cnames = _by_table(scope, day, day, "channel", "渠道", ("intake", "answered"))
    v = _values(t)
    text = (f"{day:%Y年%m月%d日}受理诉求 {show(v['intake'])} 件，其中有效 {show(v['valid_intake'])} 件，"
            f"转办 {show(v['dispatched'])} 件，直接办结 {show(v['answered'])} 件；响应率 {show(v['response_rate'])}，"
            f"按时办结率 {show(v['on_time_rate'])}，满意率 {show(v['satisfaction_rate'])}。")
    sections = [Section("一、总体情况", [text], [_headline_table([("当日", t)])]),
                Section("二、分县市区", [], [table], [Chart("各县市区受理量", "bar",
                                                          [names.get(k, "未指定") for k in data],
                                                          {"受理": [data[k].get("received", 0) for k in data]})]),
                Section("三、分渠道", [], [channel])]
    if user is not None:
        snap = selectors.snapshot(user, now or timezone.now())
        sections[0].paragraphs.append(f"截至统计时，在办 {snap['open']} 件，超期未办结 {snap['overdue']} 件"
                                      f"（最长超期 {snap['overdue_days_max']} 天）。")
    return Report("daily", "日统计", f"{day:%Y年%m月%d日}", sections, _figures(t))


def weekly(scope: FigureScope, start: date) -> Report:
    end = start + timedelta(days=6)
    before = (start - timedelta(days=7), start - timedelta(days=1))
    t, tb = selectors.totals(scope, start, end), selectors.totals(scope, *before)
    cats, cnames = _grouped(scope, start, end, "category")
    cats_before = selectors.totals(scope, *before, group="category")
    top = sorted(cats.items(), key=lambda kv: -kv[1].get("received", 0))[:10]
    rises = sorted(((k, c.get("received", 0) - cats_before.get(k, {}).get("received", 0)) for k, c in cats.items()),
                   key=lambda kv: -kv[1])[:5]
    units, unames = _grouped(scope, start, end, "unit")
    late = sorted(((k, u.get("reply_due", 0) - u.get("reply_on_time", 0)) for k, u in units.items()),
                  key=lambda kv: -kv[1])
    returns = sorted(((k, u.get("returned", 0)) for k, u in units.items()), key=lambda kv: -kv[1])
    sections = [
        Section("一、总体情况", [], [_headline_table([("本周", t), ("上周", tb)])]),
        Section("二、热点分类", [], [Table(["分类", "受理量"], [[cnames.get(k, "未分类"), c.get("received", 0)]
                                                       for k, c in top])],
                [Chart("受理量前十的分类", "bar", [cnames.get(k, "未分类") for k, _c in top],
                       {"受理": [c.get("received", 0) for _k, c in top]})]),
        Section("三、上升最快", [f"{cnames.get(k, '未分类')}：比上周增加 {n} 件" for k, n in rises if n > 0]
                or ["本周没有分类比上周增加。"]),
        Section("四、超期与退单较多的单位", [], [
            Table(["单位", "超时答复"], [[unames.get(k, "未指定"), n] for k, n in late[:10] if n > 0], "超时答复"),
            Table(["单位", "退单"], [[unames.get(k, "未指定"), n] for k, n in returns[:10] if n > 0], "退单")]),
    ]
    return Report("weekly", "周分析", f"{start:%Y年%m月%d日}—{end:%m月%d日}", sections,
                  {"this_week": _figures(t), "last_week": _figures(tb)})


def _year_before(month: str) -> str:
    y, m = month.split("-")
    return f"{int(y) - 1}-{m}"


def monthly(scope: FigureScope, month: str) -> Report:
    start, end = services.month_bounds(month)
    last, year_ago = services.month_bounds(services.previous_month(month)), services.month_bounds(_year_before(month))
    t, tl, ty = (selectors.totals(scope, start, end), selectors.totals(scope, *last),
                 selectors.totals(scope, *year_ago))
    v, vl, vy = _values(t), _values(tl), _values(ty)
    compare = Table(["指标", "本月", "上月", "环比", "去年同月", "同比"],
                    [[metrics.BY_NAME[n].label, show(v[n]), show(vl[n]), _change(v[n], vl[n]), show(vy[n]),
                      _change(v[n], vy[n])] for n in HEADLINE])
    sup = metrics.evaluate_all(t, None, ("supervised", "supervised_solved_rate"))
    sections = [Section("一、全市总体情况", [
        f"本月受理诉求 {show(v['intake'])} 件，环比 {_change(v['intake'], vl['intake'])}，"
        f"同比 {_change(v['intake'], vy['intake'])}。督办 {show(sup['supervised'])} 件，"
        f"督办解决率 {show(sup['supervised_solved_rate'])}。"], [compare])]
    if scope.kind == "everything":
        for level, heading in (("county", "二、县市区排名"), ("unit", "三、市直部门单位排名")):
            rows = services.assess(month, level)
            named = [r["unit"] for r in rows if r["lagging"]]
            sections.append(Section(heading, [f"排名靠后、需提醒的单位：{'、'.join(named)}。" if named else
                                              "本月没有需提醒的单位。"],
                                    [Table(["名次", "单位", "得分", "等次", "较上月"],
                                           [[r["rank"], r["unit"], f"{r['score']:.2f}", r["grade"] or "—",
                                             "—" if r["movement"] is None else f"{r['movement']:+d}"] for r in rows])],
                                    [Chart(f"{heading[2:]}得分", "bar", [r["unit"] for r in rows],
                                           {"得分": [r["score"] for r in rows]})]))
    return Report("monthly", "月通报", f"{start:%Y年%m月}", sections,
                  {"this_month": _figures(t), "last_month": _figures(tl), "year_ago": _figures(ty)})


def health(scope: FigureScope, month: str, *, county: int | None = None, unit: int | None = None) -> Report:
    """体检报告 of one county or unit, inside the reader's scope (a county's staff: their county)."""
    start, end = services.month_bounds(month)
    last = services.month_bounds(services.previous_month(month))
    flt = Filter(county=county, unit=unit)
    if county:
        name = Region.objects.filter(pk=county).values_list("name", flat=True).first() or str(county)
    else:
        name = Organisation.objects.filter(pk=unit).values_list("name", flat=True).first() or str(unit)
    own, own_last = selectors.totals(scope, start, end, flt), selectors.totals(scope, *last, flt)
    city = selectors.totals(FigureScope("everything") if scope.kind == "everything" else scope, start, end)
    cats, cnames = _grouped(scope, start, end, "category", flt)
    worst = sorted(cats.items(), key=lambda kv: (kv[1].get("cb_dissatisfied", 0), kv[1].get("received", 0)),
                   reverse=True)[:5]
    v = _values(own)
    sections = [
        Section("一、主要指标", [], [_headline_table([(name, own), ("上月", own_last), ("全市", city)])]),
        Section("二、问题较多的分类", [], [Table(["分类", "受理", "不满意", "退单"],
                                         [[cnames.get(k, "未分类"), c.get("received", 0), c.get("cb_dissatisfied", 0),
                                           c.get("returned", 0)] for k, c in worst])]),
        Section("三、超期、退单与重办", [
            f"超时答复 {own.get('reply_due', 0) - own.get('reply_on_time', 0)} 件，退单 {own.get('returned', 0)} 件，"
            f"重办 {own.get('reopened', 0)} 件，响应率 {show(v['response_rate'])}。"]),
    ]
    if unit:
        from jishiban.supervision.models import ReminderLetter

        letters = ReminderLetter.objects.filter(unit_id=unit).order_by("-start")[:5]
        sections.append(Section("四、提醒记录", [f"{x.period}：{x.figures.get('overdue', 0)} 件超期、"
                                            f"{x.figures.get('returned', 0)} 件退单" for x in letters]
                                or ["近期没有提醒函。"]))
    return Report("health", "体检报告", f"{name} · {start:%Y年%m月}", sections,
                  {"own": _figures(own), "last_month": _figures(own_last), "city": _figures(city)})


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def heating_season(year: int) -> tuple[date, date]:
    """采暖季 of ``year``: 15 November of that year to 15 March of the next."""
    return date(year, 11, 15), date(year + 1, 3, 15)


# 专题 presets: the words that make an appeal part of the topic (in its title or text), and for
# the heating season its own period (15 November to 15 March).
TOPIC_PRESETS: dict[str, dict] = {
    "heating": {"title": "采暖季专题", "keywords": ("供暖", "暖气", "采暖", "供热", "室温")},
    "utilities": {"title": "水电气暖专题", "keywords": ("停水", "供水", "水压", "停电", "供电", "电压", "燃气",
                                                     "天然气", "供暖", "暖气", "供热")},
    "epidemic": {"title": "疫情防控专题", "keywords": ("疫情", "核酸", "隔离", "封控", "健康码", "疫苗", "发热")},
    "telecom": {"title": "通信运营商专题", "keywords": ("移动", "联通", "电信", "宽带", "信号", "话费", "流量", "携号转网")},
    "prepaid": {"title": "预付卡专题", "keywords": ("预付卡", "充值卡", "会员卡", "储值卡", "退卡", "退费", "跑路")},
}


def topic(scope: FigureScope, start: date, end: date, flt: Filter, *, title: str = "专题报告") -> Report:
    """专题报告 for a filter (category subtree, channel, county, unit, type, words in the text —
    ``TOPIC_PRESETS`` holds the usual ones) and any period, with the same period a year before
    and the period of the same length just before it."""
    length = end - start
    prev = (start - length - timedelta(days=1), start - timedelta(days=1))
    ago = (_shift_year(start, -1), _shift_year(end, -1))
    t, tp, ty = (selectors.totals(scope, start, end, flt), selectors.totals(scope, *prev, flt),
                 selectors.totals(scope, *ago, flt))
    v, vp, vy = _values(t), _values(tp), _values(ty)
    n, ny = t.get("received", 0), ty.get("received", 0)
    words = (f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}受理 {n} 件，去年同期 {ny} 件，"
             + (f"同比{'增加' if n >= ny else '减少'} {abs(n - ny)} 件（{_change(v['intake'], vy['intake'])}）；"
                if ny else "去年同期无数据；")
             + f"上一期 {tp.get('received', 0)} 件，环比 {_change(v['intake'], vp['intake'])}。")
    share = selectors.totals(scope, start, end).get("valid_received", 0)
    if share and flt != Filter():
        words += f"占同期全部有效受理的 {t.get('valid_received', 0) * 100 / share:.2f}%。"
    cats, cnames = _grouped(scope, start, end, "category", flt)
    counties, knames = _grouped(scope, start, end, "county", flt)
    sections = [
        Section("一、总体情况", [words], [Table(["指标", "本期", "上一期", "环比", "去年同期", "同比"],
                                          [[metrics.BY_NAME[x].label, show(v[x]), show(vp[x]), _change(v[x], vp[x]),
                                            show(vy[x]), _change(v[x], vy[x])] for x in HEADLINE])]),
        Section("二、分类", [], [Table(["分类", "受理"], [[cnames.get(k, "未分类"), c.get("received", 0)] for k, c in
                                                   sorted(cats.items(), key=lambda kv: -kv[1].get("received", 0))])]),
        Section("三、分县市区", [], [], [Chart("各县市区受理量", "bar", [knames.get(k, "未指定") for k in counties],
                                          {"本期": [c.get("received", 0) for c in counties.values()]})]),
    ]
    return Report("topic", title, f"{start:%Y-%m-%d}—{end:%Y-%m-%d}", sections,
                  {"period": _figures(t), "previous_period": _figures(tp), "year_ago": _figures(ty)})
