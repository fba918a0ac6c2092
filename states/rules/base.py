"""What a rule is, and how the rules for leaving a phase are evaluated together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from states.config import RuleConfig
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Status, Verdict

Check = Callable[[ProcedureSnapshot, RuleConfig], Verdict]


@dataclass(frozen=True, slots=True)
class Rule:
    """A named check over plain data. `deviable` rules can be set aside with a recorded reason."""

    code: str
    needs: frozenset[Part]
    deviable: bool
    check: Check

    def evaluate(self, snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
        missing = self.needs - snapshot.loaded
        if missing:
            # A loader that forgot a part would make a rule pass on empty data: refuse loudly.
            names = sorted(part.value for part in missing)
            raise ValueError(f"rule {self.code} needs {names}, which were not loaded")
        found = self.check(snapshot, config)
        reason = None
        if found.status is Status.FAILED and self.deviable:
            reason = snapshot.deviations.get(self.code)
        # Built directly rather than with dataclasses.replace: this runs on every command.
        return Verdict(
            self.code,
            Status.DEVIATED if reason is not None else found.status,
            found.message,
            found.figures,
            found.data,
            self.deviable,
            reason,
        )


def rule(code: str, *needs: Part, deviable: bool = False) -> Callable[[Check], Rule]:
    """Decorator that turns a check function into a Rule."""

    def wrap(check: Check) -> Rule:
        return Rule(code, frozenset(needs), deviable, check)

    return wrap


def evaluate_all(
    rules: Iterable[Rule], snapshot: ProcedureSnapshot, config: RuleConfig
) -> list[Verdict]:
    """Every verdict, not just the first failure: a refusal lists all that stands in the way."""
    return [r.evaluate(snapshot, config) for r in rules]


def needed_parts(rules: Iterable[Rule]) -> frozenset[Part]:
    parts: frozenset[Part] = frozenset()
    for r in rules:
        parts |= r.needs
    return parts
