"""The unit of work: one transaction for a command's state, its outbox rows and its audit record.

`unit_of_work` loads the procedure, hands a `Change` to the command body, then handles the
events the body recorded (mail, deadline planning, the public list: workflow.dispatch), writes
the rows, appends the audit record and commits, all or nothing: a body or handler that fails
leaves no state, no outbox row and no audit record behind. What may only follow a commit (a
file written from what was stored) runs after it. The handlers are registered here, once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from states.errors import Conflict
from states.i18n import Text
from states.phases import Phase
from workflow import dispatch
from workflow.app import App
from workflow.change import Change
from workflow.deadlines.handlers import PLANNING_HANDLERS, plan_again
from workflow.document_versions import VERSION_HANDLERS
from workflow.notify.handlers import MAIL_HANDLERS
from workflow.procedure_store import load_procedure
from workflow.publishing import DOCUMENT_HANDLERS

_registered = False
_registering = threading.Lock()


def register_handlers() -> None:
    """Register every event handler: the document versions and mail (whichever runs first
    makes a step's version, workflow.document_versions.keep), the public list's files, then
    the planning.

    Idempotent; the unit of work calls it before its first command, the worker at start-up.
    """
    global _registered
    if _registered:
        return
    with _registering:
        if _registered:
            return
        for event_type, handler in (
            *VERSION_HANDLERS,
            *MAIL_HANDLERS,
            *DOCUMENT_HANDLERS,
            *PLANNING_HANDLERS,
        ):
            dispatch.register(event_type, handler)
        # Planning reads what the mail handlers wrote (the invited experts' dates).
        dispatch.on_drained(plan_again)
        _registered = True


@contextmanager
def unit_of_work(
    app: App,
    procedure_id: str,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Iterator[Change]:
    """One transaction around a command body; its events handled, its audit record appended.

    With `expected_version` (the version its user saw) a procedure stored at another version
    is refused as Conflict before anything is checked.
    """
    register_handlers()
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
            dispatch.finish(change, action)
        finally:
            change.close()
    for effect in change.committed:
        effect(app)
    if change.queued and app.on_mail_queued is not None:
        app.on_mail_queued()


def changed_since_seen(seen: int, stored: int) -> Text:
    return Text(
        f"De procedure is gewijzigd sinds u haar bekeek (u zag versie {seen}, nu is het versie "
        f"{stored}); er is niets opgeslagen. Bekijk de procedure opnieuw en probeer het dan "
        "nog eens.",
        f"The procedure was changed since you looked at it (you saw version {seen}, it is now "
        f"version {stored}); nothing was saved. Look at the procedure again, then try again.",
    )
