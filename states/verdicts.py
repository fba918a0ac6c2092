"""What a rule says about a procedure: a stable code, a bilingual message and the figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from states.i18n import Language, Text


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    DEVIATED = "deviated"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one rule. Only FAILED blocks a step."""

    code: str
    status: Status
    message: Text
    figures: Text
    data: dict[str, Any] = field(default_factory=dict)
    deviable: bool = False
    deviation_reason: str | None = None

    @property
    def blocks(self) -> bool:
        return self.status is Status.FAILED

    def explain(self, language: Language = "nl") -> str:
        """One line for a person: the message followed by the figures."""
        text = self.message(language)
        figures = self.figures(language)
        return f"{text} ({figures})" if figures else text

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status.value,
            "message": self.message(language),
            "figures": self.figures(language),
            "data": self.data,
            "deviable": self.deviable,
            "deviation_reason": self.deviation_reason,
        }


def passed(code: str, message: Text, figures: Text, **data: Any) -> Verdict:
    return Verdict(code, Status.PASSED, message, figures, dict(data))


def failed(code: str, message: Text, figures: Text, **data: Any) -> Verdict:
    return Verdict(code, Status.FAILED, message, figures, dict(data))


def not_applicable(code: str, message: Text, figures: Text, **data: Any) -> Verdict:
    return Verdict(code, Status.NOT_APPLICABLE, message, figures, dict(data))


def check(ok: bool, code: str, message: Text, figures: Text, **data: Any) -> Verdict:
    """PASSED or FAILED with the same message and figures, so both outcomes explain themselves."""
    return Verdict(code, Status.PASSED if ok else Status.FAILED, message, figures, dict(data))


def blockers(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.blocks]
