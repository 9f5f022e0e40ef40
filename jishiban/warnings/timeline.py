"""What the event log says an appeal was at a past moment, for the replay: its category, county
and tags (``annotate`` events carry each changed field's old and new value), whether it had left
the pool (an event into ``GONE``: merged, invalid, withdrawn) and its callback's verdict
(``callback`` sets it, ``reopen`` clears it).

An appeal's value at receipt is the ``old`` of its first change of that field, or the stored value
when it never changed; later values come from the changes in time order. ``Timeline.changes``
holds them sorted by time, so the replay applies each when its moment has passed.
"""

from __future__ import annotations

from datetime import datetime

from jishiban.appeals.models import AppealEvent
from jishiban.appeals.workflow import GONE
from jishiban.regions.models import Region
from jishiban.taxonomy.models import Category

FIELDS = {"category": "category_id", "county": "county_id", "tags": "tags"}


class Timeline:
    """The changes of the appeals received in ``[since, until)`` made before ``until``:
    ``changes`` is a list of ``(at, appeal id, field, value)`` sorted by time, field one of
    ``category_id``, ``county_id``, ``tags``, ``satisfaction`` and ``gone``; ``initial`` maps an
    appeal id to the values it had when received (only the fields that changed later)."""

    def __init__(self, since: datetime, until: datetime):
        self.changes: list[tuple[datetime, int, str, object]] = []
        self.initial: dict[int, dict[str, object]] = {}
        categories = dict(Category.objects.values_list("code", "pk"))
        regions: dict[str, int | None] = {}
        # Annotations after ``until`` too: the first one says what the appeal had before it.
        ours = AppealEvent.objects.filter(appeal__received_at__gte=since, appeal__received_at__lt=until)
        qs = (ours.filter(action="annotate") | ours.filter(action__in=("callback", "reopen"), at__lt=until)
              | ours.filter(to_status__in=GONE, at__lt=until))
        for pk, action, to, at, payload in (qs.order_by("at", "id")
                                            .values_list("appeal_id", "action", "to_status", "at", "payload")
                                            .iterator(chunk_size=5000)):
            payload = payload or {}
            if action == "annotate":
                for name, field in FIELDS.items():
                    change = payload.get(name)
                    if not isinstance(change, dict):
                        continue
                    old, new = (self._value(name, change.get(k), categories, regions) for k in ("old", "new"))
                    self.initial.setdefault(pk, {}).setdefault(field, old)
                    if at < until:
                        self.changes.append((at, pk, field, new))
            elif action == "callback":
                self.changes.append((at, pk, "satisfaction", payload.get("satisfaction") or ""))
            elif action == "reopen":
                self.changes.append((at, pk, "satisfaction", ""))
            if to in GONE:
                self.changes.append((at, pk, "gone", True))

    @staticmethod
    def _value(name: str, value, categories, regions):
        if name == "tags":
            return list(value or [])
        if value is None or isinstance(value, int):
            return value
        if name == "category":
            return categories.get(value)
        if value not in regions:
            regions[value] = Region.objects.filter(code=value).values_list("pk", flat=True).first()
        return regions[value]

    def at_receipt(self, row: dict) -> dict:
        """``row`` (``pk``, ``category_id``, ``county_id``, ``tags`` as stored now) with the values
        it had when received."""
        first = self.initial.get(row["pk"])
        return {**row, **first} if first else row
