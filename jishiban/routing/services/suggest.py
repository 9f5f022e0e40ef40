"""Which unit should handle an appeal: ``suggest_units(appeal)``.

Sources, in this order (a unit suggested twice keeps its first place):

1. **catalogue** and **meeting** — the dispatch catalogue's rules (meeting decisions are rules
   too, see ``rules.sync_decision``) together with the responsibility-meeting decisions
   (``supervision.selectors.decisions_for``) that have no rule yet (made before the
   catalogue existed, ``ROUTING_MEETING_PRIORITY``), ordered by ``matching.match``;
2. **learned** — only when no rule or decision applies: the units that accepted and kept
   (did not return) past dispatches of the category (or its nearest ancestor with enough
   history) in the appeal's county (``LearnedRoute``, rebuilt by ``learning.learn``);
3. **domain** — the unit of the category's functional domain where the appeal is
   (``organisations.selectors.unit_for_domain``): the county's own unit, the town's unit for
   town affairs, else the city's.

Scores: a rule or decision 1.0 for the first, 0.05 less for each later one (at least 0.5); learned = the unit's share of kept dispatches × 0.9; domain 0.5.

Each suggestion says why (``explanation``: the rule and its source — the responsibility
meeting's name, date and decision number —, the learned share over the learning window, or
the category's domain) and, after the first, why it comes after the one before (``rank_note``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jishiban.organisations.models import Organisation
from jishiban.organisations.selectors import domain_units, pick_for_domain

from .. import selectors
from ..matching import match, why_after
from ..models import DispatchRule
from .learning import learn_days
from .rules import meeting_priority

log = logging.getLogger("jishiban.routing")

SOURCE_LABELS = {"catalogue": gettext_lazy("派单目录"), "meeting": gettext_lazy("会商决定"),
                 "learned": gettext_lazy("历史派单"), "domain": gettext_lazy("职能领域")}
DOMAIN_SCORE = 0.5
LEARNED_WEIGHT = 0.9


@dataclass(frozen=True)
class Suggestion:
    """One proposal: who leads, who helps, how sure, from which source, and why (Chinese).

    ``source`` is ``catalogue``, ``meeting``, ``learned`` or ``domain``; ``rule_id`` /
    ``decision_id`` link to the catalogue rule / meeting decision when there is one.
    """

    lead_unit: Organisation
    co_units: tuple[Organisation, ...] = ()
    score: float = 0.0
    source: str = ""
    explanation: str = ""
    rule_id: int | None = None
    decision_id: int | None = None
    # The responsibility meeting behind a rule or decision (its page links there), and why this
    # suggestion comes after the one before it (empty for the first).
    meeting_id: int | None = None
    meeting: str = ""
    rank_note: str = ""
    share: int | None = None  # learned: the unit's percentage of kept dispatches

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, self.source))

    def as_dict(self) -> dict:
        return {
            "lead_unit": {"code": self.lead_unit.code, "name": self.lead_unit.name},
            "co_units": [{"code": u.code, "name": u.name} for u in self.co_units],
            "score": self.score, "source": self.source, "source_label": self.source_label, "explanation": self.explanation,
            "rule_id": self.rule_id, "decision_id": self.decision_id, "meeting_id": self.meeting_id,
            "meeting": self.meeting, "rank_note": self.rank_note,
        }


def _rank_score(rank: int) -> float:
    return round(max(0.5, 1.0 - 0.05 * rank), 2)


def min_evidence() -> int:
    """Kept dispatches needed before a learned unit is suggested."""
    return int(getattr(settings, "ROUTING_LEARN_MIN_KEPT", 3))


@dataclass
class Advisor:
    """Suggests units for appeals, memoising the database work.

    ``preload=True`` (the default: one instance per request for a queue page) reads the whole
    catalogue in force once and matches every appeal in memory; ``suggest_units`` without an
    advisor uses ``preload=False``, which asks the database only for the rules that could apply.
    """

    on: date | None = None
    preload: bool = True
    # Memos; ``_all`` maps a category id (None: any category) to its rules when preloaded.
    _all: dict | None = field(default=None, init=False, repr=False)
    _rules: dict = field(default_factory=dict, init=False, repr=False)
    _data: dict = field(default_factory=dict, init=False, repr=False)
    _orphans: bool | None = field(default=None, init=False, repr=False)
    _decisions: dict = field(default_factory=dict, init=False, repr=False)
    _learned: dict = field(default_factory=dict, init=False, repr=False)
    _units: dict = field(default_factory=dict, init=False, repr=False)

    def prepare(self, appeals) -> None:
        """Read what ``suggest`` will need for all of ``appeals`` (a queue page) in two queries:
        the learned statistics of their categories and counties, and the units of their
        categories' domains. Without it each appeal with a new category/county pair costs two."""
        categorised = [a for a in appeals if a.category_id]
        self._fill_learned({_learned_key(a, selectors.category_chain(a.category)) for a in categorised})
        self._fill_units({a.category.profile("domain") for a in categorised} - {None, ""})

    def suggest(self, appeal, *, limit: int = 3) -> list[Suggestion]:
        on = self.on or timezone.localdate()
        chain = selectors.category_chain(appeal.category) if appeal.category_id else []
        facts = selectors.facts_for(appeal)
        found: list[Suggestion] = []

        def add(suggestion: Suggestion, note: str = "") -> bool:
            if any(s.lead_unit.pk == suggestion.lead_unit.pk for s in found):
                return False
            found.append(replace(suggestion, rank_note=note if found else ""))
            return True

        rules = self._catalogue(appeal, chain, on)
        decisions = self._meeting(appeal, chain, on)
        data = [self._rule_data(r) for r in rules.values()]
        data += [replace(selectors.decision_data(d, priority=meeting_priority()), lead=("decision", d.pk))
                 for d in decisions.values()]
        previous = None  # the match of the last suggestion kept
        for m in match(data, facts, on=on, translate=_):
            kind, pk = m.rule.lead
            note = why_after(m, previous, translate=_) if previous is not None else ""
            if kind == "rule":
                rule = rules[pk]
                meeting = selectors.meeting_of(rule)
                kept = add(Suggestion(
                    rule.lead_unit, tuple(rule.co_units.all()), _rank_score(len(found)), "catalogue", m.explanation,
                    rule_id=rule.pk, decision_id=rule.decision_id, meeting_id=meeting.pk if meeting else None,
                    meeting=selectors.meeting_source(meeting, rule.decision_id) if meeting else ""), note)
            else:
                decision = decisions[pk]
                kept = add(Suggestion(
                    decision.lead_unit, tuple(decision.co_units.all()), _rank_score(len(found)), "meeting",
                    m.explanation, decision_id=decision.pk, meeting_id=decision.meeting_id,
                    meeting=selectors.meeting_source(decision.meeting, decision.pk) if decision.meeting_id else ""),
                    note)
            if kept:
                previous = m
        if not found:
            learned = self._learned_units(appeal, chain)
            for before, suggestion in zip([None, *learned], learned, strict=False):
                add(suggestion, _("签收且未退单的占比低于上一条（%(mine)d%% < %(theirs)d%%）") % {
                    "mine": suggestion.share, "theirs": before.share} if before else "")
        domain = self._domain_default(appeal)
        if domain is not None:
            after = _("历史派单") if found and found[-1].source == "learned" else _("派单目录")
            add(domain, _("职能领域的默认单位，排在%(source)s的建议之后") % {"source": after})
        return found[:limit]

    # --- the sources ------------------------------------------------------------------------------

    def _rule_data(self, rule):
        if rule.pk not in self._data:
            self._data[rule.pk] = replace(selectors.rule_data(rule), lead=("rule", rule.pk))
        return self._data[rule.pk]

    def _catalogue(self, appeal, chain, on) -> dict:
        """Rules that could apply (the matcher decides on region, channel, words and dates)."""
        if self.preload:
            if self._all is None:
                self._all = {}
                for rule in selectors.rules_in_force(on):
                    self._all.setdefault(rule.category_id, []).append(rule)
            rows = [r for key in [None, *(c.pk for c in chain)] for r in self._all.get(key, [])]
            return {r.pk: r for r in rows}
        key = (tuple(c.pk for c in chain), appeal.county_id, appeal.town_id, appeal.channel_id, on)
        if key not in self._rules:
            rows = selectors.candidate_rules(category_ids=key[0], county_id=appeal.county_id,
                                             town_id=appeal.town_id, channel_id=appeal.channel_id, on=on)
            self._rules[key] = {r.pk: r for r in rows}
        return self._rules[key]

    def _meeting(self, appeal, chain, on) -> dict:
        """Meeting decisions without a catalogue rule (usually none: one query tells), read once
        per category, county and day."""
        if not chain:
            return {}
        if self._orphans is None:
            self._orphans = _orphan_decisions_exist()
        if not self._orphans:
            return {}
        key = (chain[0].pk, appeal.county_id, on)
        if key not in self._decisions:
            from jishiban.supervision.selectors import decisions_for

            decisions = [d for d in decisions_for(chain[0], appeal.county, on=on) if d.lead_unit.is_active]
            in_catalogue = _with_rule([d.pk for d in decisions])
            self._decisions[key] = {d.pk: d for d in decisions if d.pk not in in_catalogue}
        return self._decisions[key]

    def _fill_learned(self, keys) -> None:
        """Learned statistics for (category chain, county) keys not read yet, in one query."""
        keys = set(keys) - self._learned.keys()
        if not keys:
            return
        rows = selectors.learned_rows_many({pk for chain, _county in keys for pk in chain},
                                           {county for _chain, county in keys})
        for chain, county in keys:
            self._learned[(chain, county)] = [r for r in rows if r.category_id in chain and r.county_id == county]

    def _fill_units(self, domains) -> None:
        """The units of domains not read yet, in one query (``pick_for_domain`` chooses among them)."""
        missing = set(domains) - self._units.keys()
        if missing:
            found = domain_units(missing)
            self._units.update({domain: found.get(domain, []) for domain in missing})

    def _learned_units(self, appeal, chain) -> list[Suggestion]:
        if not chain:
            return []
        key = _learned_key(appeal, chain)
        self._fill_learned({key})
        rows = self._learned[key]
        where = appeal.county.name if appeal.county_id else _("未定县市区")
        for category in chain:  # the nearest category with enough history
            level = [r for r in rows if r.category_id == category.pk and r.kept > 0]
            total = sum(r.kept for r in level)
            if total < min_evidence():
                continue
            return [Suggestion(
                r.unit, (), round(LEARNED_WEIGHT * r.kept / total, 2), "learned",
                _("历史派单：近 %(days)d 天分类 %(cat)s + 县市区 %(county)s 的派单中，%(unit)s 签收且未退单 %(kept)d 件"
                  "（占 %(share)d%%，派单 %(sent)d 件）")
                % {"days": learn_days(), "cat": category.name, "county": where, "unit": r.unit.name, "kept": r.kept,
                   "share": round(100 * r.kept / total), "sent": r.dispatched},
                share=round(100 * r.kept / total),
            ) for r in level]
        return []

    def _domain_default(self, appeal) -> Suggestion | None:
        category = appeal.category
        if category is None:
            return None
        domain = category.profile("domain")
        if not domain:
            return None
        self._fill_units({domain})
        unit = pick_for_domain(self._units[domain], domain, county_id=appeal.county_id, town_id=appeal.town_id)
        if unit is None:
            return None
        if domain == "town":
            where = _("乡镇街道 %(name)s") % {"name": appeal.town.name}
            whose = _("属地乡镇街道")
        elif appeal.county_id and unit.region_id == appeal.county_id:
            where = _("县市区 %(name)s") % {"name": appeal.county.name}
            whose = _("本县市区单位")
        else:
            where = (_("县市区 %(name)s") % {"name": appeal.county.name}) if appeal.county_id else _("全市")
            whose = _("市级单位")
        return Suggestion(unit, (), DOMAIN_SCORE, "domain",
                          _("分类 %(cat)s 的职能领域 + %(where)s → %(whose)s %(unit)s")
                          % {"cat": category.name, "where": where, "whose": whose, "unit": unit.name})


def _learned_key(appeal, chain) -> tuple:
    return tuple(c.pk for c in chain), appeal.county_id


def _orphan_decisions_exist() -> bool:
    from jishiban.supervision.models import DispatchDecision

    return DispatchDecision.objects.filter(is_active=True, routing_rule__isnull=True).exists()


def _with_rule(decision_ids) -> set[int]:
    """Decisions already in the catalogue (whatever their rule's state: the catalogue decides)."""
    if not decision_ids:
        return set()
    return set(DispatchRule.objects.filter(decision_id__in=decision_ids).values_list("decision_id", flat=True))


def suggest_units(appeal, *, limit: int = 3, advisor: Advisor | None = None) -> list[Suggestion]:
    """Up to ``limit`` suggestions for ``appeal``, best first, each with its explanation.

    Pass one ``Advisor()`` for many appeals (a queue page) to share its lookups. Read-only;
    never raises for missing data (an appeal without category or county gets what applies).
    """
    return (advisor or Advisor(preload=False)).suggest(appeal, limit=limit)
