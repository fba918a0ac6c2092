"""The unit of work and its events: handlers in order, cascades, one transaction, publishing."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from notifications.outbox import OUTBOX
from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.phases import Phase
from tests import support, web_support
from workflow import dispatch, events, publishing
from workflow.app import App
from workflow.change import Change
from workflow.cli import document_commands
from workflow.cli.context import CliContext
from workflow.cli.group import cli
from workflow.commands import procedures
from workflow.commands.base import changing
from workflow.db import models as m
from workflow.events import Event, PhaseChanged
from workflow.unit_of_work import register_handlers

ACTOR = support.ACTOR


@dataclass(frozen=True, slots=True)
class Ping(Event):
    n: int


@dataclass(frozen=True, slots=True)
class Pong(Event):
    n: int


@pytest.fixture
def registry() -> Iterator[None]:
    """The real handlers, and whatever a test adds taken away again afterwards."""
    register_handlers()
    handlers = {t: list(found) for t, found in dispatch._HANDLERS.items()}
    drained = list(dispatch._DRAINED)
    yield
    dispatch._HANDLERS.clear()
    dispatch._HANDLERS.update(handlers)
    dispatch._DRAINED[:] = drained


def footprint(app: App, pid: str) -> tuple[str, int, int, int]:
    """Phase, version, audit records and outbox rows of a procedure."""
    with app.read() as db:
        procedure = db.get(m.Procedure, pid)
        assert procedure is not None
        audits = db.scalar(
            select(func.count()).select_from(m.AuditRecord).where(m.AuditRecord.procedure_id == pid)
        )
        mails = db.scalar(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.procedure_id == pid)
        )
        return procedure.phase, procedure.version, int(audits or 0), int(mails or 0)


def test_events_are_handled_in_order_and_the_events_they_cause_after_them(
    app: App, registry: None
) -> None:
    """Handlers of one type run in registration order; a caused event waits its turn."""
    pid = support.open_procedure(app)
    seen: list[str] = []

    def first(change: Change, event: Ping) -> None:
        seen.append(f"first ping {event.n}")
        change.record(Pong(event.n))

    def second(_change: Change, event: Ping) -> None:
        seen.append(f"second ping {event.n}")

    def pong(_change: Change, event: Pong) -> None:
        seen.append(f"pong {event.n}")

    dispatch.register(Ping, first)
    dispatch.register(Ping, second)
    dispatch.register(Ping, first)  # again: still once
    dispatch.register(Pong, pong)
    before = footprint(app, pid)
    with changing(app, pid, ACTOR, "test.events") as change:
        change.record(Ping(1))
        change.record(Ping(2))
        change.data = {"pinged": 2}
    assert seen == [
        "first ping 1",
        "second ping 1",
        "first ping 2",
        "second ping 2",
        "pong 1",
        "pong 2",
    ]
    phase, version, audits, mails = footprint(app, pid)
    assert (phase, version, audits, mails) == (before[0], before[1] + 1, before[2] + 1, before[3])


def test_events_that_keep_causing_events_stop_at_the_cap(app: App, registry: None) -> None:
    pid = support.open_procedure(app)

    def again(change: Change, event: Ping) -> None:
        change.record(Ping(event.n + 1))

    dispatch.register(Ping, again)
    before = footprint(app, pid)
    with pytest.raises(RuntimeError, match="more than"), changing(app, pid, ACTOR, "x") as c:
        c.record(Ping(0))
    assert footprint(app, pid) == before


def test_a_failing_handler_rolls_back_state_outbox_and_audit(app: App, registry: None) -> None:
    """The phase-change mails are queued, then a later handler fails: nothing is kept."""
    pid = support.open_procedure(app)
    support.fill_workgroup(app, pid)
    queued_before_failure: list[int] = []

    def broken(change: Change, _event: PhaseChanged) -> None:
        rows = change.connection.execute(
            select(func.count()).select_from(OUTBOX).where(OUTBOX.c.procedure_id == pid)
        ).scalar_one()
        queued_before_failure.append(rows)
        raise RuntimeError("handler failed")

    dispatch.register(PhaseChanged, broken)
    before = footprint(app, pid)
    with pytest.raises(RuntimeError, match="handler failed"):
        procedures.advance(app, pid, actor=ACTOR)
    # The mail handler ran first, in the same transaction: its rows were there, then undone.
    assert queued_before_failure and queued_before_failure[0] > before[3]
    assert footprint(app, pid) == before
    assert before[0] == Phase.PREPARATION.value


def test_an_event_without_a_handler_is_an_error_not_a_lost_mail(app: App, registry: None) -> None:
    pid = support.open_procedure(app)
    before = footprint(app, pid)
    with pytest.raises(dispatch.UnhandledEvent), changing(app, pid, ACTOR, "x") as change:
        change.record(Ping(1))
    assert footprint(app, pid) == before


def test_every_event_type_has_a_handler(registry: None) -> None:
    declared = {
        kind
        for _, kind in inspect.getmembers(events, inspect.isclass)
        if issubclass(kind, Event) and kind is not Event
    }
    assert declared == set(events.EVENT_TYPES)
    for kind in events.EVENT_TYPES:
        assert dispatch.handlers_for(kind), kind.__name__


def test_registering_the_handlers_twice_registers_them_once(registry: None) -> None:
    counts = {kind: len(dispatch.handlers_for(kind)) for kind in events.EVENT_TYPES}
    hooks = len(dispatch._DRAINED)
    register_handlers()
    for kind in events.EVENT_TYPES:
        for handler in dispatch.handlers_for(kind):
            dispatch.register(kind, handler)
    assert {kind: len(dispatch.handlers_for(kind)) for kind in events.EVENT_TYPES} == counts
    assert len(dispatch._DRAINED) == hooks


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_publishing_through_the_api_writes_the_public_list_as_the_cli_does(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, only `hotspot publish` and the form wrote the public list; the API only recorded."""
    monkeypatch.setattr(publishing, "DEFAULT_DIR", tmp_path / "api")
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PUBLICATION)
    web_support.ensure_user(app)
    web = web_support.client(app)
    login = web.post(
        "/api/session", json={"username": web_support.FACILITATOR, "password": web_support.PASSWORD}
    )
    assert login.status_code == 200, login.text
    response = web.post(
        f"/api/procedures/{pid}/publication",
        json={"channel": "Provinciaal Blad", "ref": "Prb. 2025, 9", "date": "2025-10-01"},
        headers={"X-CSRF-Token": login.json()["csrf_token"]},
    )
    assert response.status_code == 201, response.text
    written = _files(tmp_path / "api")
    assert sorted(Path(name).suffix for name in written) == [".csv", ".html", ".json"]
    assert b"Prb. 2025, 9" in written[next(n for n in written if n.endswith(".json"))]

    # The same files `hotspot public-list` writes from the recorded publication.
    assert document_commands  # imported for its commands on the shared group
    result = CliRunner().invoke(
        cli,
        ["public-list", pid, "--out", str(tmp_path / "cli")],
        obj=CliContext(_app=app),
    )
    assert result.exit_code == 0, result.output
    assert _files(tmp_path / "cli") == written
    with app.read() as db:
        actions = [r.action for r in db.scalars(select(m.AuditRecord).order_by(m.AuditRecord.id))]
    assert actions[-1] == AuditAction.PUBLICATION_RECORD.value


def test_a_public_list_that_cannot_be_written_leaves_the_publication_standing(
    app: App, tmp_path: Path
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PUBLICATION)
    with (
        pytest.raises(InvalidInput) as error,
        publishing.public_list_to(blocked / "publicatie"),
    ):
        support.publish(app, pid)
    assert error.value.field == "out"
    with app.read() as db:
        assert db.get(m.Publication, pid) is not None
