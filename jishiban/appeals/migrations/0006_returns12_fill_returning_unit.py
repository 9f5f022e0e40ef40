"""Every return event names the unit that asked to return the appeal in ``payload["unit"]``
(``workflow.returning_unit``), the one place every reader looks.

Events written before that rule held may lack it. They get it from what the log shows: for a
return or a rejection, the unit of the request it decided (its ``unit``, else the request's
actor's unit); for a return without a request or a request, the acting unit when it is not the
centre; else the unit the appeal was last dispatched or reopened to. Each filled event says so
in ``payload["unit_filled"]`` (``request`` | ``actor`` | ``dispatch``); going back removes
exactly those keys.
"""

from django.db import migrations
from django.db.models import Q

RETURN_EVENTS = ("request-return", "return", "reject-return")
CYCLE_EVENTS = ("dispatch", "reopen")
CHUNK = 500


def _missing():
    return ~Q(payload__has_key="unit") | Q(payload__unit=None) | Q(payload__unit="")


def fill(apps, schema_editor):
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    Organisation = apps.get_model("organisations", "Organisation")
    units = {pk: (code, kind) for pk, code, kind in Organisation.objects.values_list("pk", "code", "kind")}
    appeal_ids = sorted(set(AppealEvent.objects.filter(Q(action__in=RETURN_EVENTS) & _missing())
                            .values_list("appeal_id", flat=True)))
    for i in range(0, len(appeal_ids), CHUNK):
        changed = []
        events = (AppealEvent.objects.filter(appeal_id__in=appeal_ids[i:i + CHUNK],
                                             action__in=RETURN_EVENTS + CYCLE_EVENTS)
                  .order_by("appeal_id", "at", "id"))
        appeal, lead, asked = None, None, None
        for e in events:
            if e.appeal_id != appeal:
                appeal, lead, asked = e.appeal_id, None, None
            p = e.payload if isinstance(e.payload, dict) else {}
            actor_code, actor_kind = units.get(e.actor_unit_id, (None, None))
            acting_unit = actor_code if actor_kind and actor_kind != "centre" else None
            if e.action == "dispatch":
                lead, asked = p.get("lead_unit") or lead, None
                continue
            if e.action == "reopen":
                lead, asked = p.get("unit") or lead, None
                continue
            unit, source = p.get("unit") or None, None
            if unit is None:
                if e.action != "request-return" and asked:
                    unit, source = asked, "request"
                elif acting_unit and e.action != "reject-return":
                    unit, source = acting_unit, "actor"
                elif lead:
                    unit, source = lead, "dispatch"
            if source:
                e.payload = {**p, "unit": unit, "unit_filled": source}
                changed.append(e)
            if e.action == "request-return":
                asked = unit
            else:
                asked = None
        AppealEvent.objects.bulk_update(changed, ["payload"], batch_size=CHUNK)


def unfill(apps, schema_editor):
    AppealEvent = apps.get_model("appeals", "AppealEvent")
    changed = []
    for e in AppealEvent.objects.filter(action__in=RETURN_EVENTS, payload__has_key="unit_filled").iterator():
        payload = dict(e.payload)
        payload.pop("unit", None)
        payload.pop("unit_filled", None)
        e.payload = payload
        changed.append(e)
        if len(changed) >= CHUNK:
            AppealEvent.objects.bulk_update(changed, ["payload"])
            changed = []
    AppealEvent.objects.bulk_update(changed, ["payload"])


class Migration(migrations.Migration):

    dependencies = [
        ("appeals", "0005_analytics12_return_review"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, unfill)]
