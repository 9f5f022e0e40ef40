"""The one write path of routing, and the suggestions.

* ``suggest_units(appeal, *, limit=3, advisor=None) -> list[Suggestion]`` — who should handle
  an appeal, each ``Suggestion(lead_unit, co_units, score, source, explanation, rule_id,
  decision_id)`` (``suggest.py``);
* ``create_rule`` / ``update_rule`` / ``set_active`` / ``sync_decision`` — the catalogue
  (``rules.py``);
* ``learn`` — rebuild the statistics of accepted dispatches (``learning.py``);
* ``seed_catalogue`` — the first catalogue from the domain map and curated data (``seeding.py``).

Errors are the appeal workflow's (``jishiban.appeals.errors``): ``ActionForbidden`` (403),
``AppealValidationError`` with field → messages (422).
"""

from .learning import learn
from .rules import create_rule, set_active, sync_decision, update_rule
from .seeding import seed_catalogue
from .suggest import Advisor, Suggestion, suggest_units

__all__ = ["Advisor", "Suggestion", "create_rule", "learn", "seed_catalogue", "set_active", "suggest_units",
           "sync_decision", "update_rule"]
