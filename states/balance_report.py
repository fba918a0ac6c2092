"""How balance was kept: the verdicts of the balance rules, for the proposal and the mails."""

from __future__ import annotations

from dataclasses import dataclass

from states.config import RuleConfig
from states.i18n import Text
from states.rules import RULES_BY_CODE, needed_parts
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Status

# The rules that keep either perspective from dominating, in the order the method applies
# them: who is on the panel, who actually attended, whose nominations made the list.
BALANCE_CODES: tuple[str, ...] = (
    "panel.size",
    "panel.external_share",
    "panel.external_profiles",
    "sessions.held",
    "sessions.nomination_balance",
)
# What a loader must fetch for the report: the experts, the sessions and the candidates.
BALANCE_PARTS: frozenset[Part] = needed_parts(RULES_BY_CODE[code] for code in BALANCE_CODES)

# A short name per rule for a reader who does not know the codes (documents, mails, status).
RULE_LABELS: dict[str, Text] = {
    "workgroup.required_roles": Text("Rollen in de werkgroep", "Workgroup roles"),
    "planning.milestones_set": Text("Mijlpalen vastgelegd", "Milestones set"),
    "planning.milestone_order": Text("Volgorde van de mijlpalen", "Order of the milestones"),
    "planning.rsvp_lead_time": Text("Bedenktijd voor experts", "Time for experts to answer"),
    "planning.session_lead_time": Text(
        "Voorbereidingstijd eerste bijeenkomst", "Notice before the first session"
    ),
    "panel.size": Text("Omvang van het expertpanel", "Size of the expert panel"),
    "panel.external_share": Text(
        "Verhouding intern en extern in het panel", "Internal and external share of the panel"
    ),
    "panel.external_profiles": Text(
        "Profielen van de externe experts", "Profiles of the external experts"
    ),
    "sessions.held": Text("Evenwichtig bezette bijeenkomsten", "Sessions with balanced attendance"),
    "sessions.candidates_assessed": Text("Kandidaten beoordeeld", "Candidates assessed"),
    "sessions.concept_list_criteria": Text(
        "Criteria en motivering op de conceptlijst", "Criteria and motivation on the concept list"
    ),
    "sessions.nomination_balance": Text(
        "Herkomst van de voordrachten", "Where the nominations came from"
    ),
    "sessions.concept_list_not_empty": Text("Conceptlijst niet leeg", "Concept list not empty"),
    "sessions.list_changed_after_return": Text(
        "Teruggestuurde lijst gewijzigd", "Returned list changed"
    ),
    "decision.archivist_advice": Text("Advies van de archivaris", "Advice of the archivist"),
    "decision.adoption": Text("Vaststelling van de lijst", "Adoption of the list"),
    "inventory.hotspots_covered": Text(
        "Informatie per hotspot gemarkeerd", "Records marked per hotspot"
    ),
    "inventory.systems_searched": Text("Systemen doorzocht", "Systems searched"),
    "publication.recorded": Text("Publicatie vastgelegd", "Publication recorded"),
}


@dataclass(frozen=True, slots=True)
class BalanceLine:
    """One balance rule as a reader sees it.

    `message` is the norm followed by the figures ("... (4 van 6 experts extern ...)").
    `ok` is true when the norm is met or does not apply yet (too short a list); `deviated`
    when a deviation from the rule is on record, whether or not the norm is met now.
    """

    code: str
    label: Text
    message: Text
    ok: bool
    deviated: bool
    applicable: bool = True


def rule_label(code: str) -> Text:
    """The short name of a rule; the code itself for a rule this version does not know."""
    return RULE_LABELS.get(code, Text(code, code))


def balance_report(snapshot: ProcedureSnapshot, config: RuleConfig) -> tuple[BalanceLine, ...]:
    """The balance rules evaluated on `snapshot`, which needs the experts, sessions, candidates.

    Raises ValueError (from the rules) when a needed part was not loaded: an unloaded part
    would otherwise read as an empty panel and report a false imbalance.
    """
    lines = []
    for code in BALANCE_CODES:
        verdict = RULES_BY_CODE[code].evaluate(snapshot, config)
        lines.append(
            BalanceLine(
                code=code,
                label=rule_label(code),
                message=Text(verdict.explain("nl"), verdict.explain("en")),
                ok=verdict.status in (Status.PASSED, Status.NOT_APPLICABLE),
                deviated=code in snapshot.deviations,
                applicable=verdict.status is not Status.NOT_APPLICABLE,
            )
        )
    return tuple(lines)
