"""Rules for leaving the decision phase: positive archivist advice and a recorded adoption."""

from __future__ import annotations

from states.config import RuleConfig
from states.i18n import Text, format_date
from states.rules.base import rule
from states.snapshot import ListStatus, Part, ProcedureSnapshot
from states.verdicts import Verdict, check


@rule("decision.archivist_advice", Part.LIST_VERSION)
def archivist_advice(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    version = snapshot.list_version
    advice = version.advice_positive if version else None
    adviser = (version.advice_by if version else None) or "?"
    if advice is None:
        figures = Text("nog geen advies vastgelegd", "no advice recorded yet")
    elif advice:
        figures = Text(f"positief advies van {adviser}", f"positive advice by {adviser}")
    else:
        figures = Text("negatief advies", "negative advice")
    return check(
        advice is True,
        "",
        Text(
            "Het advies van de archivaris over de conceptlijst is vastgelegd en positief",
            "The archivist's advice on the concept list is recorded and positive",
        ),
        figures,
    )


@rule("decision.adoption", Part.LIST_VERSION)
def adoption(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    version = snapshot.list_version
    adopted = (
        version is not None
        and version.status is ListStatus.ADOPTED
        and version.decision_date is not None
        and bool(version.decision_ref)
    )
    if adopted and version and version.decision_date:
        figures = Text(
            f"vastgesteld op {format_date(version.decision_date)}, kenmerk {version.decision_ref}",
            f"adopted on {format_date(version.decision_date, 'en')}, "
            f"reference {version.decision_ref}",
        )
    else:
        figures = Text("nog geen vaststelling vastgelegd", "no adoption recorded yet")
    return check(
        adopted,
        "",
        Text(
            "Het bestuursorgaan heeft de hotspotlijst vastgesteld, met datum en kenmerk",
            "The governing body adopted the hotspot list, with date and reference",
        ),
        figures,
    )


RULES = [archivist_advice, adoption]
