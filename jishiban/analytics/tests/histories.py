"""A generated history with every state, driven through the real services at chosen times:
direct answers, invalid and merged appeals, returns and re-dispatches, extensions approved and
refused, stepwise replies, callbacks of every verdict, reopenings, closings without callback,
supervision orders, returns asked for and approved or rejected on review (退单审核), and appeals
left open past their deadlines."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from jishiban.appeals import services
from jishiban.supervision.services.orders import open_order
from jishiban.testing import make_appeal, return_reviewed, working_days_later

Z = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
D = timedelta(days=1)
SCENARIOS = 10


def start_of(day: int) -> datetime:
    # Working mornings of September 2026 (Mondays to Thursdays), 09:00 local time.
    days = [d for d in range(1, 31) if datetime(2026, 9, d, tzinfo=Z).weekday() < 4]
    return datetime(2026, 9, days[day % len(days)], 9, 0, tzinfo=Z)


def one(p, scenario: int, t: datetime, rnd: random.Random, previous=None):
    county = rnd.choice(["370811", "370812"])
    a = make_appeal(received_at=t, county=county, appeal_type=rnd.choice(["complaint", "help", "consult"]),
                    channel=rnd.choice(["12345-phone", "12345-web"]), tags=["repeat"] if rnd.random() < 0.2 else [])
    a.refresh_from_db()  # smart help may have annotated it after commit (transactional tests)
    s = services
    unit, worker = (p.water, p.handler) if rnd.random() < 0.6 else (p.urban, p.other_handler)
    if scenario == 0:
        return s.answer_directly(a, by=p.operator, text="已解答相关政策", at=t + H)
    if scenario == 1:
        return s.invalidate(a, by=p.dispatcher, reason="骚扰电话", at=t + H)
    if scenario == 2 and previous is not None and previous.status not in ("merged", "invalid"):
        return s.merge(a, by=p.dispatcher, into=previous, at=t + H)
    a = s.dispatch(a, by=p.dispatcher, lead_unit=unit, at=t + H)
    if scenario in (2, 3):
        return a  # never signed: past its deadlines
    if scenario == 5 and rnd.random() < 0.5:
        a = return_reviewed(a, by=worker, reviewer=p.dispatcher, reason="不属于本单位职责", at=t + 2 * H)
        unit, worker = (p.urban, p.other_handler) if unit == p.water else (p.water, p.handler)
        a = s.dispatch(a, by=p.dispatcher, lead_unit=unit, at=t + 3 * H)
    elif scenario == 5:  # 退单审核: asked, approved by the dispatcher, re-dispatched
        a = s.request_return(a, by=worker, reason="不属于本单位职责", at=t + 1.5 * H)
        a = s.approve_return(a, by=p.dispatcher, note="属实", at=t + 2.5 * H)
        unit, worker = (p.urban, p.other_handler) if unit == p.water else (p.water, p.handler)
        a = s.dispatch(a, by=p.dispatcher, lead_unit=unit, at=t + 3 * H)
    if scenario == 9:
        a = s.dispatch(a, by=p.dispatcher, lead_unit=unit, at=t + 2 * H)
    if scenario == 8:  # 退单审核: asked before signing, judged unjustified and sent back
        a = s.request_return(a, by=worker, reason="不属于本单位职责", at=t + 1.5 * H)
        a = s.reject_return(a, by=p.dispatcher, reason="该事项属本单位职责，请办理", at=t + 1.75 * H)
    late = rnd.random() < 0.3
    a = s.accept(a, by=worker, at=t + (6 * H if late else 2 * H) + (3 * H if scenario == 5 else timedelta()))
    if scenario == 8:
        return a  # signed, never replied
    if scenario == 6:
        a = s.request_extension(a, by=worker, new_deadline=working_days_later(a.reply_deadline, 3), reason="需协调施工",
                                at=t + D)
        a = s.decide_extension(a, by=p.supervisor, approve=rnd.random() < 0.7, reason="理由不充分", at=t + 2 * D)
    reply_at = t + (rnd.choice([2, 4, 9]) * D)
    if scenario == 5:
        a = s.reply(a, by=worker, result_type="stepwise", text="已列入维修计划", promise="本月底前修复",
                    follow_up_date=(reply_at + 20 * D).date(), at=reply_at)
    else:
        a = s.reply(a, by=worker, result_type=rnd.choice(["solved", "explained"]), text="已处理", at=reply_at)
    if scenario == 9:
        return s.close(a, by=p.supervisor, reason="联系不上诉求人", at=reply_at + D)
    verdict = rnd.choice(["satisfied", "basically", "dissatisfied"])
    a = s.callback(a, by=p.supervisor, satisfaction=verdict, solved=verdict != "dissatisfied" and scenario != 5,
                   at=reply_at + D)
    if scenario == 7 or (verdict == "dissatisfied" and rnd.random() < 0.5):
        a = s.reopen(a, by=p.supervisor, reason="群众不满意，重新办理", at=reply_at + 2 * D)
        a = s.accept(a, by=worker, at=reply_at + 2 * D + H)
        a = s.reply(a, by=worker, result_type="solved", text="已重新处理", at=reply_at + 4 * D)
        return a
    if scenario == 4 and rnd.random() < 0.3:
        open_order(a, reason="key", by=p.supervisor, requirement="请尽快落实", now=reply_at + D + H)
    return s.close(a, by=p.supervisor, at=reply_at + 2 * D)


def make_history(p, n: int = 40, seed: int = 12):
    rnd = random.Random(seed)
    previous = None
    made = []
    for i in range(n):
        a = one(p, i % SCENARIOS, start_of(i) + timedelta(minutes=i), rnd, previous)
        made.append(a)
        previous = a
    return made
