"""A deterministic evaluation set for the address resolver, generated from the gazetteer.

Every case is built from templates over the real gazetteer (158 towns, 14 management units)
with a seeded RNG, so the same code always yields the same cases. Kinds:

``full``        山东省济宁市 + county + town + village + house number + problem
``county_town`` short county name + town
``town_only``   town name without county
``colloquial``  bare town names with a cue (住在唐口这边), 街道办/办事处, old 镇 names
``typo``        one confusable character in the county or town name (兖洲区)
``zone``        高新区 / 太白湖 / 经开区 and their towns, with and without 济宁
``county_only`` county names (full and short), former names, landmarks
``other_city``  addresses in other cities, several with Jining-like names (济南市高新区) → no county
``city_only``   only 济宁 named → no county
``no_place``    no place at all → no county

The set tests the rules it was written with; it is a regression guard and a sanity measure,
not an independent estimate of accuracy on citizens' real addresses.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from pathlib import Path

from jishiban.smart.geocode.gazetteer import (
    Gazetteer,
    default_aliases,
    default_gazetteer,
    default_landmarks,
    load_landmarks,
)

PROBLEMS = [
    "路灯不亮已经一个月了", "小区物业乱收费", "污水横流无人管理", "道路坑洼不平，雨天积水", "夜间施工噪音扰民",
    "违章建筑占用消防通道", "学校门口上下学交通拥堵", "工地拖欠农民工工资", "自来水水质发黄", "冬季供暖温度不达标",
    "垃圾清运不及时，气味很大", "农田灌溉渠被堵", "养殖场臭味扰民", "公交站台损坏", "小区电梯经常停运",
    "村里道路硬化没有完成", "希望增设红绿灯", "饭店油烟扰民", "井盖丢失存在安全隐患", "低保申请迟迟没有结果",
]
VILLAGES = ["前进", "东风", "红旗", "新华", "幸福", "和平", "胜利", "团结", "光明", "建设", "永安", "富民", "兴旺", "东关", "北园"]
PREFIXES = ["", "", "您好，", "我是", "反映：", "市民来电：", "请领导关注，"]
OTHER_CITY = [
    "济南市高新区舜华路", "济南市历下区泉城路", "济南高新区", "北京市朝阳区建国路", "成都市高新区天府大道",
    "青岛市市北区辽宁路", "菏泽市单县人民路", "河北省沧州市太平镇", "江苏省徐州市沛县", "枣庄市市中区",
    "泰安市新泰市青云街道", "临沂市兰山区", "河南省南阳市卧龙区", "济南市济阳区济阳街道", "上海市浦东新区",
    "淄博市高新区", "郑州市经开区", "潍坊市高新区", "徐州市经济技术开发区", "广东省深圳市南山区",
    "哈尔滨市香坊区", "菏泽市郓城县", "泰安市东平县", "滨州市邹平市", "济南市长清区",
]
NO_PLACE = [
    "小区物业不作为，楼道灯坏了半年", "孩子上学难，希望增加学位", "网购商品质量有问题商家不退款", "医保报销比例太低",
    "希望延长公交运营时间", "社保转移手续太复杂", "单位不给缴纳社保", "装修噪音太大影响休息", "楼上漏水物业不管",
    "停车位被长期占用", "邻居养狗扰民", "快递柜收费不合理", "老人养老金没有按时发放", "希望严查超载车辆",
    "幼儿园收费过高", "燃气费涨价没有通知", "求职被骗了押金", "出租车拒载", "路边摊占道经营", "医院挂号太难",
    "请问公积金怎么提取", "电动车充电难", "垃圾分类宣传不到位", "有线电视信号差", "药店卖过期药",
]
# Hand-written hard cases: (text, county, town). Facts only from the gazetteer.
HARD = [
    ("兖州区人，现住曲阜市尼山镇，反映村里修路问题", "370881", "370881105"),
    ("山 东 省 济 宁 市 邹 城 市 太 平 镇 ，垃圾没人清理", "370883", "370883107"),
    ("济宁市任城区古槐路上的井盖丢了", "370811", None),
    ("金乡县城里的菜市场占道经营", "370828", None),
    ("鱼台县城区供暖不热", "370827", None),
    ("汶上县南站街道某小区停水", "370830", "370830003"),
    ("邹城高新区某企业排污", "370883", None),
    ("济宁市中区的老房子拆迁", "370811", None),
    ("太白湖新区的小区物业乱收费", "3708TB", None),
    ("任城区许庄街道某村修路", "3708TB", "370811002"),
    ("嘉祥县疃里镇养殖场污染", "3708JK", "370829104"),
    ("我在嘉祥经济开发区上班，工资被拖欠", "370829", "370829400"),
    ("微山县高楼乡渔民反映", "370826", "370826206"),
    ("曲阜孔府附近停车难", "370881", None),
    ("梁山伯与祝英台的故事被改编，我有意见", None, None),
    ("高楼层住户反映水压不足", None, None),
    ("南站出口出租车拒载", None, None),
    ("太平洋保险理赔太慢", None, None),
    ("安居工程分房不公平", None, None),
    ("石桥年久失修，存在安全隐患", None, None),
    ("落实主体责任城管部门要加强巡查", None, None),
    ("兴隆超市卖过期食品", None, None),
    ("苏州高新区的公司拖欠工资，我是济宁人", None, None),
    ("青岛市济宁路上的饭店油烟扰民", None, None),
    ("济南市济阳区济阳街道的问题", None, None),
    ("兖州酒仙桥街道附近路灯不亮", "370812", "370812006"),
    ("兖洲新驿镇的学校门口拥堵", "370812", "370812102"),
    ("邹城市看庄镇某村道路损坏", "370883", "370883111"),
    ("泗水县城泗河街道", "370831", "370831001"),
    ("梁山县寿张集镇的集市脏乱差", "370832", "370832109"),
    ("金乡县兴隆镇农田被占", "370828", "370828112"),
    ("兖州区兴隆庄街道煤矿塌陷", "370812", "370812007"),
    ("嘉祥县大张楼镇", "370829", "370829107"),
    ("微山县张楼镇", "370826", "370826110"),
    ("高新区黄屯街道供暖", "370871", "370871005"),
    ("济宁高新区王因街道", "370871", "370871004"),
]


@dataclass(frozen=True)
class Case:
    text: str
    county: str | None
    town: str | None
    kind: str


def _text(rng: random.Random, place: str, village: bool = True) -> str:
    body = place
    if village:
        body += f"{rng.choice(VILLAGES)}{rng.choice(['村', '社区'])}{rng.randint(1, 99)}号"
    return f"{rng.choice(PREFIXES)}{body}{rng.choice(['，', '', '：'])}{rng.choice(PROBLEMS)}"


def _typo(rng: random.Random, name: str, pairs: dict[str, list[str]]) -> str | None:
    spots = [i for i, ch in enumerate(name) if ch in pairs]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + rng.choice(pairs[name[i]]) + name[i + 1 :]


def generate_cases(gaz: Gazetteer | None = None, seed: int = 20240601) -> list[Case]:
    gaz = gaz or default_gazetteer()
    aliases = default_aliases()
    rng = random.Random(seed)
    pairs: dict[str, list[str]] = {}
    for a, b in aliases["confusions"]:
        pairs.setdefault(a, []).append(b)
        pairs.setdefault(b, []).append(a)
    stop = set(aliases["common_word_short_forms"])
    cases: list[Case] = []
    city = gaz.city_name
    for i, t in enumerate(sorted(gaz.towns.values(), key=lambda t: t.code)):
        manager = gaz.counties[t.county]
        # Citizens write either the managing zone or the statistical district.
        written = manager if (i % 2 == 0 or t.county == t.statistical_county) else gaz.counties[t.statistical_county]
        cases.append(Case(_text(rng, f"{gaz.province}{city}{written.name}{t.name}"), t.county, t.code, "full"))
        cases.append(Case(_text(rng, f"{written.bare}{t.name}"), t.county, t.code, "county_town"))
        cases.append(Case(_text(rng, t.name, village=rng.random() < 0.5), t.county, t.code, "town_only"))
        bare = t.bare
        if bare:
            if t.name.endswith("街道"):
                form = f"{bare}{rng.choice(['街道办', '办事处'])}"
            elif bare not in stop:
                form = f"{rng.choice(['住在', '家在', '我们'])}{bare}{rng.choice(['这边', '附近', '一带'])}"
            else:
                form = f"{manager.bare}{bare}{'乡' if t.name.endswith('镇') else '镇'}"
            cases.append(Case(_text(rng, form, village=False), t.county, t.code, "colloquial"))
        typo_county = _typo(rng, written.bare, pairs) if written.kind != "zone" else None
        if typo_county:
            cases.append(Case(_text(rng, f"{typo_county}{t.name}"), t.county, t.code, "typo"))
        typo_town = _typo(rng, t.name, pairs)
        if typo_town and i % 2 == 0:
            cases.append(Case(_text(rng, f"{written.name}{typo_town}"), t.county, t.code if typo_town not in gaz.towns else None, "typo"))
    for c in sorted(gaz.counties.values(), key=lambda c: c.code):
        for form in dict.fromkeys([c.name, c.short_name, c.bare]):
            cases.append(Case(_text(rng, form, village=False), c.code, None, "county_only"))
            cases.append(Case(_text(rng, f"{city}{form}", village=False), c.code, None, "county_only"))
        if c.kind != "zone":
            for _ in range(2):
                typo = _typo(rng, c.name, pairs)
                if typo:
                    cases.append(Case(_text(rng, typo, village=False), c.code, None, "typo"))
    zone_forms = {
        "370871": ["高新区", "济宁高新区", "高新技术开发区"],
        "3708TB": ["太白湖", "太白湖新区", "北湖新区"],
        "3708JK": ["经开区", "济宁经开区", "经济技术开发区"],
    }
    for code, forms in zone_forms.items():
        towns = [t for t in gaz.towns.values() if t.county == code]
        for form in forms:
            cases.append(Case(_text(rng, form, village=False), code, None, "zone"))
            for t in towns:
                cases.append(Case(_text(rng, f"{form}{t.name}"), code, t.code, "zone"))
    for lm in default_landmarks() if gaz is default_gazetteer() else load_landmarks(gaz=gaz):
        cases.append(Case(_text(rng, f"{lm.alias}附近", village=False), lm.county, None, "county_only"))
    for place in OTHER_CITY:
        cases.append(Case(_text(rng, place), None, None, "other_city"))
    for text, county, town in HARD:
        cases.append(Case(text, county, town, "hard"))
    for problem in NO_PLACE:
        cases.append(Case(f"{rng.choice(PREFIXES)}{problem}", None, None, "no_place"))
        cases.append(Case(f"{city}市民反映：{problem}", None, None, "city_only"))
    return cases


HANDWRITTEN = Path(__file__).resolve().parent / "handwritten.tsv"
# Written later, before the landmark gazetteer was extended and the short-form rules changed.
HANDWRITTEN_FRESH = Path(__file__).resolve().parent / "handwritten_fresh.tsv"
# Written after the second, measured once before the landmark gazetteer was extended for it.
HANDWRITTEN_THIRD = Path(__file__).resolve().parent / "handwritten_third.tsv"
# Written after issue 15's resolver fixes, committed before the resolver was run on it, scored once.
HANDWRITTEN_FOURTH = Path(__file__).resolve().parent / "handwritten_fourth.tsv"
# Committed before the resolver was run on it, scored once, then the landmark list was extended.
HANDWRITTEN_FIFTH = Path(__file__).resolve().parent / "handwritten_fifth.tsv"


def handwritten_cases(half: str | None = None, gaz: Gazetteer | None = None, path: Path | None = None) -> list[Case]:
    """The hand-written cases of ``handwritten.tsv`` (forms: full, county_town, town_only,
    ambiguous, no_place, typo, colloquial, zone_town, landmark), written as citizens write,
    not from the gazetteer. ``half`` "dev" or "test" keeps one fixed half (CRC-32 of the text):
    rules are adjusted looking at the dev half only, the test half is the estimate. ``path``
    reads another file of the same format (``HANDWRITTEN_FRESH``, ``HANDWRITTEN_THIRD``,
    ``HANDWRITTEN_FOURTH``, ``HANDWRITTEN_FIFTH``)."""
    gaz = gaz or default_gazetteer()
    counties = {c.name: c.code for c in gaz.counties.values()}
    towns = {(t.county, t.name): t.code for t in gaz.towns.values()}
    cases = []
    for line in (path or HANDWRITTEN).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        form, text, county, town = line.split("\t")
        if half and ("test" if zlib.crc32(text.encode()) % 2 else "dev") != half:
            continue
        code = None if county == "-" else counties[county]
        cases.append(Case(text, code, None if town == "-" else towns[(code, town)], form))
    return cases


def evaluate(resolver, cases: list[Case]) -> dict:
    """Accuracy per field and per kind; ``no_place_county_guesses`` must stay 0."""
    per_kind: dict[str, dict] = {}
    county_ok = county_n = town_ok = town_n = guesses = 0
    errors = []
    for case in cases:
        r = resolver.resolve(case.text)
        k = per_kind.setdefault(case.kind, {"n": 0, "county_ok": 0, "town_n": 0, "town_ok": 0})
        k["n"] += 1
        if case.kind in ("no_place", "city_only"):
            guesses += r.county_code is not None
        ok = r.county_code == case.county
        county_n += 1
        county_ok += ok
        k["county_ok"] += ok
        if case.town is not None:
            town_n += 1
            k["town_n"] += 1
            tok = r.town_code == case.town
            town_ok += tok
            k["town_ok"] += tok
        else:
            tok = True
        if not ok or not tok:
            errors.append({"text": case.text, "kind": case.kind, "want": [case.county, case.town], "got": [r.county_code, r.town_code]})
    return {
        "n_cases": len(cases),
        "county_accuracy": county_ok / county_n if county_n else None,
        "town_accuracy": town_ok / town_n if town_n else None,
        "n_town_cases": town_n,
        "no_place_county_guesses": guesses,
        "per_kind": {
            kind: {
                "n": v["n"],
                "county_accuracy": round(v["county_ok"] / v["n"], 4),
                "town_accuracy": round(v["town_ok"] / v["town_n"], 4) if v["town_n"] else None,
            }
            for kind, v in sorted(per_kind.items())
        },
        "errors": errors,
    }
