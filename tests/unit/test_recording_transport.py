"""RecordingTransport: the shipped test double keeps what it is offered and answers in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from email.message import EmailMessage

from notifications.testing import RecordingTransport
from notifications.transports import (
    Envelope,
    NotAttempted,
    Outcome,
    PermanentFailure,
    Sent,
    Transport,
)


def _envelope(to: str) -> Envelope:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"voor {to}"
    message.set_content("hallo")
    return Envelope("hotspotmonitor@example.org", to, message)


async def _streamed(envelopes: list[Envelope]) -> AsyncIterator[Envelope]:
    for envelope in envelopes:
        yield envelope


def test_it_keeps_every_message_in_order_and_sends_them_by_default() -> None:
    recording = RecordingTransport()
    # It is a Transport: the sender can be given it in place of SMTP or the folder.
    transport: Transport = recording
    offered = [_envelope("jan@example.org"), _envelope("piet@example.org")]

    outcomes = asyncio.run(transport.deliver(_streamed(offered)))

    assert outcomes == [Sent(), Sent()]
    assert recording.envelopes == offered
    assert [str(m["To"]) for m in recording.sent] == ["jan@example.org", "piet@example.org"]


def test_it_answers_from_its_list_and_then_sends() -> None:
    refused = PermanentFailure("550 5.1.1 no such user")
    recording = RecordingTransport([refused])
    offered = [_envelope("onbekend@example.org"), _envelope("jan@example.org")]

    outcomes: list[Outcome] = asyncio.run(recording.deliver(offered))

    assert outcomes == [refused, Sent()]
    # Both were offered; only the second counts as sent.
    assert len(recording.envelopes) == 2
    assert [str(m["To"]) for m in recording.sent] == ["jan@example.org"]


def test_a_message_past_the_deadline_is_handed_back_untried_and_not_kept() -> None:
    recording = RecordingTransport()

    outcomes = asyncio.run(
        recording.deliver([_envelope("jan@example.org")], deadline=time.monotonic() - 1)
    )

    assert [type(o) for o in outcomes] == [NotAttempted]
    assert recording.envelopes == []
    assert recording.sent == []
