"""Resolve free text to a Jining county (management unit), town and community, with evidence.

The resolver scans the text once for every known surface form — full names, short forms,
colloquial and former names, landmarks, one-character typo variants — taking the longest form
at each position, then decides:

* another city is named (``济南市高新区``) and nothing unmistakably Jining is → nulls;
* a town consistent with a named county wins, and the town's *managing* unit is the county
  (任城区许庄街道 → 太白湖新区, which manages 许庄 although statistics count it in 任城区);
* a named county without a consistent town → county only, lower confidence;
* a town alone → its county;
* generic zone names (高新区, 经开区) mean Jining's zone only when no other county or city is named;
* no place at all, or only 济宁 → no county.

Pure Python apart from the optional ``cpca`` call used to notice other cities.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from jishiban.smart._i18n import gettext as _
from jishiban.smart.geocode.fuzzy import FuzzyNames, near_homophones
from jishiban.smart.geocode.gazetteer import (
    Gazetteer,
    default_aliases,
    default_gazetteer,
    default_landmarks,
    load_landmarks,
)

CITY, COUNTY, TOWN, TOWN_BARE, LANDMARK, IGNORE = "city", "county", "town", "town_bare", "landmark", "ignore"
ELSEWHERE = "elsewhere"
# Between a county and a bare town name written right after it (梁山县寿张集, 兖州大安那片).
_ADJACENT_GAP = ("", "县", "区", "市", "的")

_COMMUNITY_RE = re.compile(r"^([\u4e00-\u9fa5]{2,5}?(?:社区|居委会|村委会|村))(?![民委务])")
_STREET_SUFFIXES = ("路", "街", "大道", "道", "巷", "镇", "乡", "村", "小区", "花园", "桥", "广场", "大厦", "社区", "酒店", "饭店")


@dataclass(frozen=True)
class Entry:
    kind: str
    code: str
    weight: float
    note: str
    generic: bool = False
    typo: bool = False
    # A bare town name that is also an ordinary word (太平, 南站): taken only right after its county.
    adjacent_only: bool = False
    # A guessed town (one wrong character): taken only when its county is named too.
    needs_county: bool = False
    # A guessed county whose wrong character is no homophone (老城区 is not 任城区): taken only
    # when a town of that county is named too.
    needs_town: bool = False


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    surface: str
    entry: Entry


@dataclass
class Resolution:
    county_code: str | None = None
    county_name: str | None = None
    town_code: str | None = None
    town_name: str | None = None
    community_name: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def normalise(text: str) -> str:
    """NFKC (full-width → half-width) and no whitespace, so offsets refer to this form."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


