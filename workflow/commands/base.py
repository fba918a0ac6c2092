"""The shape every changing command shares: one unit of work, on record, retried on collision."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import structlog

from states.errors import Conflict, HotspotError, InvalidInput, Refused
from workflow.app import App

# Change and append_audit live in workflow.change, below the mail and deadline handlers that
# take a Change; the commands read them here with the rest of their machinery.
from workflow.change import Change as Change
from workflow.change import append_audit as append_audit
from workflow.environment import brief
from workflow.unit_of_work import changed_since_seen as changed_since_seen
from workflow.unit_of_work import unit_of_work

log = structlog.get_logger("hotspot")
T = TypeVar("T")


@contextmanager
def changing(
    app: App,
    procedure_id: str,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Iterator[Change]:
    """One command's unit of work (workflow.unit_of_work), on record in the log.

    Any exception from the body or a handler of its events rolls everything back, audit
    record included. With `expected_version` (the version its user saw) a procedure stored at
    another version is refused as Conflict before anything is checked. This runs the body
    once; a command runs its body through `run_change`, which runs it again after a collision.
    """
    bound = log.bind(procedure=procedure_id, actor=actor, action=action)
    try:
        with unit_of_work(
            app, procedure_id, actor, action, reason=reason, expected_version=expected_version
        ) as change:
            yield change
    except HotspotError as error:
        # A refusal or bad input is business as usual: on record for operators, not an alarm.
        # Its kind, rule codes and field only: the message may hold a name or an address.
        bound.info("command.not_done", **_outline(error))
        raise
    except Exception as error:
        # The class and the driver's first line, never the statement or its parameters (the
        # names and addresses being written).
        bound.error("command.failed", error=type(error).__name__, detail=brief(error))
        raise
    bound.info("command.done", phase=change.procedure.phase)


def _outline(error: HotspotError) -> dict[str, Any]:
    found: dict[str, Any] = {"error": error.kind}
    if isinstance(error, Refused):
        found["rules"] = error.codes
    if isinstance(error, InvalidInput):
        found["field"] = error.field
    return found


def run_change(
    app: App,
    procedure_id: str,
    actor: str,
    action: str,
    body: Callable[[Change], T],
    *,
    reason: str | None = None,
) -> T:
    """Run one command's transaction body; after a collision, run it again (see `retried`).

    `body` is a function of input already read and checked (a file read once, a prompt
    answered once): it reads the procedure afresh from `change` and re-checks every rule each
    time, and nothing it does lasts unless its transaction commits. Inside `seen_version`, the
    first change is checked against the version its user saw and is never run again: a
    procedure changed since is "changed by someone else".
    """
    expected = _SEEN.get()

    def once() -> T:
        with changing(
            app, procedure_id, actor, action, reason=reason, expected_version=expected
        ) as current:
            return body(current)

    if expected is None:
        return retried(once)
    # What the user saw applies to the first change their request makes; a second one (revoke,
    # then invite again) follows from the first.
    _SEEN.set(None)
    return once()


# --- the version a user saw, and running a transaction again after a collision -------------


# The procedure version the user of the current request saw (a form's hidden field, an API
# write's `version`), set by the web faces with `seen_version`; None on the command line.
_SEEN: ContextVar[int | None] = ContextVar("hotspot_seen_version", default=None)

# Twenty writers at once on one procedure all get through within these (a test proves it on
# PostgreSQL); a collision that outlasts them is reported as Conflict (exit 5, 409).
RETRY_ATTEMPTS = 10
RETRY_FIRST_DELAY = 0.05
RETRY_MAX_DELAY = 1.0


@contextmanager
def seen_version(version: int | None) -> Iterator[None]:
    """Within the block, the first `run_change` expects the procedure at `version` (if not None)."""
    token = _SEEN.set(version)
    try:
        yield
    finally:
        _SEEN.reset(token)


def expect_version(version: int | None) -> None:
    """Record the version the current request's user saw, inside its `seen_version` block."""
    if version is not None:
        _SEEN.set(version)


def retry_delay(retry: int) -> float:
    """Seconds before re-run `retry` (0 first): capped exponential backoff with jitter.

    The jitter spreads writers that collided at once, so they do not collide again.
    """
    ceiling = min(RETRY_MAX_DELAY, RETRY_FIRST_DELAY * 2**retry)
    return random.uniform(ceiling / 4, ceiling)


def retried(transaction: Callable[[], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
    """Run one transaction; on Conflict run it again, up to `attempts` times in all.

    Only for a transaction that is the whole of what it does: it re-reads and re-checks
    everything, and a run that collided left nothing behind (its transaction rolled back).
    A long-running command (serve, worker, demo, mail send) is never wrapped: each of its
    commands retries on its own.
    """
    for retry in itertools.count():
        try:
            return transaction()
        except Conflict:
            if retry + 1 >= attempts:
                raise
        log.info("command.retry", attempt=retry + 1)
        time.sleep(retry_delay(retry))
    raise AssertionError("unreachable")  # pragma: no cover
