"""A month and a half of appeals around a given moment, through the real services: three counties
and a functional zone, two channels, four categories, towns, some dispatched and left past their
deadlines, some replied and called back, two under a supervision order; then the analytics fill
and the cockpit's summary."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from jishiban.analytics import rollup
from jishiban.appeals import services
from jishiban.appeals.filters import day_bounds
from jishiban.supervision.services.orders import open_order
from jishiban.testing import make_appeal

from .. import services as cockpit_services

H = timedelta(hours=1)
PLACES = [("370811", "370811005"), ("370811", "370811007"), ("370812", ""), ("370883", ""), ("370871", "370871001")]
CATEGORIES = ["010101", "010102", "020101", "0201"]
CHANNELS = ["12345-phone", "12345-web"]


def make_stock(p, now: datetime, n: int = 36, seed: int = 7) -> list:
    rnd = random.Random(seed)
    made = []
    midnight = day_bounds(timezone.localdate(now))[0]
    for i in range(n):
        at = now - timedelta(days=(i * 37) // n, hours=rnd.randint(1, 5))
        if i < len(PLACES):  # one of each place today, whatever the hour: today and this month have intake
            at = now - min(H, (now - midnight) / 2)
        county, town = PLACES[i % len(PLACES)]
        a = make_appeal(received_at=at, county=county, town=town or None, category=CATEGORIES[i % len(CATEGORIES)],
                        channel=CHANNELS[i % 2], title=f"测试诉求{i}")
        if i % 3 == 0:
            made.append(a)
            continue  # still waiting for dispatch
        a = services.dispatch(a, by=p.dispatcher, lead_unit=p.water if i % 2 else p.urban, at=at + H)
        if i % 3 == 1:
            handler = p.handler if i % 2 else p.other_handler
            a = services.accept(a, by=handler, at=at + 2 * H)
            if at + 30 * H < now:
                a = services.reply(a, by=handler, result_type="solved", text="已处理", at=at + 30 * H)
                a = services.callback(a, by=p.supervisor, satisfaction="satisfied", solved=i % 4 != 0, at=at + 40 * H)
                if i % 5 == 1:
                    open_order(a, reason="key", by=p.supervisor, requirement="请落实", now=at + 41 * H)
        made.append(a)
    return made


def fill(now: datetime) -> None:
    rollup.fill(now=now)
    start, end = cockpit_services.window(timezone.localdate(now))
    cockpit_services.refresh(start, end, now=now)
