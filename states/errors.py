"""One error tree for the whole project; each error knows its exit code and explains itself."""

from __future__ import annotations

from typing import Any, ClassVar

from states.i18n import Language, Text
from states.verdicts import Verdict, failed


class HotspotError(Exception):
    """Root of every error the project raises on purpose."""

    exit_code: ClassVar[int] = 1
    kind: ClassVar[str] = "error"

    def __init__(self, message: Text) -> None:
        super().__init__(message.nl)
        self.message = message

    def explain(self, language: Language = "nl") -> str:
        return self.message(language)

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {"ok": False, "error": self.kind, "message": self.explain(language)}


class InvalidInput(HotspotError):
    """Input that cannot be used: a bad date, an unknown expert, a duplicate address."""

    exit_code = 2
    kind = "invalid_input"

    def __init__(self, field: str, message: Text) -> None:
        super().__init__(message)
        self.field = field

    def explain(self, language: Language = "nl") -> str:
        return f"{self.field}: {self.message(language)}"

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {**super().to_json(language), "field": self.field}


class Refused(HotspotError):
    """A step the rules do not allow; carries every blocking verdict."""

    exit_code = 3
    kind = "refused"

    def __init__(self, message: Text, verdicts: list[Verdict]) -> None:
        super().__init__(message)
        self.verdicts = verdicts

    @classmethod
    def one(cls, headline: Text, code: str, message: Text, figures: Text, **data: Any) -> Refused:
        """A refusal for a single reason: the headline, then the rule's code, message, figures."""
        return cls(headline, [failed(code, message, figures, **data)])

    @property
    def codes(self) -> list[str]:
        return [v.code for v in self.verdicts]

    def explain(self, language: Language = "nl") -> str:
        lines = [self.message(language)]
        lines += [f"  - [{v.code}] {v.explain(language)}" for v in self.verdicts]
        return "\n".join(lines)

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {
            **super().to_json(language),
            "message": self.message(language),
            "codes": self.codes,
            "blockers": [v.to_json(language) for v in self.verdicts],
        }


class NotFound(HotspotError):
    exit_code = 4
    kind = "not_found"


class Conflict(HotspotError):
    """Someone else changed the procedure meanwhile; the command changed nothing."""

    exit_code = 5
    kind = "conflict"

    def __init__(self, message: Text | None = None) -> None:
        super().__init__(message or CHANGED_MEANWHILE)


CHANGED_MEANWHILE = Text(
    "De procedure is intussen door iemand anders gewijzigd; er is niets opgeslagen. "
    "Probeer het opnieuw.",
    "The procedure was changed by someone else meanwhile; nothing was saved. Try again.",
)


class EnvironmentProblem(HotspotError):
    """The machine, not the input: a database that cannot be reached or written, a full disk,
    an unreadable file or setting. Nothing was written; CLI exit 7, HTTP 503.
    """

    exit_code = 7
    kind = "environment"

    def __init__(self, subject: str, message: Text) -> None:
        super().__init__(message)
        # The file, folder or setting at fault, named in every explanation.
        self.subject = subject

    def explain(self, language: Language = "nl") -> str:
        return f"{self.subject}: {self.message(language)}"

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {**super().to_json(language), "subject": self.subject}
