"""A whole procedure through the command functions, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from states.errors import InvalidInput, NotFound, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from workflow import audit, repository
from workflow.app import App
from workflow.commands import decision, people, procedures, records, sessions
from workflow.db import models as m


def _phase(app: App, pid: str) -> Phase:
    return procedures.status(app, pid).phase


def test_a_procedure_runs_from_preparation_to_closed(app: App) -> None:
    """Every phase is passed in order and the audit trail verifies at the end."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.CLOSED)
    assert _phase(app, pid) is Phase.CLOSED
    with app.read() as db:
        procedure = repository.get_procedure(db, pid)
        check = audit.verify(db, procedure)
        phases = [r.phase_after for r in audit.records_of(db, pid) if r.action == "phase.advance"]
    assert check.ok and check.records == procedure.audit_seq
    assert phases == [p.value for p in Phase if p not in (Phase.PREPARATION, Phase.CANCELLED)]


def test_entering_decision_freezes_the_concept_list_with_numbers(app: App) -> None:
    """The concept list is stored with year-based numbers when the decision phase starts."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.status == "submitted" and row.number == 1
    numbers = {e["title"]: e["number"] for e in row.entries}
    wolf = next(e for e in row.entries if e["title"] == "Terugkeer van de wolf")
    assert wolf["description"] == "Besluitvorming rond Terugkeer van de wolf"
    assert wolf["criteria"] == [1, 2] and wolf["nominated_by_perspective"] == "external"
    assert wolf["period_end"] is None
    assert numbers == {
        "Terugkeer van de wolf": "2018-1",
        "Stikstofcrisis en boerenprotesten": "2019-1",
        "COVID-19-pandemie": "2020-1",
    }


def test_negative_advice_sends_the_list_back_and_keeps_it_unchanged(app: App) -> None:
    """Negative advice returns to the sessions; the returned list stays as it was."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    with app.read() as db:
        submitted = repository.latest_list_version(db, pid)
        assert submitted is not None
        entries_before = submitted.entries
    result = decision.record_advice(
        app, pid, positive=False, by="Archivaris", actor="arch", reason="De wolf hoort er niet op"
    )
    assert result["phase"] == "sessions"
    # The sessions may now change a candidate; the returned list must not follow.
    with app.read() as db:
        candidate_id = db.scalars(
            select(m.Candidate.id).where(m.Candidate.procedure_id == pid)
        ).first()
    sessions.assess(app, pid, candidate_id, criteria="", motivation="", include=False, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)
    with app.read() as db:
        versions = list(
            db.scalars(
                select(m.ListVersion)
                .where(m.ListVersion.procedure_id == pid)
                .order_by(m.ListVersion.number)
            )
        )
    assert [v.status for v in versions] == ["returned", "submitted"]
    assert versions[0].entries == entries_before
    assert versions[0].advice_positive is False
    assert len(versions[1].entries) == len(entries_before) - 1
    assert versions[1].advice_positive is None  # a new advice is needed next time


def test_a_list_returned_by_the_governing_body_goes_back_to_the_sessions(app: App) -> None:
    """`decide --returned` records the decision and moves back to the sessions at once."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    decision.record_advice(app, pid, positive=True, by="Archivaris", actor="arch")
    decision.record_decision(
        app,
        pid,
        adopted=False,
        day="2025-05-13",
        ref="GS/2025/1",
        actor=ACTOR,
        reason="Asielopvang ontbreekt",
    )
    assert _phase(app, pid) is Phase.SESSIONS
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
    assert row is not None and row.status == "returned" and row.decision_ref == "GS/2025/1"


def test_adoption_requires_positive_advice_first(app: App) -> None:
    """The governing body cannot adopt before the archivist's positive advice."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    with pytest.raises(Refused) as refusal:
        decision.record_decision(app, pid, adopted=True, day="2025-05-13", ref="GS/1", actor=ACTOR)
    assert refusal.value.codes == ["decision.advice_first"]


