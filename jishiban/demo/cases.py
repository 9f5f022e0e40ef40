"""Drawing the demo's cases: when, where, what about, through which channel, to which unit.

``World`` holds the reference rows in memory (so drawing 20,000 cases does no per-case query);
``Drawer`` turns a seeded ``random.Random`` into ``Case`` objects whose ``plan`` the history
simulator walks. The shapes follow a real 12345 line: office-hour peaks, quieter weekends and
holidays, the heating-season rush from 15 November, county volumes by population.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from jishiban.accounts.models import Role, User
from jishiban.accounts.policy import dispatch_units
from jishiban.appeals.models import Appeal, AppealType
from jishiban.channels.models import Channel
from jishiban.organisations.models import Organisation, OrgKind
from jishiban.organisations.selectors import unit_for_domain
from jishiban.regions.models import Region, RegionLevel
from jishiban.taxonomy.models import Category

from . import texts
from .history import Plan
from .people import GRID_WORKER_GRID, grid_box

# Residents (10k), roughly; the functional zones take part of 任城区 and 嘉祥县.
COUNTY_WEIGHTS = {
    "370811": 125, "370883": 110, "370829": 75, "370832": 70, "370830": 65, "370812": 63, "370826": 60,
    "370828": 60, "370881": 60, "370831": 50, "370827": 42, "370871": 30, "3708TB": 25, "3708JK": 15,
}
# Approximate seats (lat, lon) of each management unit.
CENTRES = {
    "370811": (35.405, 116.585), "370812": (35.552, 116.785), "370826": (34.810, 117.130),
    "370827": (35.012, 116.650), "370828": (35.067, 116.311), "370829": (35.408, 116.342),
    "370830": (35.732, 116.497), "370831": (35.665, 117.251), "370832": (35.802, 116.096),
    "370871": (35.420, 116.670), "370881": (35.581, 116.986), "370883": (35.401, 116.966),
    "3708TB": (35.360, 116.570), "3708JK": (35.370, 116.450),
}
URBAN_UNITS = {"370811", "370871", "3708TB", "3708JK"}
CHANNEL_WEIGHTS = {
    "12345-phone": 55, "12345-wechat": 12, "jishiban-app": 8, "12345-web": 6, "grid": 4, "enterprise": 3,
    "minyi-5": 2, "people-board": 2, "xianghu": 2, "wenzheng": 2, "public-opinion": 1.5, "gov-supervision": 1,
    "open311": 0.5,
}
EXTERNAL_PREFIX = {"12345-web": "WEB", "12345-wechat": "WX", "jishiban-app": "APP", "enterprise": "QY",
                   "minyi-5": "MY", "people-board": "RMW", "gov-supervision": "GWY", "xianghu": "XH",
                   "wenzheng": "WZ", "public-opinion": "YQ", "open311": "O311"}
LEAF_WEIGHTS = {
    "010101": 5, "010102": 2.5, "010103": 1.5, "010201": 2, "010202": 1, "010203": 0.3, "010301": 1.5,
    "010302": 1, "020101": 3, "020102": 1, "020103": 1.2, "020104": 1.5, "020201": 3, "020202": 1,
    "020203": 0.7, "020301": 0.3, "020302": 0.7, "020303": 0.6, "020401": 6, "020402": 1.5, "020403": 1,
    "030101": 2.5, "030102": 2.5, "030103": 2, "030201": 1.5, "030202": 1.5, "030203": 0.5, "030301": 1,
    "030302": 0.5, "040101": 2.5, "040102": 1.5, "040201": 1, "040202": 1.2, "040301": 0.5, "050101": 4,
    "050102": 1, "050201": 1.5, "050202": 1.5, "050301": 0.8, "050302": 0.5, "060101": 2, "060102": 0.8,
    "060103": 0.5, "060201": 0.4, "070101": 0.8, "070102": 1, "070201": 0.3, "070202": 0.1, "080101": 1.5,
    "080102": 2, "080103": 1, "080201": 1.2, "090101": 1.5, "090102": 0.8, "090201": 1, "090202": 0.4,
    "100101": 0.8, "100102": 1.5, "100201": 1, "110101": 0.8, "110102": 0.8, "110103": 0.8, "120101": 0.6,
    "120102": 0.8, "130101": 3, "130102": 3,
}
REPORT_PRONE = {"030103", "040201", "040301", "080103", "080201", "100101", "110101", "060102"}
CONSULT_PRONE = {"050201", "050301", "050302", "070201", "100201", "020402", "060101", "010202"}
TYPE_WEIGHTS = {AppealType.COMPLAINT: 50, AppealType.HELP: 22, AppealType.CONSULT: 15,
                AppealType.SUGGESTION: 8, AppealType.REPORT: 1, AppealType.OTHER: 2}
HOUR_WEIGHTS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 4, 6, 6.5, 5.5, 3, 3.5, 5.5, 6, 5.5, 4, 2.5, 2.5,
                2.5, 2, 1.2, 0.6)
# City-level units that take a third of their domain's appeals, so their inboxes are full.
CITY_SHARE = {"water": "city-water", "power": "ent-power"}


def in_heating(day: date) -> tuple[bool, bool]:
    """(in the heating season 15 Nov – 15 Mar, in its first weeks)."""
    m, d = day.month, day.day
    season = (m == 11 and d >= 15) or m in (12, 1, 2) or (m == 3 and d <= 15)
    return season, season and (m == 11 or (m == 12 and d <= 10))


def season_factor(leaf: str, day: date) -> float:
    heating, early = in_heating(day)
    m = day.month
    if leaf in ("020401", "020403"):
        return 4.0 if early else (1.0 if heating else 0.03)
    if leaf == "020402":
        return 2.0 if early or (m == 10 and day.day >= 15) else (0.6 if heating else 0.15)
    if leaf in ("020201", "020202", "100102", "040202", "040102"):
        return 1.8 if m in (6, 7, 8) else 1.0
    if leaf == "020101":
        return 1.5 if m in (7, 8) else 1.0
    if leaf == "040101":
        return 1.3 if 4 <= m <= 10 else 0.6
    if leaf == "060101":
        return 3.0 if m in (6, 7, 8) else 0.5
    if leaf == "050101":
        return 2.0 if m in (12, 1, 2) else 1.0
    return 1.0


def id_number(rng: random.Random, region: str) -> str:
    """A synthetic 18-digit resident ID with a valid check digit."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(55 * 365))
    body = f"{region[:6] if region.isdigit() else '370811'}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