class AddressResolver:
    """Build once (a few ms), then ``resolve`` many texts; thread-safe after construction."""

    def __init__(self, gazetteer: Gazetteer | None = None, aliases: dict | None = None, use_cpca: bool = True,
                 landmarks=None):
        self.gaz = gazetteer or default_gazetteer()
        self.aliases = aliases if aliases is not None else default_aliases()
        if landmarks is None:
            landmarks = default_landmarks() if gazetteer is None else load_landmarks(gaz=self.gaz)
        self.landmarks = landmarks
        self.use_cpca = use_cpca
        self._table: dict[str, list[Entry]] = {}
        self._build()
        self._by_first: dict[str, list[str]] = {}
        for surface in sorted(self._table, key=len, reverse=True):
            self._by_first.setdefault(surface[0], []).append(surface)
        self._cues_after = tuple(self.aliases.get("short_form_cues_after", ()))
        self._cues_before = tuple(self.aliases.get("short_form_cues_before", ()))

    # -- building the surface table -------------------------------------------------------
    def _add(self, surface: str, entry: Entry) -> None:
        if len(surface) < 2:
            return
        entries = self._table.setdefault(surface, [])
        if all((e.kind, e.code) != (entry.kind, entry.code) for e in entries):
            entries.append(entry)

    def _build(self) -> None:
        gaz = self.gaz
        for surface in (gaz.city_name, gaz.city_bare):
            self._add(surface, Entry(CITY, gaz.city_code, 1.0, "城市名"))
        for c in gaz.counties.values():
            self._add(c.name, Entry(COUNTY, c.code, 1.0, "区县全称"))
            self._add(c.short_name, Entry(COUNTY, c.code, 1.0, "区县简称"))
            self._add(c.bare, Entry(COUNTY, c.code, 0.95, "区县简称"))
            for a in c.aliases:
                self._add(a["alias"], Entry(COUNTY, c.code, a.get("weight", 0.9), a.get("note", ""), a.get("generic", False)))
        for a in self.aliases.get("county_aliases", ()):
            self._add(a["alias"], Entry(COUNTY, a["county"], a.get("weight", 0.9), a.get("note", ""), a.get("generic", False)))
        for lm in self.landmarks:
            # A weak landmark (a name other cities also use: 孔庙, 伏羲庙) yields to another city
            # named in the text, like a generic zone name; one that says 济宁 (济宁贵和) does not.
            weak = lm.weight < 0.85 and gaz.city_bare not in lm.alias
            self._add(lm.alias, Entry(LANDMARK, lm.county, lm.weight, lm.note, generic=weak))
            if lm.town:
                self._add(lm.alias, Entry(TOWN, lm.town, min(lm.weight, 0.8), _("地标所在乡镇")))
        for a in self.aliases.get("elsewhere", ()):
            self._add(a["alias"], Entry(ELSEWHERE, "", 0.0, a.get("note", "")))
        real_names = set(self._table) | {t.name for t in gaz.towns.values()}
        for t in gaz.towns.values():
            self._add(t.name, Entry(TOWN, t.code, 1.0, "乡镇街道全称"))
        for a in self.aliases.get("town_aliases", ()):
            self._add(a["alias"], Entry(TOWN, a["town"], a.get("weight", 0.95), a.get("note", "")))
        stop = set(self.aliases.get("common_word_short_forms", ()))
        county_bares = {c.bare for c in gaz.counties.values()} | {gaz.city_bare}
        for t in gaz.towns.values():
            bare = t.bare
            if not bare:
                continue
            variants = [bare + "办事处", bare + "街道办"] if t.name.endswith("街道") else []
            # Many 街道 were 镇 until recently, and people still say so; 镇 ↔ 乡 likewise.
            variants += [bare + s for s in ("镇", "乡", "街道") if not t.name.endswith(s)]
            for v in variants:
                if v not in real_names:
                    self._add(v, Entry(TOWN, t.code, 0.85, "乡镇街道旧称或口语"))
            if bare not in county_bares and bare not in real_names:
                self._add(bare, Entry(TOWN_BARE, t.code, 0.7, "乡镇简称", adjacent_only=bare in stop))
        self._add_typos(real_names | set(self._table))
        self._fuzzy_codes = {c.name: (COUNTY, c.code) for c in gaz.counties.values()}
        self._fuzzy_codes.update({t.name: (TOWN, t.code) for t in gaz.towns.values()})
        self._fuzzy = FuzzyNames(self._fuzzy_codes)
        for surface in self.aliases.get("ignore", ()):
            self._table[surface] = [Entry(IGNORE, "", 0.0, "")]

    def _add_typos(self, known: set[str]) -> None:
        pairs: dict[str, set[str]] = {}
        for a, b in self.aliases.get("confusions", ()):
            pairs.setdefault(a, set()).add(b)
            pairs.setdefault(b, set()).add(a)
        self._confusable = pairs
        originals = [
            (s, e)
            for s, entries in list(self._table.items())
            for e in entries
            if e.kind in (COUNTY, TOWN) and not e.generic and e.weight >= 0.95
        ]
        for surface, entry in originals:
            for i, ch in enumerate(surface):
                for alt in pairs.get(ch, ()):
                    variant = surface[:i] + alt + surface[i + 1 :]
                    if variant in known:
                        continue
                    self._add(variant, Entry(entry.kind, entry.code, round(entry.weight * 0.85, 3), f"疑似错别字：{surface}", typo=True))

    # -- scanning -------------------------------------------------------------------------
    def scan(self, text: str) -> list[Hit]:
        """Longest known surface at each position, non-overlapping, left to right; then names
        with one wrong character in the gaps (``fuzzy.py``); bare town names are kept next to a
        cue word or right after their own county."""
        hits = self._scan_known(text)
        hits += self._guesses(text, hits)
        hits += self._county_typos_before_towns(text, hits)
        hits.sort(key=lambda h: h.start)
        counties = [h for h in hits if h.entry.kind in (COUNTY, LANDMARK)]
        return [h for h in hits if h.entry.kind != IGNORE and (
            h.entry.kind != TOWN_BARE or self._after_own_county(text, h, counties)
            or (not h.entry.adjacent_only and (self._has_cue(text, h) or self._after_zone(text, h, counties))))]

    def _county_typos_before_towns(self, text: str, hits: list[Hit]) -> list[Hit]:
        """A county short name with one wrong character right before one of its towns (凉山拳铺,
        汶尚康驿, 微三韩庄那边): the county is read as a typo and the town is kept, so a typo
        never hides the correctly written town after it. The wrong character must sound alike
        (loosely: zh/z, l/n, -ing/-in) or be a listed confusion, unless the name has 3+ characters."""
        out: list[Hit] = []
        for h in hits:
            if h.entry.kind not in (TOWN, TOWN_BARE) or h.entry.typo:
                continue
            town = self.gaz.towns[h.entry.code]
            for code in dict.fromkeys((town.county, town.statistical_county)):
                county = self.gaz.counties[code]
                names = {county.bare, county.short_name} | {a["alias"] for a in county.aliases if not a.get("generic")}
                found = self._typo_before(text, h.start, names, hits)
                if found:
                    start, surface, name = found
                    out.append(Hit(start, start + len(surface), surface, Entry(
                        COUNTY, code, 0.85, _("疑似错别字：%s") % name, typo=True)))
                    break
        return out

    def _typo_before(self, text: str, at: int, names: set[str], hits: list[Hit]):
        for gap in _ADJACENT_GAP:
            end = at - len(gap)
            if end < 0 or text[end:at] != gap:
                continue
            for name in names:
                start = end - len(name)
                if start < 0 or any(o.start < end and start < o.end for o in hits):
                    continue
                body = text[start:end]
                diff = [i for i in range(len(name)) if body[i] != name[i]]
                if len(diff) != 1:
                    continue
                a, b = name[diff[0]], body[diff[0]]
                if len(name) >= 3 or near_homophones(a, b) or b in self._confusable.get(a, ()):
                    return start, body + gap, name
        return None

    def _guesses(self, text: str, hits: list[Hit]) -> list[Hit]:
        out = []
        for g in self._fuzzy.find(text, [(h.start, h.end) for h in hits]):
            kind, code = self._fuzzy_codes[g.name]
            note = _("疑似错别字：%s") % g.name
            if kind == COUNTY:
                # Another character (not a homophone) is a weak guess: it needs a town of that
                # county and yields to any other place named (滨州市邹平市 is not 邹城市).
                out.append(Hit(g.start, g.end, g.surface, Entry(
                    COUNTY, code, 0.85 if g.homophone else 0.75, note, generic=not g.homophone, typo=True,
                    needs_town=not g.homophone)))
            elif g.homophone:
                out.append(Hit(g.start, g.end, g.surface, Entry(TOWN, code, 0.8, note, typo=True, needs_county=True)))
        return out

    def _after_own_county(self, text: str, hit: Hit, counties: list[Hit]) -> bool:
        town = self.gaz.towns[hit.entry.code]
        return any(
            c.end <= hit.start and text[c.end : hit.start] in _ADJACENT_GAP
            and c.entry.code in (town.county, town.statistical_county)
            for c in counties
        )

    def _after_zone(self, text: str, hit: Hit, counties: list[Hit]) -> bool:
        """A bare town name right after another unit where a functional zone is involved (经开区黄屯,
        任城区柳行): citizens mix up which zone took a town over; ``resolve`` answers the town's unit."""
        town_zone = self.gaz.counties[self.gaz.towns[hit.entry.code].county].kind == "zone"
        return any(
            c.entry.kind == COUNTY and c.end <= hit.start and text[c.end : hit.start] in _ADJACENT_GAP
            and (town_zone or self.gaz.counties[c.entry.code].kind == "zone")
            for c in counties
        )

    def _scan_known(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        i, n = 0, len(text)
        while i < n:
            for surface in self._by_first.get(text[i], ()):
                if text.startswith(surface, i):
                    hits.extend(Hit(i, i + len(surface), surface, e) for e in self._table[surface])
                    i += len(surface)
                    break
            else:
                i += 1
        return hits

    def _has_cue(self, text: str, hit: Hit) -> bool:
        after = text[hit.end : hit.end + 4]
        before = text[max(0, hit.start - 3) : hit.start]
        return after.startswith(self._cues_after) or before.endswith(self._cues_before)

    def other_places(self, text: str, hits: list[Hit]) -> list[str]:
        """Names of other provinces/cities/districts written in ``text`` outside the Jining hits.

        Uses cpca's Aho-Corasick matcher over the national division names. A bare name used as
        a street or estate name (朝阳路, 南阳镇) is not a place reference.
        """
        if not self.use_cpca:
            return []
        import cpca  # imported lazily: it loads its tables on first use (~0.3 s)

        city_prefix = self.gaz.city_code
        province_prefix = city_prefix[:2] + "0000"
        names: list[str] = []
        for m in cpca.matcher.iter(text):
            start, end = m.start_index, m.end_index + 1
            if any(h.start < end and start < h.end for h in hits):
                continue
            infos = m.attr_infos
            if any(a.adcode.startswith(city_prefix) or a.adcode == province_prefix for a in infos):
                continue
            bare = m.origin_value == infos[0].name.rstrip("省市") and not m.origin_value.endswith(("省", "市", "区", "县"))
            if bare and text[end : end + 2].startswith(_STREET_SUFFIXES):
                continue
            names.append(infos[0].name)
        return list(dict.fromkeys(names))

    # -- deciding -------------------------------------------------------------------------
    def resolve(self, raw: str) -> Resolution:
        text = normalise(raw)
        res = Resolution()
        if not text:
            return res
        hits = self.scan(text)
        gaz = self.gaz
        city_hits = [h for h in hits if h.entry.kind == CITY]
        town_hits = [h for h in hits if h.entry.kind in (TOWN, TOWN_BARE)]
        town_counties = {c for h in town_hits
                         for c in (gaz.towns[h.entry.code].county, gaz.towns[h.entry.code].statistical_county)}
        county_hits = [h for h in hits if h.entry.kind in (COUNTY, LANDMARK)
                       and (not h.entry.needs_town or h.entry.code in town_counties)]
        strong = city_hits or [h for h in county_hits if not h.entry.generic]
        others = [h.entry.note for h in hits if h.entry.kind == ELSEWHERE] + self.other_places(text, hits)
        if others and not strong:
            res.evidence.append(_("文本指向其他地方：%s，不属于本市") % "、".join(others))
            return res
        if others:
            # "苏州高新区…我是济宁人": a generic zone name belongs to the other city unless
            # Jining's name stands right before it.
            city_ends = {h.end for h in city_hits}
            county_hits = [h for h in county_hits if not h.entry.generic or h.start in city_ends]
        if [h for h in county_hits if not h.entry.generic]:
            dropped = [h for h in county_hits if h.entry.generic]
            county_hits = [h for h in county_hits if not h.entry.generic]
            for h in dropped:
                res.evidence.append(_("“%s”是通用名，已按文中区县理解") % h.surface)
        for h in hits:
            if h.entry.typo and (h.entry.kind != COUNTY or h in county_hits):
                res.evidence.append(_("“%(s)s”按%(n)s理解") % {"s": h.surface, "n": h.entry.note})

        named = {}
        for h in county_hits:
            if h.entry.code not in named or named[h.entry.code].entry.weight < h.entry.weight:
                named[h.entry.code] = h

        town_hits = [h for h in town_hits if not h.entry.needs_county
                     or {gaz.towns[h.entry.code].county, gaz.towns[h.entry.code].statistical_county} & set(named)]
        best_town = None
        consistent = [
            h for h in town_hits
            if gaz.towns[h.entry.code].county in named or gaz.towns[h.entry.code].statistical_county in named
        ]
        pool = consistent or ([] if named else town_hits)
        # 高新区许庄街道, 兖州王因: a functional zone and a town it does not manage (or a county and
        # a town a zone took over from it). The town is the more precise name; its managing unit
        # answers, at a confidence below automatic filling.
        mismatched = not pool and named and self._zone_mismatch(named, town_hits)
        if mismatched:
            pool = [h for h in town_hits if not h.entry.typo]
        if pool:
            best_town = max(pool, key=lambda h: (h.entry.weight, -h.start))

        if best_town is not None:
            town = gaz.towns[best_town.entry.code]
            county = gaz.counties[town.county]
            res.town_code, res.town_name = town.code, town.name
            res.county_code, res.county_name = county.code, county.name
            res.evidence.append(_("“%(s)s”→%(t)s（%(n)s）") % {"s": best_town.surface, "t": town.name, "n": best_town.entry.note})
            conf = best_town.entry.weight
            if mismatched:
                res.evidence.append(_("文中写的是“%(s)s”，与%(t)s不符，按乡镇的管理单位%(c)s理解") % {
                    "s": "、".join(h.surface for h in named.values()), "t": town.name, "c": county.name})
                conf *= 0.75
            elif named:
                anchor = named.get(town.county) or named.get(town.statistical_county)
                res.evidence.append(_("“%(s)s”与乡镇一致") % {"s": anchor.surface})
                conf = min(1.0, 0.75 + 0.25 * min(conf, anchor.entry.weight))
            else:
                conf *= 0.9
            if town.county != town.statistical_county:
                # Said whichever name was written (经开区疃里镇, 嘉祥县疃里镇, 疃里镇): the unit
                # that handles the appeal is the zone.
                res.evidence.append(
                    _("%(t)s由%(c)s管理（统计上属%(s)s）")
                    % {"t": town.name, "c": county.name, "s": gaz.counties[town.statistical_county].name}
                )
            if len({h.entry.code for h in town_hits}) > 1:
                conf *= 0.8
                res.evidence.append(_("文中提到多个乡镇街道"))
            res.confidence = round(conf, 2)
            after = text[best_town.end :]
            m = _COMMUNITY_RE.match(after)
            if m:
                res.community_name = m.group(1)
                res.evidence.append(_("社区/村：%s") % m.group(1))
        elif named:
            best = max(named.values(), key=lambda h: (h.entry.weight, -h.start))
            county = gaz.counties[best.entry.code]
            res.county_code, res.county_name = county.code, county.name
            kind = _("地标") if best.entry.kind == LANDMARK else best.entry.note
            res.evidence.append(_("“%(s)s”→%(c)s（%(k)s）") % {"s": best.surface, "c": county.name, "k": kind})
            conf = best.entry.weight * 0.9
            if best.entry.generic:
                conf *= 0.85 if city_hits else 0.8
                if not city_hits:
                    res.evidence.append(_("未写明城市，按济宁理解"))
            if len(named) > 1:
                conf *= 0.7
                res.evidence.append(_("文中提到多个区县：%s") % "、".join(gaz.counties[c].name for c in named))
            if town_hits:
                conf *= 0.8
                res.evidence.append(_("文中乡镇“%s”与区县不符，未采用") % town_hits[0].surface)
            res.confidence = round(conf, 2)
        elif city_hits:
            res.evidence.append(_("只提到%s，无法确定区县") % gaz.city_name)
        if others:
            res.evidence.append(_("文中也提到：%s") % "、".join(others))
        return res

    def _zone_mismatch(self, named: dict, town_hits: list[Hit]) -> bool:
        """One town (no typo) is named with units that do not manage it, and a functional zone is
        involved on either side: every named unit is a zone, or the town's managing unit is one."""
        codes = {h.entry.code for h in town_hits if not h.entry.typo}
        if len(codes) != 1:
            return False
        town = self.gaz.towns[codes.pop()]
        zone = "zone"
        return (all(self.gaz.counties[c].kind == zone for c in named)
                or self.gaz.counties[town.county].kind == zone)

    def resolve_many(self, texts) -> list[Resolution]:
        return [self.resolve(t) for t in texts]


_default: AddressResolver | None = None


def resolve(text: str) -> Resolution:
    """Resolve with the default gazetteer (the resolver is built on first use)."""
    global _default
    if _default is None:
        _default = AddressResolver()
    return _default.resolve(text)