def test_an_adopted_list_can_no_longer_be_advised_or_sent_back(app: App) -> None:
    """After adoption the advice and decision commands refuse: the list is final."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    support.advise_and_adopt(app, pid)
    with pytest.raises(Refused) as refusal:
        decision.record_advice(app, pid, positive=False, by="X", actor="x", reason="Te smal")
    assert refusal.value.codes == ["decision.no_open_list"]
    with pytest.raises(Refused):
        decision.record_decision(app, pid, adopted=False, day="2025-06-01", ref="R", actor="x")


def test_dossiers_are_marked_blijvend_bewaren_citing_the_decision(app: App) -> None:
    """A marked dossier carries archiefnominatie blijvend_bewaren and the decision reference."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    records.add_system(
        app, pid, "2020-1", system="Exchange", query="corona", owner="ICT", actor=ACTOR
    )
    result = records.mark_dossier(
        app, pid, "2020-1", system="Exchange", dossier="MB-1", actor=ACTOR
    )
    assert result["archiefnominatie"] == "blijvend_bewaren"
    assert "GS/2025/0412" in result["reason"] and "2020-1" in result["reason"]


def test_inventory_blocks_while_a_listed_system_is_unsearched(app: App) -> None:
    """A system listed for a hotspot but neither searched nor justified blocks the phase."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    for number in support.adopted_numbers(app, pid):
        records.add_system(
            app, pid, number, system="Teams", query="kanaal", owner="ICT", actor=ACTOR
        )
    records.mark_dossier(app, pid, "2020-1", system="Teams", dossier="T-1", actor=ACTOR)
    records.nothing_found(
        app, pid, "2018-1", system="Teams", reason="Teams bestond nog niet", actor=ACTOR
    )
    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor=ACTOR)
    assert set(refusal.value.codes) == {"inventory.hotspots_covered", "inventory.systems_searched"}
    records.nothing_found(
        app, pid, "2019-1", system="Teams", reason="Geen kanaal gevonden", actor=ACTOR
    )
    assert procedures.advance(app, pid, actor=ACTOR)["phase"] == "publication"


def test_unknown_hotspot_and_unlisted_system_are_named(app: App) -> None:
    """Inventory commands name the hotspot or system they cannot find."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.INVENTORY)
    with pytest.raises(NotFound):
        records.add_system(app, pid, "1999-9", system="X", query="q", owner="o", actor=ACTOR)
    with pytest.raises(InvalidInput) as error:
        records.mark_dossier(app, pid, "2020-1", system="Nergens", dossier="D", actor=ACTOR)
    assert error.value.field == "system"


def test_attendance_only_for_accepted_experts_and_only_once(app: App) -> None:
    """Attendance refuses an expert who declined and a second entry for the same expert."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    support.accept_all(app, pid)
    people.add_expert(
        app,
        pid,
        name="Afmelder",
        email="af@example.org",
        perspective="external",
        profile="historicus",
        actor=ACTOR,
    )
    people.respond(app, pid, "af@example.org", accept=False, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)
    sid = sessions.add_session(app, pid, at="2025-03-10T14:00", actor=ACTOR)["session"]
    support.run_clock_to(app, datetime(2025, 3, 10, 17, 0))
    with pytest.raises(InvalidInput):
        sessions.attend(app, pid, sid, ["af@example.org"], actor=ACTOR)
    sessions.attend(app, pid, sid, [support.INTERNAL[0][1]], actor=ACTOR)
    with pytest.raises(InvalidInput):
        sessions.attend(app, pid, sid, [support.INTERNAL[0][1].upper()], actor=ACTOR)


def test_a_procedure_cancelled_from_any_open_phase_keeps_its_reason(app: App) -> None:
    """Cancel moves to cancelled with the reason; nothing can advance afterwards."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    procedures.cancel(app, pid, actor=ACTOR, reason="Reorganisatie; procedure opnieuw in 2026")
    st = procedures.status(app, pid)
    assert st.phase is Phase.CANCELLED
    assert st.procedure.cancel_reason == "Reorganisatie; procedure opnieuw in 2026"
    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor=ACTOR)
    assert refusal.value.codes == ["phase.transition_not_allowed"]
    with app.read() as db:
        count = db.scalar(
            select(func.count()).select_from(m.AuditRecord).where(m.AuditRecord.procedure_id == pid)
        )
        procedure = repository.get_procedure(db, pid)
    assert count == procedure.audit_seq
