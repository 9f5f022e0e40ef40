"""Meeting decisions become catalogue rules, in the same transaction as the decision.

``supervision.DispatchDecision`` is saved (``post_save``) and then gets its co-handlers
(``m2m_changed``); both keep the decision's rule in step (``services.sync_decision``), so the
catalogue is the one place routing reads. A decision switched off with a queryset
``update()`` sends no signal: its rule stops applying anyway, because rules whose decision
is inactive are not in force (``DispatchRuleQuerySet.in_force``).
"""

from __future__ import annotations


def decision_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loading fixtures: the rules come with them or from ``routing seed``
        return
    from .services.rules import sync_decision

    sync_decision(instance)


def decision_units_changed(sender, instance, action, reverse=False, **kwargs) -> None:
    if reverse or action not in ("post_add", "post_remove", "post_clear"):
        return
    from .services.rules import sync_decision

    sync_decision(instance)


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_save

    from jishiban.supervision.models import DispatchDecision

    post_save.connect(decision_saved, sender=DispatchDecision, dispatch_uid="routing-decision-saved")
    m2m_changed.connect(decision_units_changed, sender=DispatchDecision.co_units.through,
                        dispatch_uid="routing-decision-units")
