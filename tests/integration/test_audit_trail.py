"""The audit trail: one record per change, hash-chained, and every kind of tampering found."""

from __future__ import annotations

import csv
import io
import json
from itertools import pairwise

from sqlalchemy import delete, select, update

from states.phases import Phase
from tests import support
from workflow import audit, repository
from workflow.app import App
from workflow.db import models as m


def _verify(app: App, pid: str) -> audit.Verification:
    with app.read() as db:
        return audit.verify(db, repository.get_procedure(db, pid))


def _procedure_with_history(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    return pid


def test_every_change_appends_one_record_with_actor_phases_and_data(app: App) -> None:
    """Records carry sequence, UTC time, actor, action, phases and the changed data."""
    pid = _procedure_with_history(app)
    with app.read() as db:
        records = audit.records_of(db, pid)
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert [r.action for r in records[:3]] == ["procedure.init", "phase.advance", "member.add"]
    member = records[2]
    assert member.actor == support.ACTOR and member.data["role"] == "procesbegeleider"
    assert member.recorded_at.tzinfo is not None and member.recorded_at.utcoffset().seconds == 0
    advance = records[1]
    assert (advance.phase_before, advance.phase_after) == ("preparation", "workgroup")
    assert records[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(records))
    assert _verify(app, pid).ok


def test_an_edited_record_is_found_by_its_sequence_number(app: App) -> None:
    """Changing the data of record 3 breaks the chain exactly at 3."""
    pid = _procedure_with_history(app)
    with app.write() as db:
        db.execute(
            update(m.AuditRecord)
            .where(m.AuditRecord.procedure_id == pid, m.AuditRecord.seq == 3)
            .values(data={"role": "archivaris"})
        )
    result = _verify(app, pid)
    assert not result.ok and result.first_bad_seq == 3


def test_an_edited_actor_is_found(app: App) -> None:
    """Blaming someone else afterwards is detected too."""
    pid = _procedure_with_history(app)
    with app.write() as db:
        db.execute(
            update(m.AuditRecord)
            .where(m.AuditRecord.procedure_id == pid, m.AuditRecord.seq == 2)
            .values(actor="iemand-anders")
        )
    assert _verify(app, pid).first_bad_seq == 2


def test_a_deleted_record_in_the_middle_is_named(app: App) -> None:
    """Removing record 4 leaves a gap the verification names."""
    pid = _procedure_with_history(app)
    with app.write() as db:
        db.execute(
            delete(m.AuditRecord).where(m.AuditRecord.procedure_id == pid, m.AuditRecord.seq == 4)
        )
    result = _verify(app, pid)
    assert not result.ok and result.first_bad_seq == 4


def test_a_deleted_last_record_is_found_through_the_stored_head(app: App) -> None:
    """Cutting off the end leaves a valid but short chain; the procedure's head catches it."""
    pid = _procedure_with_history(app)
    with app.read() as db:
        last = repository.get_procedure(db, pid).audit_seq
    with app.write() as db:
        db.execute(
            delete(m.AuditRecord).where(
                m.AuditRecord.procedure_id == pid, m.AuditRecord.seq == last
            )
        )
    result = _verify(app, pid)
    assert not result.ok and result.first_bad_seq == last


def test_an_inserted_record_is_found(app: App) -> None:
    """A record slipped in between (later ones renumbered) breaks the chain at its place."""
    pid = _procedure_with_history(app)
    with app.write() as db:
        records = list(
            db.scalars(
                select(m.AuditRecord)
                .where(m.AuditRecord.procedure_id == pid)
                .order_by(m.AuditRecord.seq.desc())
            )
        )
        for record in records:
            if record.seq >= 3:
                record.seq += 1
                db.flush()
        forged = records[-3]  # the record that had seq 3 is now 4; forge a new 3
        db.add(
            m.AuditRecord(
                procedure_id=pid,
                seq=3,
                recorded_at=forged.recorded_at,
                actor="indringer",
                action="member.add",
                phase_before="workgroup",
                phase_after="workgroup",
                data={},
                reason=None,
                prev_hash=records[-2].hash,
                hash="f" * 64,
            )
        )
    result = _verify(app, pid)
    assert not result.ok and result.first_bad_seq == 3


def test_exports_hold_every_record(app: App) -> None:
    """JSON and CSV exports list every record with its hashes; CSV defuses formulas."""
    pid = support.open_procedure(app)
    from workflow.commands import procedures

    procedures.cancel(app, pid, actor="=HYPERLINK(1)", reason="@SUM(A1)")
    with app.read() as db:
        rows = audit.as_dicts(audit.records_of(db, pid))
    assert json.loads(json.dumps(rows))[1]["action"] == "phase.cancel"
    parsed = list(csv.DictReader(io.StringIO(audit.to_csv(rows))))
    assert [r["seq"] for r in parsed] == ["1", "2"]
    assert parsed[1]["actor"] == "'=HYPERLINK(1)" and parsed[1]["reason"] == "'@SUM(A1)"
    assert parsed[1]["hash"] == rows[1]["hash"]
