"""The shape every changing command shares: load, check, change, audit, commit as one."""

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
from states.i18n import Text
from states.phases import Phase
from workflow import deadlines, notify
from workflow.app import App

# Change and append_audit live in workflow.change, below the mail and deadline handlers that
# take a Change; the commands read them here with the rest of their machinery.
from workflow.change import Change as Change
from workflow.change import append_audit as append_audit
from workflow.deadlines.planning import ALL_KINDS, LIST_KINDS
from workflow.environment import brief
from workflow.procedure_store import load_procedure

log = structlog.get_logger("hotspot")
T = TypeVar("T")


def _froze_a_list(change: Change) -> bool:
    # Entering the decision phase freezes a concept list: its advice and decision get dates.
    return change.phase is Phase.DECISION and change.phase_before is not Phase.DECISION


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
    """One transaction: hand the loaded procedure to the body, then append the audit record.

    Any exception from the body rolls everything back, audit record included. With
    `expected_version` (the version its user saw) a procedure stored at another version is
    refused as Conflict before anything is checked. This runs the body once; a command runs
    its body through `run_change`, which runs it again after a collision.
    """
    bound = log.bind(procedure=procedure_id, actor=actor, action=action)
    try:
        with app.transaction() as connection:
            procedure = load_procedure(connection, procedure_id)
            if expected_version is not None and procedure.version != expected_version:
                raise Conflict(changed_since_seen(expected_version, procedure.version))
            change = Change(
                connection,
                procedure,
                Phase(procedure.phase),
                app.now(),
                actor,
                reason=reason,
                mail=app.settings.mail,
                _keys=lambda: app.keys,
            )
            try:
                yield change
                notify.after_change(change)
                if change.plan_deadlines or _froze_a_list(change):
                    # The planning reads through the connection: the ORM rows must be there.
                    change.flush()
                    kinds = ALL_KINDS if change.plan_deadlines else LIST_KINDS
                    planned = deadlines.refresh(change, kinds)
                    if planned:
                        change.data["reminders"] = planned
                change.flush()
            finally:
                change.close()
            append_audit(change, action)
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
    bound.info("command.done", phase=procedure.phase)


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


def changed_since_seen(seen: int, stored: int) -> Text:
    return Text(
        f"De procedure is gewijzigd sinds u haar bekeek (u zag versie {seen}, nu is het versie "
        f"{stored}); er is niets opgeslagen. Bekijk de procedure opnieuw en probeer het dan "
        "nog eens.",
        f"The procedure was changed since you looked at it (you saw version {seen}, it is now "
        f"version {stored}); nothing was saved. Look at the procedure again, then try again.",
    )


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
