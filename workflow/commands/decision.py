"""The archivist's advice and the governing body's decision on the frozen concept list."""

from __future__ import annotations

from datetime import date
from typing import Any

from states.actions import Action
from states.errors import InvalidInput
from states.guards import (
    AdviceDay,
    require_no_advice_yet,
    require_open_list,
    require_plausible_advice_date,
    require_plausible_decision_date,
    require_positive_advice,
)
from states.i18n import Text, local_date
from states.machine import SEND_BACK, ProcedureModel, definition
from states.phases import Phase
from states.snapshot import ListStatus, ProcedureSnapshot
from workflow import links, repository, validation
from workflow.app import App
from workflow.commands.base import Change, run_change
from workflow.db import models as m
from workflow.events import AdviceRecorded, ListAdopted, PhaseChanged
from workflow.links import EndReason, Purpose


def _submitted_list(change: Change) -> m.ListVersion:
    row = repository.latest_list_version(change.session, change.procedure.id)
    require_open_list(ListStatus(row.status) if row else None)
    assert row is not None
    return row


def _send_back(change: Change, row: m.ListVersion) -> Phase:
    """Back to the sessions; the list stays stored exactly as it was submitted."""
    row.status = ListStatus.RETURNED.value
    model = ProcedureModel(
        change.phase, ProcedureSnapshot(change.phase, frozenset()), change.config
    )
    new_phase = definition(change.procedure.definition_version).step(model, SEND_BACK)
    change.procedure.phase = new_phase.value
    change.record(PhaseChanged(change.phase_before, new_phase))
    return new_phase


# How an advice or decision reached the system: the CLI, the archivist's or management's own
# personal link, or the facilitator recording it on their behalf in the web app.
RECORDED_VIA = ("cli", "link", "facilitator")


def _via(value: str) -> str:
    if value not in RECORDED_VIA:
        raise ValueError(f"unknown channel {value!r}")
    return value


def record_advice(
    app: App,
    procedure_id: str,
    *,
    positive: bool,
    by: str,
    actor: str,
    reason: str | None = None,
    via: str = "cli",
    ref: str | None = None,
    day: date | str | None = None,
) -> dict[str, Any]:
    """The archivist's advice on the submitted list; `ref` and `day` are the advice letter's."""
    adviser = validation.single_line("by", by, max_length=200)
    why = validation.text("reason", reason, max_length=10_000, required=False) or None
    if not positive and why is None:
        # The facilitator and the sessions must know what to change before the list returns.
        raise InvalidInput(
            "reason",
            Text(
                "een negatief advies heeft een reden nodig: schrijf op wat er aan de lijst "
                "moet veranderen",
                "a negative advice needs a reason: write down what must change on the list",
            ),
        )
    letter_ref = validation.single_line("ref", ref, max_length=200) if (ref or "").strip() else None
    letter_day = validation.parse_date("day", day) if day and str(day).strip() else None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.RECORD_ADVICE)
        row = _submitted_list(change)
        require_no_advice_yet(row.number, row.advice_positive, row.advice_by)
        if letter_day is not None:
            require_plausible_advice_date(
                letter_day, row.number, row.created_at, local_date(change.now)
            )
        row.advice_positive, row.advice_by, row.advice_reason = positive, adviser, why
        row.advice_ref, row.advice_date = letter_ref, letter_day
        row.advice_at = change.now
        phase = _send_back(change, row) if not positive else change.phase
        # The advice is in, whoever recorded it: the archivist's links have done their work.
        ended = links.end_links(
            change.connection, change.procedure.id, change.now, EndReason.DONE, [Purpose.ADVICE]
        )
        change.record(AdviceRecorded(row.id, positive))
        change.data = {
            "list_version": row.number,
            "positive": positive,
            "by": adviser,
            "ref": letter_ref,
            "date": letter_day.isoformat() if letter_day else None,
            "to": phase.value,
            "recorded_via": _via(via),
            "links_ended": ended,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "list_version": row.number,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "advice.record", body, reason=why)


def _advice_day(row: m.ListVersion) -> AdviceDay | None:
    """The advice letter's date, else the day the advice was recorded."""
    if row.advice_date is not None:
        return AdviceDay(row.advice_date, from_letter=True)
    if row.advice_at is not None:
        return AdviceDay(local_date(row.advice_at), from_letter=False)
    return None


def record_decision(
    app: App,
    procedure_id: str,
    *,
    adopted: bool,
    day: str | date,
    ref: str,
    actor: str,
    reason: str | None = None,
    via: str = "cli",
) -> dict[str, Any]:
    decided_on = validation.parse_date("day", day)
    reference = validation.single_line("ref", ref, max_length=200)
    why = validation.text("reason", reason, max_length=10_000, required=False) or None

    def body(change: Change) -> dict[str, Any]:
        change.require(Action.RECORD_DECISION)
        row = _submitted_list(change)
        require_positive_advice(row.advice_positive)
        require_plausible_decision_date(
            decided_on, row.number, row.created_at, local_date(change.now), _advice_day(row)
        )
        row.decision_date, row.decision_ref, row.decision_reason = decided_on, reference, why
        row.decided_at = change.now
        # The decision is in: management's links have done their work.
        ended = links.end_links(
            change.connection, change.procedure.id, change.now, EndReason.DONE, [Purpose.DECISION]
        )
        if adopted:
            row.status = ListStatus.ADOPTED.value
            phase = change.phase
            change.record(ListAdopted(row.id))
        else:
            phase = _send_back(change, row)
        change.data = {
            "list_version": row.number,
            "adopted": adopted,
            "date": decided_on.isoformat(),
            "ref": reference,
            "to": phase.value,
            "hotspots": [e["number"] for e in row.entries] if adopted else [],
            "recorded_via": _via(via),
            "links_ended": ended,
        }
        return {
            "ok": True,
            "procedure": change.procedure.id,
            "list_version": row.number,
            "adopted": adopted,
            "phase": change.procedure.phase,
        }

    return run_change(app, procedure_id, actor, "decision.record", body, reason=why)
