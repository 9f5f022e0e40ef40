"""One definition of the unit that returned an appeal (``workflow.returning_unit``: the return
event's ``payload["unit"]``), read the same by the page, the figures, the letters, disputes and
routing's learning; older events without it are filled by a reversible migration."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from jishiban.appeals import services
from jishiban.appeals.models import AppealEvent
from jishiban.appeals.selectors import returning_unit_codes, returns_by, with_returning_unit
from jishiban.appeals.workflow import returning_unit
from jishiban.testing import advance, make_appeal

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("jishiban.appeals.migrations.0006_returns12_fill_returning_unit")


def _approved(personas, **fields):
    appeal = advance(make_appeal(**fields), personas, "accepted")
    appeal = services.request_return(appeal, by=personas.handler, reason="该路段管网不属本局管理")
    return services.approve_return(appeal, by=personas.dispatcher, note="核实属实")


def test_the_reviewed_return_names_the_asking_unit_and_its_actor_is_the_reviewer(personas):
    appeal = _approved(personas)
    event = appeal.events.get(action="return")
    assert event.actor == personas.dispatcher and event.actor_unit.code == "centre-city"
    assert returning_unit(event.payload) == "city-water"
    assert with_returning_unit([event])[0].returning_unit == personas.water
    assert AppealEvent.objects.filter(returns_by("city-water")).get() == event
    assert returning_unit_codes(AppealEvent.objects.filter(appeal=appeal)) == {"city-water"}


def test_the_figures_letters_disputes_and_learning_count_the_return_against_the_unit(personas):
    from jishiban.analytics.rollup import compute_entries
    from jishiban.routing.services.learning import dispatch_outcomes
    from jishiban.supervision.letters import letter_figures
    from jishiban.supervision.models import Dispute
    from jishiban.supervision.rules import Period

    appeal = _approved(personas)
    entries = compute_entries([appeal.pk], timezone.now())[appeal.pk]
    assert [e[7] for e in entries if e[0] == "returned"] == [personas.water.pk]
    today = timezone.localdate()
    period = Period("t", today - timedelta(days=1), today + timedelta(days=1))
    assert letter_figures(personas.water, period).returned == 1
    assert letter_figures(personas.dispatcher.organisation, period).returned == 0
    rows = {r["unit_code"]: r for r in dispatch_outcomes()}
    assert rows["city-water"]["returned"] == 1
    # a second return puts it on the disputes list, naming the units that returned it
    appeal = services.dispatch(appeal, by=personas.dispatcher, lead_unit=personas.urban)
    appeal = services.request_return(appeal, by=personas.other_handler, reason="不属城管职责")
    services.approve_return(appeal, by=personas.dispatcher)
    dispute = Dispute.objects.get(appeal=appeal)
    assert {r["unit"] for r in dispute.return_reasons} == {"city-water", "city-urban"}
    assert set(dispute.units.values_list("code", flat=True)) == {"city-water", "city-urban"}


def _strip_unit(event):
    event.payload = {k: v for k, v in event.payload.items() if k != "unit"}
    event.save(update_fields=["payload"])


def test_the_migration_fills_old_events_from_the_log_and_goes_back(personas):
    reviewed = _approved(personas)
    asked, approved = reviewed.events.get(action="request-return"), reviewed.events.get(action="return")
    other = advance(make_appeal(content="井盖丢失"), personas, "dispatched", unit=personas.urban)
    other = services.request_return(other, by=personas.other_handler, reason="不属城管职责")
    rejected = services.reject_return(other, by=personas.dispatcher, reason="属城管职责").events.get(
        action="reject-return")
    for e in (asked, approved, rejected):
        _strip_unit(e)
    # an old unit's own return whose payload was written empty
    direct = reviewed.events.create(action="return", from_status="dispatched", to_status="returned",
                                    actor=personas.power_handler, actor_unit=personas.power_handler.organisation,
                                    reason="非本单位职责", payload={"unit": None}, at=timezone.now())
    # an old take-back by the centre, no request before it: the unit it was dispatched to
    taken = other.events.create(action="return", from_status="dispatched", to_status="returned",
                                actor=personas.dispatcher, actor_unit=personas.dispatcher.organisation,
                                reason="派错单位", payload={}, at=timezone.now())
    kept = dict(reviewed.events.get(action="dispatch").payload)

    fill_migration.fill(apps, None)
    got = {e.pk: e.payload for e in AppealEvent.objects.filter(pk__in=[asked.pk, approved.pk, rejected.pk, direct.pk])}
    assert (got[asked.pk]["unit"], got[asked.pk]["unit_filled"]) == ("city-water", "actor")
    assert (got[approved.pk]["unit"], got[approved.pk]["unit_filled"]) == ("city-water", "request")
    assert (got[rejected.pk]["unit"], got[rejected.pk]["unit_filled"]) == ("city-urban", "request")
    assert (got[direct.pk]["unit"], got[direct.pk]["unit_filled"]) == ("ent-power", "actor")
    taken.refresh_from_db()
    assert (taken.payload["unit"], taken.payload["unit_filled"]) == ("city-urban", "dispatch")
    assert got[approved.pk]["reviewed"] is True  # the rest of the payload stays
    assert reviewed.events.get(action="dispatch").payload == kept
    untouched = other.events.get(action="request-return")
    assert "unit_filled" not in untouched.payload and untouched.payload["unit"] == "city-urban"

    fill_migration.fill(apps, None)  # a second run finds nothing to fill
    assert {e.pk: e.payload for e in AppealEvent.objects.filter(pk__in=got)} == got

    fill_migration.unfill(apps, None)
    for e in AppealEvent.objects.filter(pk__in=[asked.pk, approved.pk, rejected.pk, direct.pk, taken.pk]):
        assert "unit" not in e.payload and "unit_filled" not in e.payload
    assert untouched.payload == AppealEvent.objects.get(pk=untouched.pk).payload
