"""Test doubles shipped with the project: a clock that only moves when told to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock for tests and the demo: `now` stays put until `advance` or `set` moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start if start.tzinfo else start.replace(tzinfo=UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> datetime:
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return self._now
