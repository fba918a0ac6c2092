"""The rules for leaving each phase, by phase, and the lookup of a rule by its code."""

from __future__ import annotations

from states.phases import Phase
from states.rules import decision, inventory, panel, planning, publication, sessions, workgroup
from states.rules.base import Rule, evaluate_all, needed_parts

EXIT_RULES: dict[Phase, tuple[Rule, ...]] = {
    Phase.PREPARATION: (),
    Phase.WORKGROUP: tuple(workgroup.RULES),
    Phase.PLANNING: tuple(planning.RULES),
    Phase.EXPERT_SELECTION: tuple(panel.RULES),
    Phase.SESSIONS: tuple(sessions.RULES),
    Phase.DECISION: tuple(decision.RULES),
    Phase.INVENTORY: tuple(inventory.RULES),
    Phase.PUBLICATION: tuple(publication.RULES),
    Phase.CLOSED: (),
    Phase.CANCELLED: (),
}

RULES_BY_CODE: dict[str, Rule] = {r.code: r for rules in EXIT_RULES.values() for r in rules}

__all__ = ["EXIT_RULES", "RULES_BY_CODE", "Rule", "evaluate_all", "needed_parts"]
