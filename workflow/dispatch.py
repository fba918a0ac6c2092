"""The handler registry: which functions handle which event, and running them in order.

Handlers are registered at start-up (workflow.unit_of_work.register_handlers) and run inside
the command's transaction, so a handler that fails rolls back the command, its audit record
and its outbox rows. A handler may record further events; they are handled after the ones
before them. Hooks registered with `on_drained` run each time no event is left to handle
(the deadline planning: once per command, after every mail that may have changed a date).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from workflow.change import Change, Handler, append_audit
from workflow.events import Event

E = TypeVar("E", bound=Event)

# More events than this from one command means handlers keep causing each other.
MAX_EVENTS = 1000

_HANDLERS: dict[type[Event], list[Handler]] = {}
_DRAINED: list[Callable[[Change], None]] = []


def register(event_type: type[E], handler: Callable[[Change, E], None]) -> None:
    """Let `handler` handle every `event_type` event, after the handlers registered before it.

    Registering the same handler for the same type again changes nothing.
    """
    found = _HANDLERS.setdefault(event_type, [])
    if handler not in found:
        found.append(handler)


def on_drained(hook: Callable[[Change], None]) -> None:
    """Run `hook` whenever a change has no event left to handle (once per hook, idempotent)."""
    if hook not in _DRAINED:
        _DRAINED.append(hook)


def handlers_for(event_type: type[Event]) -> tuple[Handler, ...]:
    return tuple(_HANDLERS.get(event_type, ()))


def registered_types() -> frozenset[type[Event]]:
    return frozenset(t for t, found in _HANDLERS.items() if found)


class UnhandledEvent(RuntimeError):
    """An event nobody handles: registration was forgotten, and its effect would be lost."""


def dispatch(change: Change) -> None:
    """Hand every event not yet handled to its handlers, in the order they were recorded."""
    while True:
        while change.dispatched < len(change.events):
            if change.dispatched >= MAX_EVENTS:
                raise RuntimeError(f"more than {MAX_EVENTS} events in one change")
            event = change.events[change.dispatched]
            change.dispatched += 1
            found = _HANDLERS.get(type(event))
            if not found:
                raise UnhandledEvent(f"no handler is registered for {type(event).__name__}")
            for handler in found:
                handler(change, event)
        for hook in _DRAINED:
            hook(change)
        # A hook may have recorded an event: handle it too, then run the hooks again.
        if change.dispatched == len(change.events):
            return


def finish(change: Change, action: str) -> None:
    """Close a change in its transaction: handle its events, write its rows, then its audit."""
    dispatch(change)
    change.flush()
    append_audit(change, action)
