"""Test doubles shipped with the mail side: a transport that keeps what it is given.

RecordingTransport stands in for a mail server where a test wants to see the messages the
sender built, or to decide each message's outcome itself (a server that takes the first and
then cannot be reached), without a server or a folder. It builds nothing and sends nothing:
what it holds is exactly what the sender handed over.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from email.message import EmailMessage

from notifications.transports import Envelope, Envelopes, NotAttempted, Outcome, Sent, each


class RecordingTransport:
    """Keeps every envelope it is offered, in order, and answers each from `answers`.

    With no answers left (or none given) a message is Sent. A message offered after the
    sender's `deadline` is handed back untried (NotAttempted) and not kept, as a real
    transport does.
    """

    def __init__(self, answers: Iterable[Outcome] = ()) -> None:
        self._answers = iter(answers)
        # Every envelope taken, and the outcome each got, in the order they came.
        self.envelopes: list[Envelope] = []
        self.outcomes: list[Outcome] = []

    @property
    def sent(self) -> list[EmailMessage]:
        """The messages answered Sent."""
        return [
            envelope.message
            for envelope, outcome in zip(self.envelopes, self.outcomes, strict=True)
            if isinstance(outcome, Sent)
        ]

    async def deliver(
        self, envelopes: Envelopes, *, deadline: float | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        async for envelope in each(envelopes):
            if deadline is not None and time.monotonic() > deadline:
                outcomes.append(NotAttempted("not attempted: past the sender's deadline"))
                continue
            outcome = next(self._answers, None)
            if outcome is None:
                outcome = Sent()
            self.envelopes.append(envelope)
            self.outcomes.append(outcome)
            outcomes.append(outcome)
        return outcomes
