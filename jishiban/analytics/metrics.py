"""Every figure of the centre, defined once (pure: no Django import).

Two layers:

* **Counters** — whole numbers an appeal contributes to a day (local date in the centre's
  time zone) and a unit: ``received``, ``sign_due``, ``sign_on_time`` … ``counters(facts)``
  computes them from ``history.AppealFacts``; the daily tables store their sums.
* **Metrics** — named formulas over counter sums: numerator (with weights a scheme may set,
  such as 基本满意 counting ``w``), denominator and the unit of the value (count, %, hours).

Whether a cycle has met a deadline is known only once it has signed/replied or the deadline has
passed, so ``counters`` takes ``now``: a cycle still inside its deadline counts nowhere yet.
``docs/metrics.md`` is generated from ``METRICS`` (``markdown_table``) and a test keeps it so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from .history import AppealFacts, Cycle

Key = tuple[str, date, str | None]  # (counter, local day, unit code)
WorkMinutes = Callable[[datetime, datetime], int]

# Counter names and what one unit of each means (the docs table lists them too).
COUNTERS: dict[str, str] = {
    "received": "受理的诉求件（受理日）",
    "valid_received": "受理且未判无效、未并单（受理日）",
    "invalid": "判为无效（受理日）",
    "merged": "并入他件（受理日）",
    "withdrawn": "诉求人在答复前撤回（受理日；不是无效件，仍计有效受理）",
    "repeat": "有效受理中按重复诉求规则判为重复（受理日）",
    "answered": "直接办结（办结日）",
    "first_contact": "有效受理中直接办结的（受理日）",
    "dispatched": "首次派单（派单日）",
    "dispatches": "派单、改派与重办交办的次数（当日）",
    "returned": "退单（退单日，记退单单位）",
    "sign_due": "签收时限落在当日的办理周期",
    "sign_on_time": "其中在时限内签收",
    "accepted": "签收（签收日）",
    "sign_minutes": "签收用时，工作分钟（签收日）",
    "reply_due": "答复时限（含批准延期）落在当日的办理周期",
    "reply_on_time": "其中在时限内答复",
    "replied": "答复（答复日）",
    "reply_minutes": "派单到答复的用时，工作分钟（答复日）",
    "extension_approved": "批准延期（审批日）",
    "reopened": "重办（重办日，记原承办单位）",
    "cb_answered": "回访中回答了是否解决（回访日）",
    "cb_solved": "其中答“已解决”",
    "cb_stepwise": "其中答“未解决”但所答复为分步解决且有承诺",
    "cb_rated": "回访中给出满意度（回访日）",
    "cb_satisfied": "满意",
    "cb_basically": "基本满意",
    "cb_dissatisfied": "不满意",
    "supervised": "被督办的诉求件（首张督办单日）",
    "supervised_solved": "其中最近一次回访为已解决",
    "marked_reply_due": "领导批示或媒体关注件中答复时限落在当日的办理周期",
    "marked_reply_on_time": "其中在时限内答复",
    "marked_returned": "领导批示或媒体关注件的退单",
    "marked_reopened": "领导批示或媒体关注件的重办",
    "marked_supervised": "被督办的领导批示或媒体关注件",
    "return_rejected": "退单申请经中心审核驳回（退单理由不成立；审核日，记申请单位）",
    "marked_return_rejected": "领导批示或媒体关注件的退单被驳回",
}
# Appeals bearing one of these tags weigh more in the assessment (a scheme's ``marked_factor``):
# the counters above count their share of late replies, returns, reopenings and supervision.
MARKED_TAGS = ("领导批示", "媒体关注")
MARKED = {"reply_due": "marked_reply_due", "reply_on_time": "marked_reply_on_time", "returned": "marked_returned",
          "reopened": "marked_reopened", "supervised": "marked_supervised", "return_rejected": "marked_return_rejected"}


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str  # "count" | "percent" | "hours"
    numerator: tuple[tuple[str, str | float], ...]  # (counter, weight or the name of a scheme parameter)
    denominator: str | None
    events: str
    period: str
    deadline: str = "—"
    special: str = "—"  # how merged, invalid and directly answered appeals count


def _n(*pairs) -> tuple:
    return tuple((p, 1) if isinstance(p, str) else p for p in pairs)


DIRECT = "直接办结件无派单，不进入"
METRICS: tuple[Metric, ...] = (
    Metric("intake", "受理量", "count", _n("received"), None, "receive", "受理时间",
           special="全部计入（含后来判无效、并单、直接办结）"),
    Metric("valid_intake", "有效受理量", "count", _n("valid_received"), None, "receive", "受理时间",
           special="不含无效件与并入他件者（以当前状态为准）"),
    Metric("dispatched", "转办量", "count", _n("dispatched"), None, "首次 dispatch", "首次派单时间",
           special="改派、重办不重复计；直接办结件不计"),
    Metric("answered", "直接办结量", "count", _n("answered"), None, "answer", "直接办结时间"),
    Metric("first_contact_rate", "一次办结率", "percent", _n("first_contact"), "valid_received",
           "receive, answer", "受理时间", special="分母为有效受理"),
    Metric("response_rate", "响应率", "percent", _n("sign_on_time"), "sign_due",
           "dispatch/reopen, accept", "签收时限所在日",
           "签收时限（派单或重办时按时限规则设定）",
           f"周期在时限前被退单、改派、并单、判无效或撤回则不计；{DIRECT}"),
    Metric("on_time_rate", "按时办结率", "percent", _n("reply_on_time"), "reply_due",
           "dispatch/reopen, decide-extension, reply", "答复时限所在日",
           "答复时限，批准延期后以新时限为准",
           f"周期在时限前被退单、改派、并单、判无效或撤回则不计；{DIRECT}"),
    Metric("solved_rate", "解决率", "percent", (("cb_solved", 1), ("cb_stepwise", "stepwise_weight")),
           "cb_answered", "callback", "回访时间",
           special="分步解决且有承诺、回访答未解决者按方案参数 stepwise_weight 计入（默认 0）"),
    Metric("satisfaction_rate", "满意率", "percent", (("cb_satisfied", 1), ("cb_basically", "basically_weight")),
           "cb_rated", "callback", "回访时间", special="基本满意按方案参数 basically_weight 计（默认 1）"),
    Metric("return_rate", "退单率", "percent", _n("returned"), "dispatches", "return ÷ dispatch/reopen",
           "退单与交办时间", special="每次退单计一次；分母含改派与重办"),
    Metric("reopen_rate", "重办率", "percent", _n("reopened"), "replied", "reopen ÷ reply", "重办与答复时间"),
    Metric("extension_rate", "延期率", "percent", _n("extension_approved"), "accepted",
           "decide-extension(approved) ÷ accept", "审批与签收时间", special="只计批准的延期"),
    Metric("supervised_solved_rate", "督办解决率", "percent", _n("supervised_solved"), "supervised",
           "督办单, callback", "首张督办单日", special="最近一次回访答已解决者为已解决"),
    Metric("repeat_rate", "重复诉求率", "percent", _n("repeat"), "valid_received", "receive", "受理时间",
           special="按唯一的重复诉求规则判定；分母为有效受理"),
    Metric("avg_sign_hours", "平均签收用时", "hours", _n("sign_minutes"), "accepted", "dispatch/reopen → accept",
           "签收时间", special="工作时间（工作日历）"),
    Metric("avg_reply_hours", "平均答复用时", "hours", _n("reply_minutes"), "replied", "dispatch/reopen → reply",
           "答复时间", special="工作时间（工作日历）"),
    Metric("supervised", "督办量", "count", _n("supervised"), None, "督办单", "首张督办单日"),
    Metric("returned", "退单量", "count", _n("returned"), None, "return", "退单时间"),
    Metric("return_rejected", "退单驳回量", "count", _n("return_rejected"), None, "reject-return", "审核时间",
           special="单位申请退单、中心审核认定理由不成立而驳回，每次驳回计一次；审核通过的退单计入退单量，不计此项"),
    Metric("withdrawn", "撤回量", "count", _n("withdrawn"), None, "withdraw", "受理时间",
           special="诉求人在答复前撤回；不计无效，仍计有效受理；撤回前未到的签收、答复时限不计"),
)
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
DEFAULT_PARAMS: dict[str, float] = {"basically_weight": 1.0, "stepwise_weight": 0.0}


@dataclass(frozen=True)
class Value:
    metric: str
    numerator: Decimal
    denominator: int | None
    value: Decimal | None  # None when the denominator is 0

    def as_dict(self) -> dict:
        def plain(d):
            if d is None:
                return None
            return int(d) if d == d.to_integral_value() else float(d)
        return {"numerator": plain(self.numerator), "denominator": self.denominator, "value": plain(self.value)}


def _q(d: Decimal) -> Decimal:
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluate(metric: Metric | str, totals: Mapping[str, int], params: Mapping[str, float] | None = None) -> Value:
    """The value of ``metric`` from counter sums; rates in % and hours rounded half-up to 0.01."""
    m = BY_NAME[metric] if isinstance(metric, str) else metric
    params = {**DEFAULT_PARAMS, **(params or {})}
    num = Decimal(0)
    for counter, weight in m.numerator:
        w = Decimal(str(params[weight] if isinstance(weight, str) else weight))
        num += Decimal(int(totals.get(counter, 0))) * w
    if m.denominator is None:
        return Value(m.name, num, None, num)
    den = int(totals.get(m.denominator, 0))
    if den == 0:
        return Value(m.name, num, 0, None)
    if m.unit == "percent":
        return Value(m.name, num, den, _q(num * 100 / den))
    return Value(m.name, num, den, _q(num / 60 / den))  # minutes → hours


def evaluate_all(totals: Mapping[str, int], params: Mapping[str, float] | None = None,
                 names: Iterable[str] | None = None) -> dict[str, Value]:
    return {n: evaluate(n, totals, params) for n in (names or BY_NAME)}


# --- counters from facts -------------------------------------------------------------------------

@dataclass
class Clock:
    """What ``counters`` needs from the outside world: the centre's time zone, the working-time
    measure between two moments, and ``now`` (deadlines not yet reached count nowhere)."""

    now: datetime
    tz: str = "Asia/Shanghai"
    work_minutes: WorkMinutes = field(default=lambda a, b: max(0, int((b - a).total_seconds() // 60)))

    def __post_init__(self) -> None:
        self._zone = ZoneInfo(self.tz)
        self._days: dict[datetime, date] = {}  # the same moments come back many times in a fill

    def day(self, at: datetime) -> date:
        d = self._days.get(at)
        if d is None:
            if len(self._days) > 200_000:
                self._days.clear()
            d = self._days[at] = at.astimezone(self._zone).date()
        return d


def _deadline_counts(c: Cycle, due: datetime | None, done: datetime | None, now: datetime) -> tuple[bool, bool]:
    """(counts, met) for a deadline: met when done by the deadline; not counted while the deadline
    is still ahead and nothing is done, nor when the cycle ended (returned, re-dispatched,
    merged, invalidated, withdrawn) before the deadline without it being done."""
    if due is None:
        return False, False
    if done is not None and done <= due:
        return True, True
    if c.ended_at is not None and c.ended_at <= due and (done is None or done > c.ended_at):
        return False, False
    if done is None and due > now:
        return False, False
    return True, False


def counters(f: AppealFacts, clock: Clock) -> Counter:
    """``{(counter, day, unit): n}`` for one appeal."""
    out: Counter = Counter()
    day = clock.day

    def add(name, at, unit, n=1):
        if n:
            out[(name, day(at), unit)] += n

    lead = f.lead_unit
    add("received", f.received_at, lead)
    valid = f.invalid_at is None and f.merged_at is None
    if f.invalid_at is not None:
        add("invalid", f.received_at, lead)
    if f.merged_at is not None:
        add("merged", f.received_at, lead)
    if f.withdrawn_at is not None:
        add("withdrawn", f.received_at, lead)
    if valid:
        add("valid_received", f.received_at, lead)
        if f.repeat:
            add("repeat", f.received_at, lead)
        if f.answered_at is not None:
            add("first_contact", f.received_at, lead)
    if f.answered_at is not None:
        add("answered", f.answered_at, lead)
    if f.first_dispatch is not None:
        add("dispatched", f.first_dispatch, f.cycles[0].unit)
    for c in f.cycles:
        add("dispatches", c.start, c.unit)
        for step, due, done, did in (("sign", c.sign_due, c.signed_at, "accepted"),
                                     ("reply", c.reply_due, c.replied_at, "replied")):
            counts, met = _deadline_counts(c, due, done, clock.now)
            if counts:
                add(f"{step}_due", due, c.unit)
                add(f"{step}_on_time", due, c.unit, int(met))
            if done is not None:
                add(did, done, c.unit)
                add(f"{step}_minutes", done, c.unit, clock.work_minutes(c.start, done))
    for r in f.returns:
        add("returned", r.at, r.unit)
    for r in f.returns_rejected:
        add("return_rejected", r.at, r.unit)
    for r in f.reopenings:
        add("reopened", r.at, r.unit)
    for x in f.extension_decisions:
        if x.approved:
            add("extension_approved", x.at, x.unit)
    for cb in f.callbacks:
        if cb.solved is not None:
            add("cb_answered", cb.at, cb.unit)
            add("cb_solved", cb.at, cb.unit, int(cb.solved))
            add("cb_stepwise", cb.at, cb.unit, int(not cb.solved and cb.stepwise_promise))
        if cb.satisfaction:
            add("cb_rated", cb.at, cb.unit)
            name = {"satisfied": "cb_satisfied", "basically": "cb_basically"}.get(cb.satisfaction, "cb_dissatisfied")
            add(name, cb.at, cb.unit)
    if f.supervised_at is not None:
        add("supervised", f.supervised_at, lead)
        add("supervised_solved", f.supervised_at, lead, int(f.solved_last))
    if f.marked:
        for (name, d, unit), n in list(out.items()):
            if name in MARKED:
                out[(MARKED[name], d, unit)] += n
    return out


# --- documentation ----------------------------------------------------------------------------------

UNIT_LABEL = {"count": "件", "percent": "%", "hours": "工作小时"}


def _formula(m: Metric) -> str:
    parts = [c if w == 1 else f"{w} × {c}" for c, w in m.numerator]
    top = " + ".join(f"`{p}`" for p in parts)
    return top if m.denominator is None else f"({top}) ÷ `{m.denominator}`"


def markdown_table() -> str:
    """The tables of docs/metrics.md (a test checks the file contains them)."""
    rows = ["| 名称 | 指标 | 单位 | 公式 | 事件 | 归期 | 时限 | 无效、并单、直接办结等 |", "|---|---|---|---|---|---|---|---|"]
    for m in METRICS:
        rows.append(f"| `{m.name}` | {m.label} | {UNIT_LABEL[m.unit]} | {_formula(m)} | {m.events} | {m.period} "
                    f"| {m.deadline} | {m.special} |")
    rows += ["", "| 计数器 | 含义 |", "|---|---|"]
    rows += [f"| `{k}` | {v} |" for k, v in COUNTERS.items()]
    return "\n".join(rows) + "\n"


# --- grid work (网格化服务管理) -------------------------------------------------------------------
# Counters of grid events, visit tasks and the appeals located in grids, summed per county by the
# assessment source ``grid`` (``grid/figures.py``, registered in ``sources.SOURCES``); the rates
# are ordinary metrics, so a scheme may weight them like the 三率.

GRID_COUNTERS: dict[str, str] = {
    "grid_reported": "上报的网格事件（上报日）",
    "grid_valid": "其中未被判不予立案的（上报日）",
    "grid_on_spot": "就地解决（结案日）",
    "grid_escalated": "上报乡镇街道或转入12345（上报去向的那一步之日）",
    "grid_escalated_county": "乡镇街道解决不了、上报县市区的（上报县市区之日）",
    "grid_verify_done": "核查（通过或返工，核查日）",
    "grid_verified_on_time": "其中在核查时限内核查通过的",
    "grid_returned": "返工（返工日）",
    "grid_appeals": "位于网格内的诉求件（受理日）",
    "grid_repeat_appeals": "其中按重复诉求规则判为重复的",
    "grid_residents": "所辖网格的常住人口（按当前网格资料）",
    "grid_visits": "未诉先办建议走访任务（生成日）",
    "grid_visits_done": "其中已完成的",
}
_GRID = "网格事件 EventStep"
GRID_METRICS: tuple[Metric, ...] = (
    Metric("grid_reported", "网格事件上报量", "count", _n("grid_reported"), None, "collect", "上报时间", special=_GRID),
    Metric("grid_valid_rate", "网格事件有效率", "percent", _n("grid_valid"), "grid_reported", "collect, invalidate",
           "上报时间", special="不予立案者为无效"),
    Metric("grid_on_spot_rate", "就地解决率", "percent", _n("grid_on_spot"), "grid_valid", "solve_on_spot ÷ collect",
           "结案与上报时间"),
    Metric("grid_escalated", "网格上报量", "count", _n("grid_escalated"), None, "escalate_town, escalate_appeal",
           "上报去向时间"),
    Metric("grid_escalated_county", "乡镇上报县市区量", "count", _n("grid_escalated_county"), None, "escalate_county",
           "上报县市区时间", special="不计入网格上报量"),
    Metric("grid_verify_on_time_rate", "按时核查率", "percent", _n("grid_verified_on_time"), "grid_verify_done",
           "feed_back, verify, rework", "核查时间", "反馈后 JISHIBAN_GRID_VERIFY_HOURS 个工作小时",
           "返工计入分母、不计入分子"),
    Metric("grid_returned", "返工量", "count", _n("grid_returned"), None, "rework", "返工时间"),
    Metric("grid_appeals_per_1000", "每千人诉求量", "percent", (("grid_appeals", 10),), "grid_residents", "receive",
           "受理时间", special="值即每千名常住人口的诉求件数（分子 ×10 后按百分比计算）"),
    Metric("grid_repeat_rate", "网格重复诉求率", "percent", _n("grid_repeat_appeals"), "grid_appeals", "receive",
           "受理时间", special="唯一的重复诉求规则"),
    Metric("grid_visit_done_rate", "未诉先办走访完成率", "percent", _n("grid_visits_done"), "grid_visits",
           "visit task", "生成时间"),
)
BY_NAME.update({m.name: m for m in GRID_METRICS})

# What one row of each kind contributes (pure): a step of a grid event, a visit task, an appeal.
_GRID_STEP_COUNTERS = {"collect": ("grid_reported",), "solve_on_spot": ("grid_on_spot",),
                       "escalate_town": ("grid_escalated",), "escalate_appeal": ("grid_escalated",),
                       "escalate_county": ("grid_escalated_county",),
                       "verify": ("grid_verify_done",), "rework": ("grid_verify_done", "grid_returned")}


def grid_step_counters(action: str, *, invalid: bool = False, on_time: bool = False) -> Counter:
    """The counters one grid event step adds; ``invalid``: the event was later not admitted."""
    out = Counter({name: 1 for name in _GRID_STEP_COUNTERS.get(action, ())})
    if action == "collect" and not invalid:
        out["grid_valid"] += 1
    if action == "verify" and on_time:
        out["grid_verified_on_time"] += 1
    return out


def grid_markdown_table() -> str:
    """The grid section of docs/metrics.md."""
    rows = ["| 名称 | 指标 | 单位 | 公式 | 事件 | 归期 | 时限 | 说明 |", "|---|---|---|---|---|---|---|---|"]
    for m in GRID_METRICS:
        rows.append(f"| `{m.name}` | {m.label} | {UNIT_LABEL[m.unit]} | {_formula(m)} | {m.events} | {m.period} "
                    f"| {m.deadline} | {m.special} |")
    rows += ["", "| 计数器 | 含义 |", "|---|---|"]
    rows += [f"| `{k}` | {v} |" for k, v in GRID_COUNTERS.items()]
    return "\n".join(rows) + "\n"
