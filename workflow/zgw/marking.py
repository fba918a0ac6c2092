"""What keeping a case for a hotspot changes in it: the plan, before any request is made.

Keeping means `archiefnominatie = blijvend_bewaren`, the `archiefactiedatum` that goes with it
(the day of transfer to the archive: the case's end date plus the organisation's term) and a
`kenmerk` naming the hotspot and the list it is on. A case that already says all of that needs
no change: planning it again is how the apply is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workflow.zgw.cases import Case, Kenmerk

KEEP = "blijvend_bewaren"
# The Zaken API's limit on both parts of a kenmerk.
KENMERK_MAX = 40
LEGAL_GROUND = "Archiefbesluit 1995 art. 5 sub e"


@dataclass(frozen=True, slots=True)
class HotspotDecision:
    """The adopted hotspot a case is kept for, and the decision that adopted it."""

    number: str
    title: str
    governing_body: str
    decision_ref: str
    decision_date: date

    @property
    def kenmerk(self) -> Kenmerk:
        return Kenmerk(
            f"hotspot {self.number}"[:KENMERK_MAX],
            f"hotspotlijst {self.decision_ref}"[:KENMERK_MAX],
        )

    def toelichting(self) -> str:
        """The reason the case system's audit trail shows with the change."""
        return (
            f"Blijvend bewaren: zaak hoort bij hotspot {self.number} ({self.title}), "
            f"vastgesteld door {self.governing_body} bij besluit {self.decision_ref} van "
            f"{self.decision_date.isoformat()}; {LEGAL_GROUND}"
        )


@dataclass(frozen=True, slots=True)
class TransferRule:
    """When a kept case goes to the archive: this many years after it ended (Archiefwet 1995
    art. 12: at the latest after twenty years)."""

    years_after_end: int = 20

    def transfer_date(self, case: Case) -> date | None:
        if case.einddatum is None:
            return None  # an open case gets its date when it closes
        end = case.einddatum
        try:
            return end.replace(year=end.year + self.years_after_end)
        except ValueError:  # 29 February into a year without one
            return end.replace(year=end.year + self.years_after_end, day=28)


def planned_change(case: Case, decision: HotspotDecision, rule: TransferRule) -> dict[str, Any]:
    """The PATCH body that keeps `case` for `decision`; empty when it is kept already."""
    body: dict[str, Any] = {}
    if case.archiefnominatie != KEEP:
        body["archiefnominatie"] = KEEP
    wanted = rule.transfer_date(case)
    if wanted is not None and case.archiefactiedatum != wanted:
        body["archiefactiedatum"] = wanted.isoformat()
    if decision.kenmerk not in case.kenmerken:
        # The API replaces the whole list: the case's own kenmerken go along unchanged.
        body["kenmerken"] = [
            {"kenmerk": k.kenmerk, "bron": k.bron} for k in (*case.kenmerken, decision.kenmerk)
        ]
    return body


def drifted(case: Case, decision: HotspotDecision, rule: TransferRule) -> list[str]:
    """The fields a case marked before no longer holds as marked (empty: still kept)."""
    return sorted(planned_change(case, decision, rule))
