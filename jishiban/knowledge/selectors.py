"""Reads of the knowledge base: the search of the call desk, lists, one entry with its history,
and the usage and freshness figures per owner unit."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from jishiban.accounts.policy import is_unit_staff, sees_all
from jishiban.core.lookups import Lookup
from jishiban.taxonomy.models import Category

from . import text as kt
from .models import Entry, EntryTerm, EntryUse, EntryVersion, Phrase

SUGGEST_LIMIT = 5
MIN_SCORE = 0.15
CATEGORY_BONUS = 0.5  # an entry of the chosen category (or above it) ranks before a stray match
RECENT_DAYS = 30


@dataclass
class Hit:
    entry: Entry
    score: float
    matched: list[str]
    freshness: kt.Freshness


def _lineage(category) -> list[int]:
    ids, node = [], category
    while node is not None:
        ids.append(node.pk)
        node = node.parent
    return ids


def search(query: str, *, category=None, county=None, limit: int = SUGGEST_LIMIT, today=None) -> list[Hit]:
    """Active entries for ``query`` (the appeal being typed), best first.

    Scored by the weights of the entry's terms found among the query's words (smart help's
    tokenizer, ``text.terms``), plus a bonus for an entry of ``category`` or one of its
    ancestors. Entries bound to another county than ``county`` are left out; city-wide ones
    (no region) always qualify. One indexed query over ``EntryTerm``, the same on SQLite and
    PostgreSQL.
    """
    words = kt.terms(query or "")
    lineage = _lineage(category) if category is not None else []
    if not words and not lineage:
        return []
    today = today or timezone.localdate()
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if words:
        for entry_id, term, weight in (EntryTerm.objects.filter(term__in=words, entry__is_active=True)
                                       .values_list("entry_id", "term", "weight")):
            found[entry_id][term] = weight
    if lineage:
        for entry_id in Entry.objects.filter(is_active=True, category_id__in=lineage).values_list("pk", flat=True):
            found.setdefault(entry_id, {})
    entries = Entry.objects.filter(pk__in=list(found)).select_related("owner_unit", "category", "region")
    if county is not None:
        entries = entries.filter(Q(region__isnull=True) | Q(region=county) | Q(region__parent=county))
    hits = []
    for entry in entries:
        matched = found[entry.pk]
        value = kt.score(matched, len(words))
        if entry.category_id and entry.category_id in lineage:
            value += CATEGORY_BONUS
        if value >= MIN_SCORE:
            hits.append(Hit(entry, round(value, 3), sorted(matched, key=lambda t: -matched[t]),
                            kt.freshness(entry.review_due, today)))
    hits.sort(key=lambda h: (-h.score, h.entry.pk))
    return hits[:limit]


def entries(*, q: str = "", owner=None, kind: str = "", stale: bool = False, today=None):
    qs = Entry.objects.filter(is_active=True).select_related("owner_unit", "category", "region")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    if owner is not None:
        qs = qs.filter(owner_unit=owner)
    if kind:
        qs = qs.filter(kind=kind)
    if stale:
        qs = qs.filter(review_due__lt=today or timezone.localdate())
    return qs.order_by("review_due", "title", "id")


def entry(pk: int):
    return Entry.objects.select_related("owner_unit", "category__parent__parent", "region").filter(pk=pk).first()


def history(entry: Entry):
    return list(EntryVersion.objects.filter(entry=entry).select_related("edited_by").order_by("-number"))


def uses_of(entry: Entry, limit: int = 20):
    return list(EntryUse.objects.filter(entry=entry).select_related("appeal", "by").order_by("-at")[:limit])


def use_on(appeal) -> EntryUse | None:
    """The entry an appeal was answered with, if any (for its page)."""
    return EntryUse.objects.filter(appeal=appeal).select_related("entry").order_by("-at").first()


def figures(user, *, today=None) -> list[dict]:
    """Per owner unit: entries, fresh / due soon / overdue for review, edits and uses in the
    last ``RECENT_DAYS`` days. Unit staff read their own unit's row only; the centre all."""
    today = today or timezone.localdate()
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    soon = today + dt.timedelta(days=kt.DUE_SOON_DAYS)
    qs = Entry.objects.filter(is_active=True)
    if not sees_all(user):
        if not is_unit_staff(user):
            return []
        qs = qs.filter(owner_unit_id=user.organisation_id)
    rows = (qs.values("owner_unit_id", "owner_unit__name", "owner_unit__code")
            .annotate(entries=Count("pk", distinct=True),
                      overdue=Count("pk", filter=Q(review_due__lt=today), distinct=True),
                      due_soon=Count("pk", filter=Q(review_due__gte=today, review_due__lte=soon), distinct=True))
            .order_by("owner_unit__code"))
    edits = dict(EntryVersion.objects.filter(entry__in=qs, edited_at__gte=since).values("entry__owner_unit_id")
                 .annotate(n=Count("pk")).values_list("entry__owner_unit_id", "n"))
    uses = dict(EntryUse.objects.filter(entry__in=qs, at__gte=since).values("entry__owner_unit_id")
                .annotate(n=Count("pk")).values_list("entry__owner_unit_id", "n"))
    out = []
    for r in rows:
        unit = r["owner_unit_id"]
        fresh = r["entries"] - r["overdue"] - r["due_soon"]
        out.append({"unit_id": unit, "unit": r["owner_unit__name"], "unit_code": r["owner_unit__code"],
                    "entries": r["entries"], "fresh": fresh, "due_soon": r["due_soon"], "overdue": r["overdue"],
                    "fresh_rate": round(fresh / r["entries"], 3) if r["entries"] else None,
                    "edits": edits.get(unit, 0), "uses": uses.get(unit, 0)})
    return out


@dataclass(frozen=True)
class PhraseBook:
    """Every active phrase and the category tree's parents, read together once."""

    phrases: tuple
    parents: dict


def _phrase_book(_key) -> PhraseBook:
    phrases = tuple(Phrase.objects.filter(is_active=True).order_by("sort", "id"))
    parents = dict(Category.objects.values_list("pk", "parent_id")) if any(p.category_id for p in phrases) else {}
    return PhraseBook(phrases, parents)


# The phrases of every reply and callback form, kept in memory (cleared when a phrase or a
# category is saved), so a list with a form per appeal costs no query per row.
PHRASES = Lookup(Phrase, _phrase_book, also=(Category,))


def phrase_book() -> PhraseBook:
    return PHRASES.get("all")


def phrases_for(purpose: str, category_id=None, limit: int = 8) -> list:
    """Stock phrases of ``purpose`` for an appeal of category ``category_id``: those of its
    category or an ancestor first, then the general ones."""
    book = phrase_book()
    lineage, node = set(), category_id
    while node is not None and node not in lineage:
        lineage.add(node)
        node = book.parents.get(node)
    found = [p for p in book.phrases if p.purpose == purpose and (p.category_id is None or p.category_id in lineage)]
    found.sort(key=lambda p: (p.category_id is None, p.sort, p.pk))
    return found[:limit]