@dataclass(eq=False)
class Case:
    received_at: datetime
    leaf: Category
    county: Region
    town: Region | None
    channel: Channel
    plan: Plan
    seed: int
    grid: Region | None = None
    values: dict = field(default_factory=dict)  # the remaining Appeal fields
    citizen: bool = False
    number: str = ""
    force: str = ""  # the state this case must end in (coverage), "" for a natural case
    appeal: Appeal | None = None  # the unsaved row, built once the case is complete


class World:
    """Reference rows in memory, loaded once."""

    def __init__(self, now: datetime, calendar, grids: list[Region]):
        self.now, self.calendar, self.grids = now, calendar, grids
        self.channels = {c.code: c for c in Channel.objects.filter(code__in=CHANNEL_WEIGHTS)}
        self.leaves = {c.code: c for c in Category.objects.filter(level=3, is_active=True, code__in=LEAF_WEIGHTS)
                       .select_related("parent__parent")}
        self.domains = {code: leaf.profile("domain") for code, leaf in self.leaves.items()}
        self.urgent = {code: leaf.is_urgent() for code, leaf in self.leaves.items()}
        self.counties = {r.code: r for r in Region.objects.filter(level=RegionLevel.COUNTY, code__in=COUNTY_WEIGHTS)}
        self.towns: dict[str, list[Region]] = {code: [] for code in self.counties}
        county_codes = {county.pk: code for code, county in self.counties.items()}
        for town in Region.objects.filter(level=RegionLevel.TOWN).order_by("sort", "code"):
            if town.parent_id in county_codes:
                self.towns[county_codes[town.parent_id]].append(town)
        units = list(Organisation.objects.filter(is_active=True).exclude(kind=OrgKind.CENTRE).select_related("region"))
        self.units = {u.code: u for u in units}
        self.town_units = {u.region.code: u for u in units if u.kind == OrgKind.TOWN}
        self.county_units: dict[str, list[Organisation]] = {}
        for u in units:
            if u.level == "county":
                self.county_units.setdefault(u.region.code, []).append(u)
        self.city_units = [u for u in units if u.level == "city"]
        self._leads: dict[tuple, Organisation | None] = {}
        self._county_desk: dict[str, set[str]] = {}
        self.grid_boxes = {g.code: grid_box(g) for g in grids}

    def county_desk_units(self, county: Region) -> set[str]:
        """The codes of the units the county's centre staff may dispatch to: the role policy's
        one rule (``accounts.policy.dispatch_units``), asked for a county staff member."""
        if county.code not in self._county_desk:
            staff = User(role=Role.COUNTY_STAFF, region=county, is_active=True)
            self._county_desk[county.code] = set(
                Organisation.objects.filter(dispatch_units(staff)).values_list("code", flat=True))
        return self._county_desk[county.code]

    def lead_for(self, domain: str, county: Region, town: Region | None) -> Organisation | None:
        key = (domain, county.pk, town.pk if town and domain == "town" else None)
        if key not in self._leads:
            self._leads[key] = unit_for_domain(domain, county=county, town=town)
        return self._leads[key]


