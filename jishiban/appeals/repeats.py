"""重复诉求 (repeat complaint): the one rule, used by the call desk, the centre's oversight list,
the supervision trigger and smart help.

An appeal is a repeat when at least ``threshold`` *earlier* appeals (merged and invalid ones
left out) were received within ``window_days`` before it

* from the same caller (the same phone, or the same citizen account when there is no phone),
  or — with ``by_address`` — at the same address, and
* in the same category subtree: their categories share the ancestor at ``category_level``
  (1 一级, 2 二级, 3 the leaf itself); an appeal without a category is no repeat (its subtree
  is not known yet).

The parameters are settings (``JISHIBAN_REPEAT_*``). ``with_earlier_count(..., as_of=T)`` applies
the rule as it stood at a past moment ``T`` (the warnings' replay): every category is the one
the appeal had then (from its ``annotate`` events: the ``new`` of the last category change up
to ``T``, else the ``old`` of the first one after it, else the stored one), and an appeal left
out as merged or invalid is one that had been moved into ``GONE`` by ``T``. Smart help applies the same window and
threshold to its duplicate index, where "the same matter" is judged from the text, before a
category is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import NullIf

from .workflow import GONE

_ANCESTOR = {3: "category_id", 2: "category__parent_id", 1: "category__parent__parent_id"}
_UP = {3: "pk", 2: "parent_id", 1: "parent__parent_id"}  # the same walk from a Category row


@dataclass(frozen=True)
class RepeatRule:
    window_days: int = 90
    threshold: int = 2  # earlier appeals that make this one a repeat
    category_level: int = 2
    by_address: bool = True

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)


def rule() -> RepeatRule:
    """The configured rule (settings ``JISHIBAN_REPEAT_WINDOW_DAYS``, ``_THRESHOLD``,
    ``_CATEGORY_LEVEL``, ``_BY_ADDRESS``)."""
    return RepeatRule(window_days=int(getattr(settings, "JISHIBAN_REPEAT_WINDOW_DAYS", 90)),
                      threshold=int(getattr(settings, "JISHIBAN_REPEAT_THRESHOLD", 2)),
                      category_level=int(getattr(settings, "JISHIBAN_REPEAT_CATEGORY_LEVEL", 2)),
                      by_address=bool(getattr(settings, "JISHIBAN_REPEAT_BY_ADDRESS", True)))


def _ancestor_field(level: int) -> str:
    # Leaves are level 3; the ancestor at ``level`` is reached by walking up (3 - level) parents.
    return _ANCESTOR[level]


def _same_caller_or_address(phone, account, address, r: RepeatRule) -> Q:
    """The rule's branches: the same phone, the same citizen account (given only for an appeal
    without a phone), and with ``by_address`` the same address. Each is a plain value (empty or
    None: the branch is left out) or an expression of the outer row (``with_earlier_count``)."""
    branches = [("citizen_phone", phone), ("citizen_user_id", account)] + ([("address", address)] if r.by_address else [])
    same = None
    for field, value in branches:
        if value is not None and not (isinstance(value, str) and not value.strip()):
            same = Q(**{field: value}) if same is None else same | Q(**{field: value})
    return same if same is not None else Q(pk__in=[])


def earlier_of(appeal, r: RepeatRule | None = None):
    """The earlier appeals that count towards ``appeal`` being a repeat (a queryset)."""
    from .models import Appeal

    r = r or rule()
    same = _same_caller_or_address(appeal.citizen_phone, None if appeal.citizen_phone else appeal.citizen_user_id,
                                   appeal.address, r)
    qs = (Appeal.objects.filter(same).exclude(pk=appeal.pk).exclude(status__in=GONE)
          .filter(received_at__gte=appeal.received_at - r.window, received_at__lte=appeal.received_at))
    if not appeal.category_id or not appeal.pk:
        return Appeal.objects.none()
    field = _ancestor_field(r.category_level)
    return qs.filter(**{field: Subquery(Appeal.objects.filter(pk=appeal.pk).values(field)[:1])})


def earlier_count(appeal, r: RepeatRule | None = None) -> int:
    return earlier_of(appeal, r).count()


def is_repeat(appeal, r: RepeatRule | None = None) -> bool:
    r = r or rule()
    return earlier_of(appeal, r)[: r.threshold].count() >= r.threshold


def with_earlier_count(qs, r: RepeatRule | None = None, *, now: datetime | None = None,
                       as_of: datetime | None = None):
    """``qs`` annotated with ``earlier`` (the count of ``earlier_of`` for each row), one
    correlated count per row over the phone and address indexes. With ``now``, counted over the
    window before ``now`` rather than before each appeal (the oversight list's "still in hand,
    raised again lately"). With ``as_of``, the categories and the merged or invalid appeals are
    those of that moment, and only appeals received by then count (see the module's text)."""
    from .models import Appeal

    r = r or rule()
    # An empty phone or address matches nothing: compared as NULL, so the index is not walked
    # through every other row that lacks one (an import without phones made each row count them all).
    # The same caller is the same phone, or the same citizen account when there is no phone, as
    # in ``earlier_of``: the account is compared only for a row without a phone.
    qs = qs.annotate(_repeat_account=Case(When(citizen_phone="", then=F("citizen_user_id")), default=Value(None),
                                          output_field=IntegerField()))
    same = _same_caller_or_address(NullIf(OuterRef("citizen_phone"), Value("")), OuterRef("_repeat_account"),
                                   NullIf(OuterRef("address"), Value("")), r)
    field = _ancestor_field(r.category_level)
    since = (now - r.window) if now is not None else None
    others = Appeal.objects.filter(same).exclude(pk=OuterRef("pk"))
    if as_of is None:
        others = others.exclude(status__in=GONE)
    else:
        others = others.exclude(_gone_by(as_of)).filter(received_at__lte=as_of)
    if since is not None:
        others = others.filter(received_at__gte=since)
    else:
        others = others.filter(received_at__lte=OuterRef("received_at"),
                               received_at__gte=OuterRef("received_at") - r.window)
    if as_of is None:
        others = others.filter(**{field: OuterRef(field)})
    else:
        qs = qs.annotate(_repeat_group=_group_at(as_of, r.category_level))
        others = others.annotate(_group=_group_at(as_of, r.category_level)).filter(_group=OuterRef("_repeat_group"))
    others = others.order_by().annotate(n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return qs.annotate(earlier=Subquery(others))


def _gone_by(at: datetime) -> Exists:
    from .models import AppealEvent

    return Exists(AppealEvent.objects.filter(appeal_id=OuterRef("pk"), to_status__in=GONE, at__lte=at))


def _group_at(at: datetime, level: int):
    """The ancestor at ``level`` of the category the row's appeal had at ``at`` (an expression)."""
    from jishiban.taxonomy.models import Category

    from .models import AppealEvent

    changes = AppealEvent.objects.filter(appeal_id=OuterRef(OuterRef("pk")), action="annotate",
                                         payload__has_key="category")
    before = changes.filter(at__lte=at).order_by("-at", "-id")
    after = changes.filter(at__gt=at).order_by("at", "id")
    code = Case(When(Exists(before), then=Subquery(before.annotate(c=KT("payload__category__new")).values("c")[:1])),
                When(Exists(after), then=Subquery(after.annotate(c=KT("payload__category__old")).values("c")[:1])),
                default=Subquery(Category.objects.filter(pk=OuterRef(OuterRef("category_id"))).values("code")[:1]),
                output_field=TextField())
    return Subquery(Category.objects.filter(code=code).values(_UP[level])[:1])


def repeats_among(qs, r: RepeatRule | None = None, *, now: datetime | None = None):
    """The appeals of ``qs`` that are repeats under the rule."""
    r = r or rule()
    return with_earlier_count(qs, r, now=now).filter(earlier__gte=r.threshold)
