"""The tamper-evident audit trail: one hash-chained record per change, and its verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db.models import AuditRecord, Procedure

GENESIS = "0" * 64
SYSTEM_ACTOR = "system"


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """What the hash covers: every column of the record but its own id and hashes."""
    return {
        "procedure": record.procedure_id,
        "seq": record.seq,
        "recorded_at": _timestamp(record.recorded_at),
        "actor": record.actor,
        "action": record.action,
        "phase_before": record.phase_before,
        "phase_after": record.phase_after,
        "data": record.data,
        "reason": record.reason,
    }


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


def append(
    session: Session,
    procedure: Procedure,
    *,
    action: str,
    actor: str,
    now: datetime,
    phase_before: str | None,
    data: dict[str, Any],
    reason: str | None = None,
) -> AuditRecord:
    """Add the next record of the procedure's chain and move the head stored on the procedure.

    Moving the head changes the procedure row, which bumps its version: every change, however
    small, then conflicts cleanly with a concurrent change to the same procedure.
    """
    record = AuditRecord(
        procedure_id=procedure.id,
        seq=procedure.audit_seq + 1,
        recorded_at=now,
        actor=actor,
        action=action,
        phase_before=phase_before,
        phase_after=procedure.phase,
        # JSON round trip now, so the hash covers exactly what the database will hand back.
        data=json.loads(canonical_json(data)),
        reason=reason,
        prev_hash=procedure.audit_head,
    )
    record.hash = chain_hash(record.prev_hash, record_fields(record))
    session.add(record)
    procedure.audit_seq = record.seq
    procedure.audit_head = record.hash
    return record


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def verify_records(records: Iterable[AuditRecord], head_seq: int, head_hash: str) -> Verification:
    """Walk the chain; the first record that does not follow from its predecessor is named."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for record in records:
        count += 1
        if record.seq != expected_seq:
            missing = expected_seq if record.seq > expected_seq else record.seq
            return Verification(
                False, count, missing, f"volgnummer {expected_seq} verwacht, {record.seq} gevonden"
            )
        if record.prev_hash != prev:
            return Verification(
                False, count, record.seq, "verwijzing naar het vorige record klopt niet"
            )
        if chain_hash(prev, record_fields(record)) != record.hash:
            return Verification(False, count, record.seq, "inhoud gewijzigd: hash klopt niet")
        prev = record.hash
        expected_seq += 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        # Records removed from the end leave a chain that is valid but too short.
        return Verification(
            False,
            count,
            expected_seq,
            f"keten eindigt bij {expected_seq - 1}, de procedure verwacht {head_seq}",
        )
    return Verification(True, count)


def records_of(session: Session, procedure_id: str) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.procedure_id == procedure_id)
    return list(session.scalars(query.order_by(AuditRecord.seq, AuditRecord.id)))


def verify(session: Session, procedure: Procedure) -> Verification:
    return verify_records(
        records_of(session, procedure.id), procedure.audit_seq, procedure.audit_head
    )


def as_dicts(records: Iterable[AuditRecord]) -> list[dict[str, Any]]:
    return [
        {
            "seq": r.seq,
            "recorded_at": _timestamp(r.recorded_at),
            "actor": r.actor,
            "action": r.action,
            "phase_before": r.phase_before,
            "phase_after": r.phase_after,
            "data": r.data,
            "reason": r.reason,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in records
    ]


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    columns = [
        "seq",
        "recorded_at",
        "actor",
        "action",
        "phase_before",
        "phase_after",
        "data",
        "reason",
        "prev_hash",
        "hash",
    ]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "data": canonical_json(row["data"])}
        writer.writerow({k: _defuse(v) for k, v in cells.items()})
    return buffer.getvalue()


def _defuse(value: Any) -> Any:
    """Keep a spreadsheet from running typed text as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