class Drawer:
    def __init__(self, world: World, rng: random.Random):
        self.w, self.rng = world, rng
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localtime(world.now).date()
        self.frequent = [(texts.person_name(rng), texts.mobile(rng)) for _ in range(150)]
        self._leaf_weights: dict[date, list[float]] = {}
        self.leaf_codes = sorted(world.leaves)

    # -- when ----------------------------------------------------------------------------

    def receipt_times(self, n: int) -> list[datetime]:
        days = [self.today - timedelta(days=k) for k in range(364, -1, -1)]
        weights = []
        for k, day in enumerate(days):
            weight = 0.85 + 0.3 * k / 364
            if not self.w.calendar.is_working_day(day):
                weight *= 0.55
            heating, early = in_heating(day)
            weight *= 1.3 if early else (1.08 if heating else 1.0)
            weights.append(weight)
        now_local = timezone.localtime(self.w.now)
        weights[-1] *= sum(HOUR_WEIGHTS[: now_local.hour + 1]) / sum(HOUR_WEIGHTS)
        return sorted(self.moment(day) for day in self.rng.choices(days, weights, k=n))

    def moment(self, day: date, hours=None) -> datetime:
        rng = self.rng
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0] if hours is None else rng.choice(hours)
        at = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=self.tz)
        if at > self.w.now:
            at = self.w.now - timedelta(minutes=rng.randint(1, 50))
        return at

    def ago(self, minutes: tuple[int, int]) -> datetime:
        return self.w.now - timedelta(minutes=self.rng.randint(*minutes))

    # -- what and where -------------------------------------------------------------------

    def leaf_for(self, day: date) -> str:
        if day not in self._leaf_weights:
            self._leaf_weights[day] = [LEAF_WEIGHTS[c] * season_factor(c, day) for c in self.leaf_codes]
        return self.rng.choices(self.leaf_codes, self._leaf_weights[day])[0]

    def case(self, at: datetime, *, leaf: str | None = None, channel: str | None = None, county: str | None = None,
             kind: str | None = None, lead: str | None = None, first_lead: str | None = None,
             returns: int | None = None, halt: str = "", citizen_user=None) -> Case:
        rng, w = self.rng, self.w
        local = timezone.localtime(at)
        leaf = leaf or self.leaf_for(local.date())
        channel = channel or rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        grid = None
        if channel == "grid":
            grid = next(g for g in w.grids if g.code == GRID_WORKER_GRID) if rng.random() < 0.35 else rng.choice(w.grids)
            county_row, town = w.counties["370811"], grid.parent.parent  # grid → community → town
            if not 8 <= local.hour < 18:
                at = self.moment(local.date(), hours=range(9, 17))
        else:
            county_row = w.counties[county or rng.choices(list(COUNTY_WEIGHTS), list(COUNTY_WEIGHTS.values()))[0]]
            towns = w.towns.get(county_row.code) or [None]
            town = rng.choice(towns) if rng.random() < 0.93 else None
        category = w.leaves[leaf]
        case = Case(received_at=at, leaf=category, county=county_row, town=town, grid=grid,
                    channel=w.channels[channel], plan=Plan(received_at=at, leaf=leaf), seed=rng.getrandbits(63),
                    citizen=citizen_user is not None, force=halt)
        self._describe(case, citizen_user)
        self._route(case, kind=kind, lead=lead, first_lead=first_lead, returns=returns)
        case.plan.halt = halt
        case.plan.actors = self._actors(case)
        return case

    def _describe(self, case: Case, citizen_user) -> None:
        rng, leaf = self.rng, case.leaf.code
        appeal_type = self._type(leaf)
        county = case.county.short_name or case.county.name
        town = case.town.name if case.town else ""
        place = {
            "county": county, "county_bare": county[:-1] if len(county) == 3 and county[-1] in "区县市" else county,
            "town": town, "village": texts.village(rng), "xq": rng.choice(texts.XIAOQU),
            "urban": case.county.code in URBAN_UNITS and town.endswith("街道"),
            "rural": town.endswith(("镇", "乡")),
        }
        place["road"] = rng.choice(texts.CITY_ROADS if place["urban"] else texts.COUNTY_ROADS)
        title, content = texts.appeal_text(rng, leaf, case.channel.kind, place)
        if citizen_user is not None:
            name, phone, anonymous = citizen_user.first_name, citizen_user.phone, False
        elif rng.random() < 0.06:
            name, phone = rng.choice(self.frequent)
            anonymous = False
        else:
            anonymous = rng.random() < 0.04
            name, phone = ("" if anonymous else texts.person_name(rng)), texts.mobile(rng)
        lat, lon = self._point(case)
        tags = []
        heating, _ = in_heating(timezone.localtime(case.received_at).date())
        if heating and leaf.startswith("0204"):
            tags.append("供暖季")
        extras = {"enterprise": rng.choice(texts.COMPANIES)} if case.channel.code == "enterprise" else {}
        case.values = {
            "title": title, "content": content, "address": texts.address(rng, place) if town else "",
            "citizen_name": name, "citizen_phone": phone, "anonymous": anonymous,
            "citizen_id_number": id_number(rng, case.county.code) if rng.random() < 0.08 else "",
            "confidential": appeal_type == AppealType.REPORT or rng.random() < 0.02,
            "appeal_type": appeal_type, "urgent": self.w.urgent[leaf] or rng.random() < 0.01,
            "lat": lat, "lon": lon, "tags": tags, "extras": extras, "citizen_user": citizen_user,
        }

    def _type(self, leaf: str) -> str:
        weights = dict(TYPE_WEIGHTS)
        if leaf.startswith("13"):
            weights = {AppealType.CONSULT: 90, AppealType.SUGGESTION: 5, AppealType.OTHER: 5}
        elif leaf in REPORT_PRONE:
            weights[AppealType.REPORT] = 40
        elif leaf in CONSULT_PRONE:
            weights[AppealType.CONSULT] = 50
        elif leaf == "090101":
            weights[AppealType.SUGGESTION] = 40
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _point(self, case: Case) -> tuple[Decimal | None, Decimal | None]:
        rng = self.rng
        if case.grid is not None:
            west, south, east, north = self.w.grid_boxes[case.grid.code]
            lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        elif case.town is None or rng.random() < 0.25:
            return None, None
        else:
            base_lat, base_lon = CENTRES[case.county.code]
            spread = 0.04 if case.county.code in URBAN_UNITS else 0.15
            spot = random.Random(case.town.code)  # a town keeps its place between runs
            lat = base_lat + spot.uniform(-spread, spread) + rng.gauss(0, 0.006)
            lon = base_lon + spot.uniform(-spread, spread) + rng.gauss(0, 0.006)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")

    # -- who handles it --------------------------------------------------------------------

    def _route(self, case: Case, *, kind: str | None, lead: str | None, first_lead: str | None,
               returns: int | None) -> None:
        rng, w, p, leaf = self.rng, self.w, case.plan, case.leaf.code
        domain = w.domains[leaf]
        if kind is None:
            roll = rng.random()
            answer = 0.85 if leaf.startswith("13") else (0.2 if case.values["appeal_type"] == "consult" else 0.02)
            kind = "answer" if roll < answer else ("invalid" if roll < answer + 0.015 else (
                "merge" if roll < answer + 0.035 else "dispatch"))
        p.kind = kind
        unit = w.units.get(lead) if lead else self._lead(case, domain)
        if returns is None:
            roll = rng.random()
            returns = 2 if roll < 0.01 else (1 if roll < 0.07 else 0)
        wrong = self._others(case, unit, returns)
        if first_lead and wrong:
            wrong[0] = w.units[first_lead]
            if unit == wrong[0]:
                unit = w.lead_for(domain, case.county, None) or self._others(case, unit, 1)[0]
        p.leads = [u.code for u in [*wrong, unit]]
        p.unit_names = {u.code: u.name for u in [*wrong, unit]}
        if wrong:
            p.explanations = [f"派单员人工选择 {wrong[0].name}（分类“{case.leaf.name}”，{case.county.name}）"]
        else:
            p.explanations = [f"分类“{case.leaf.name}”（职能领域 {domain or '—'}）+ {case.county.name} → {unit.name}"]
        for before, after in zip([*wrong, unit], [*wrong, unit][1:], strict=False):
            p.explanations.append(f"{before.name} 退单，改派 {after.name}")
        co = []
        town_unit = w.town_units.get(case.town.code) if case.town else None
        if town_unit and town_unit != unit and rng.random() < 0.08:
            co.append(town_unit)
        if unit.level == "county" and unit.parent_id and rng.random() < 0.05:
            parent = next((u for u in w.city_units if u.pk == unit.parent_id), None)
            if parent is not None:
                co.append(parent)
        p.co_units = [u.code for u in co]
        p.unit_names.update({u.code: u.name for u in co})

    def _lead(self, case: Case, domain: str) -> Organisation:
        rng, w = self.rng, self.w
        if domain in CITY_SHARE and rng.random() < 1 / 3:
            return w.units[CITY_SHARE[domain]]
        if domain == "telecom":
            return rng.choice([u for u in w.city_units if u.domain == "telecom"])
        if domain and domain not in ("town", "gas", "heating") and rng.random() < 0.08:
            city = [u for u in w.city_units if u.domain == domain]
            if city:
                return city[0]
        unit = w.lead_for(domain, case.county, case.town) if domain else None
        if unit is None:  # no domain, or a town without its own office: the dispatcher's usual choice
            unit = w.lead_for("hrss" if not domain else "agriculture", case.county, None)
        return unit

    def _others(self, case: Case, unit: Organisation, count: int) -> list[Organisation]:
        """Units an appeal is wrongly sent to first (they return it)."""
        if not count:
            return []
        pool = [u for u in self.w.county_units.get(case.county.code, []) if u != unit]
        if case.town and case.town.code in self.w.town_units:
            pool.append(self.w.town_units[case.town.code])
        pool = [u for u in pool if u != unit] or [u for u in self.w.city_units if u != unit]
        return self.rng.sample(pool, min(count, len(pool)))

    def _actors(self, case: Case) -> dict[str, str | None]:
        rng = self.rng
        local = case.county.code == "370811"
        # County staff dispatch only where the policy lets them; other appeals the city desk routes.
        county_desk = local and rng.random() < 0.3 and \
            set(case.plan.leads + case.plan.co_units) <= self.w.county_desk_units(case.county)
        receive = "operator" if case.channel.kind == "phone" else None
        if case.grid is not None:
            receive = f"grid:{case.grid.code}"
        if case.citizen:
            receive = "citizen"
        return {
            "receive": receive, "answer": "operator",
            "desk": "county" if county_desk else "dispatcher",
            "review": "county" if local and rng.random() < 0.3 else "supervisor",
            "callback": "citizen" if case.citizen and rng.random() < 0.6 else "operator",
        }
