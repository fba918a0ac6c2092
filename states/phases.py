"""The phases of a hotspot-monitor procedure: one enum for the machine, the database and the UI."""

from __future__ import annotations

from enum import StrEnum

from states.errors import InvalidInput
from states.i18n import Text


class Phase(StrEnum):
    PREPARATION = "preparation"
    WORKGROUP = "workgroup"
    PLANNING = "planning"
    EXPERT_SELECTION = "expert_selection"
    SESSIONS = "sessions"
    DECISION = "decision"
    INVENTORY = "inventory"
    PUBLICATION = "publication"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> Text:
        return PHASE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (Phase.CLOSED, Phase.CANCELLED)

    @property
    def next(self) -> Phase | None:
        """The phase `advance` leads to, or None when the procedure cannot go forward."""
        if self not in FORWARD_ORDER or self is Phase.CLOSED:
            return None
        return FORWARD_ORDER[FORWARD_ORDER.index(self) + 1]

    def is_past(self, other: Phase) -> bool:
        """True when this phase comes after `other` in the forward order."""
        if self not in FORWARD_ORDER or other not in FORWARD_ORDER:
            return False
        return FORWARD_ORDER.index(self) > FORWARD_ORDER.index(other)


FORWARD_ORDER: tuple[Phase, ...] = (
    Phase.PREPARATION,
    Phase.WORKGROUP,
    Phase.PLANNING,
    Phase.EXPERT_SELECTION,
    Phase.SESSIONS,
    Phase.DECISION,
    Phase.INVENTORY,
    Phase.PUBLICATION,
    Phase.CLOSED,
)

OPEN_PHASES: tuple[Phase, ...] = tuple(p for p in FORWARD_ORDER if p.is_open)

PHASE_LABELS: dict[Phase, Text] = {
    Phase.PREPARATION: Text("voorbereiding", "preparation"),
    Phase.WORKGROUP: Text("instellen hotspotwerkgroep", "workgroup set-up"),
    Phase.PLANNING: Text("planning", "planning"),
    Phase.EXPERT_SELECTION: Text("selectie experts", "expert selection"),
    Phase.SESSIONS: Text("expertbijeenkomsten", "expert sessions"),
    Phase.DECISION: Text("bestuurlijke besluitvorming", "decision by the governing body"),
    Phase.INVENTORY: Text("inventarisatie", "inventory"),
    Phase.PUBLICATION: Text("publicatie", "publication"),
    Phase.CLOSED: Text("afgesloten", "closed"),
    Phase.CANCELLED: Text("geannuleerd", "cancelled"),
}


def parse_phase(value: str, field: str = "phase") -> Phase:
    """The phase named by `value` (its code), or InvalidInput naming the known phases."""
    try:
        return Phase(value.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in Phase)
        raise InvalidInput(
            field,
            Text(
                f"onbekende fase {value!r}; bekend: {known}",
                f"unknown phase {value!r}; known: {known}",
            ),
        ) from None
