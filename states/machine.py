"""The procedure's state machine: one shared `transitions` machine per definition version.

Models are attached with their stored phase and detached afterwards, so thousands of loaded
procedures share one machine instead of each building their own.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from transitions import Machine, MachineError

from states.config import RuleConfig
from states.errors import Refused
from states.i18n import Text
from states.phases import FORWARD_ORDER, OPEN_PHASES, Phase
from states.rules import EXIT_RULES, Rule, evaluate_all, needed_parts
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Verdict, blockers

CURRENT_VERSION = 1

ADVANCE = "advance"
CANCEL = "cancel"
SEND_BACK = "send_back"


class ProcedureModel:
    """What the machine drives: the phase, the data its guards read, the last verdicts."""

    def __init__(self, phase: Phase, snapshot: ProcedureSnapshot, config: RuleConfig) -> None:
        # The machine keeps the phase as its plain code in `state`: string states cost
        # transitions far less per attach than Enum states, and the Enum is one property away.
        self.state: str = phase.value
        self.snapshot = snapshot
        self.config = config
        self.verdicts: list[Verdict] = []

    @property
    def phase(self) -> Phase:
        return Phase(self.state)

    def exit_rules_pass(self) -> bool:
        """Guard of `advance`: evaluates every exit rule and keeps the verdicts for the caller."""
        self.verdicts = evaluate_all(EXIT_RULES[self.phase], self.snapshot, self.config)
        return not blockers(self.verdicts)


class _LeanMachine(Machine):
    """A transitions Machine that adds only the trigger methods to an attached model.

    transitions also gives every model an `is_<state>` helper per state and scans it for
    `on_enter_<state>`/`on_exit_<state>` methods on each `add_model`. Procedures use neither,
    and attaching is on every command's path, so that per-state work is skipped.
    """

    def _add_model_to_state(self, state: Any, model: Any) -> None:
        return None


class ProcedureDefinition:
    """Phases, transitions and rules of one definition version, with its one machine."""

    def __init__(self, version: int) -> None:
        self.version = version
        forward = [
            {
                "trigger": ADVANCE,
                "source": a.value,
                "dest": b.value,
                "conditions": "exit_rules_pass",
            }
            for a, b in itertools.pairwise(FORWARD_ORDER)
        ]
        self._machine = _LeanMachine(
            model=None,
            states=[p.value for p in Phase],
            initial=Phase.PREPARATION.value,
            transitions=[
                *forward,
                {
                    "trigger": CANCEL,
                    "source": [p.value for p in OPEN_PHASES],
                    "dest": Phase.CANCELLED.value,
                },
                {
                    "trigger": SEND_BACK,
                    "source": Phase.DECISION.value,
                    "dest": Phase.SESSIONS.value,
                },
            ],
            auto_transitions=False,
        )
        self._needs = {phase: needed_parts(EXIT_RULES[phase]) for phase in Phase}
        self._lock = threading.Lock()
        # ids of the models on the machine: a set, because 10,000 `in list` checks are slow.
        self._attached: set[int] = set()

    def exit_rules(self, phase: Phase) -> tuple[Rule, ...]:
        return EXIT_RULES[phase]

    def exit_needs(self, phase: Phase) -> frozenset[Part]:
        """The parts of a procedure the exit rules of `phase` read: what a loader must fetch."""
        return self._needs[phase]

    @contextmanager
    def attached(self, models: Sequence[ProcedureModel]) -> Iterator[None]:
        """Attach loaded models at their stored phase (never the initial one) for a while.

        Only the models this call attached are detached afterwards, so nesting is safe, and a
        model that cannot be attached leaves none of its batch behind on the shared machine.
        """
        mine: list[ProcedureModel] = []
        try:
            with self._lock:
                for model in models:
                    if id(model) in self._attached:
                        continue
                    self._machine.add_model(model, initial=model.state)
                    self._attached.add(id(model))
                    mine.append(model)
            yield
        finally:
            with self._lock:
                if mine:
                    self._machine.remove_model(mine)
                for model in mine:
                    self._attached.discard(id(model))

    def fire(self, model: ProcedureModel, trigger: str) -> Phase:
        """Fire `trigger` on an attached model; refuse with every reason when it cannot."""
        before = model.phase
        try:
            moved = bool(getattr(model, trigger)())
        except MachineError:
            raise Refused.one(
                Text(
                    f"Deze stap is niet mogelijk vanuit de fase {before.label.nl}",
                    f"This step is not possible from the phase {before.label.en}",
                ),
                "phase.transition_not_allowed",
                Text(
                    f"'{trigger}' is niet mogelijk vanuit {before.label.nl}",
                    f"'{trigger}' is not possible from {before.label.en}",
                ),
                Text(f"huidige fase: {before.value}", f"current phase: {before.value}"),
                trigger=trigger,
                phase=before.value,
            ) from None
        if not moved:
            target = before.next
            label_nl = target.label.nl if target else "-"
            label_en = target.label.en if target else "-"
            raise Refused(
                Text(
                    f"De procedure kan nog niet door naar {label_nl}",
                    f"The procedure cannot move on to {label_en} yet",
                ),
                blockers(model.verdicts),
            )
        return model.phase

    def step(self, model: ProcedureModel, trigger: str) -> Phase:
        """Attach one model, fire one trigger, detach."""
        with self.attached([model]):
            return self.fire(model, trigger)

    def evaluate(self, snapshot: ProcedureSnapshot, config: RuleConfig) -> list[Verdict]:
        """Every verdict for leaving the snapshot's phase, without moving."""
        return evaluate_all(EXIT_RULES[snapshot.phase], snapshot, config)


_DEFINITIONS: dict[int, ProcedureDefinition] = {}
_DEFINITIONS_LOCK = threading.Lock()


def definition(version: int = CURRENT_VERSION) -> ProcedureDefinition:
    """The shared definition of a version; built once per process, whatever the call style."""
    if version != CURRENT_VERSION:
        raise ValueError(f"unknown procedure definition version {version}")
    with _DEFINITIONS_LOCK:
        if version not in _DEFINITIONS:
            _DEFINITIONS[version] = ProcedureDefinition(version)
        return _DEFINITIONS[version]
