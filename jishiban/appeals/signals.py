"""Hooks other apps attach to, instead of being called from the workflow.

- ``transition_recorded`` is sent INSIDE the transaction that wrote the transition, so a
  receiver's writes (an outbox row, a supervision trigger) commit or roll back with it.
- ``transition_committed`` is sent after commit, for side effects (notifications, jobs).
Both carry ``appeal`` and ``event``.
"""

from django.dispatch import Signal

transition_recorded = Signal()
transition_committed = Signal()
