"""`Busy`: the server cannot take this request now, and says when to try again (HTTP 503).

Raised when the logins waiting for a password check fill their queue, when one address has
too many logins waiting, when a check does not finish in time, and when the session cannot be
saved because the database stayed locked. Nothing was written for the request; the answer
carries `Retry-After` and says in words how many seconds to wait.
"""

from __future__ import annotations

from typing import Any

from states.errors import HotspotError
from states.i18n import Language, Text


class Busy(HotspotError):
    """Too busy now; try again after `retry_after` seconds (HTTP 503 with Retry-After)."""

    exit_code = 7
    kind = "busy"

    def __init__(self, retry_after: int, reason: str) -> None:
        super().__init__(busy_text(retry_after))
        self.retry_after = retry_after
        # Why, for the operational log only: "queue", "client", "timeout", "locked".
        self.reason = reason

    def to_json(self, language: Language = "nl") -> dict[str, Any]:
        return {**super().to_json(language), "retry_after": self.retry_after}


def busy_text(seconds: int) -> Text:
    return Text(
        f"Het is op dit moment te druk; er is niets opgeslagen. Probeer het over {seconds} "
        "seconden opnieuw.",
        f"The server is too busy at the moment; nothing was saved. Try again in {seconds} seconds.",
    )
